"""The footer with the 备案 numbers, the contacts and the 公众号 QR code, on a 375 px phone
(issue 12, item 6), and the emblem in the header."""

from __future__ import annotations

import io
import os

import pytest
import segno
from django.core.files.base import ContentFile
from PIL import Image

from federation.models import PortalSettings
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png(image) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="upload.png")


@pytest.fixture
def official(serve_media):
    f.DistrictFactory()
    row = PortalSettings(
        icp_number="津ICP备2024012345号-1",
        police_number="津公网安备12011602000123号",
        contact_address="天津经济技术开发区第三大街 19 号泰达服务中心",
        contact_phone="022-6620 0000",
        contact_email="fulian@teda.example.cn",
        qr_1_title="天津经开区妇联公众号",
        qr_2_title="滨城女性视频号",
    )
    qr = io.BytesIO()
    segno.make("https://mp.weixin.qq.com/", error="m").save(qr, kind="png", scale=8, border=4)
    row.qr_1.save("qr1.png", ContentFile(qr.getvalue()), save=False)
    row.qr_2.save("qr2.png", ContentFile(qr.getvalue()), save=False)
    row.emblem.save("emblem.png", png(Image.new("RGB", (192, 192), (200, 16, 46))), save=False)
    row.save()
    return row


@pytest.mark.parametrize("path", ["/", "/about/", "/sites/"])
def test_the_footer_shows_the_beian_numbers_and_contacts_at_375px(
    live_server, page, official, path
):
    problems = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
    )
    page.goto(live_server.url + path)
    footer = page.locator("footer.site-footer")
    footer.scroll_into_view_if_needed()
    icp = footer.get_by_role("link", name="津ICP备2024012345号-1")
    assert icp.is_visible()
    assert icp.get_attribute("href") == "https://beian.miit.gov.cn/"
    police = footer.get_by_role("link", name="津公网安备12011602000123号")
    assert police.get_attribute("href") == (
        "https://beian.mps.gov.cn/#/query/webSearch?code=12011602000123"
    )
    assert footer.get_by_role("link", name="022-6620 0000").get_attribute("href") == (
        "tel:022-66200000"
    )
    assert footer.get_by_text("地址：天津经济技术开发区第三大街 19 号泰达服务中心").is_visible()
    qr = footer.get_by_role("img", name="天津经开区妇联公众号的二维码")
    qr.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    box = qr.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (96, 96)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    header_emblem = page.locator("header .logo img.emblem")
    assert header_emblem.evaluate("img => img.complete && img.naturalWidth") == 192
    assert problems == []
    if path == "/" and os.environ.get("SCREENSHOTS"):
        footer.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "footer-375.png"))
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "home-375.png"))


def test_the_footer_reads_in_english_too(live_server, page, official):
    page.goto(live_server.url + "/language/en/?next=/about/")
    footer = page.locator("footer.site-footer")
    assert footer.get_by_text("Address: 天津经济技术开发区第三大街 19 号泰达服务中心").is_visible()
    assert footer.get_by_role("img", name="QR code of 天津经开区妇联公众号").count() == 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
