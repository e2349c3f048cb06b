"""The portal's official face (issue 12, item 6): the settings district admins keep in the admin,
the footer that shows them, the lead story and the brand cards with their figures on the home."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from activities.models import Article
from brands.models import Brand
from federation.models import PortalSettings
from tests import factories as f

pytestmark = pytest.mark.django_db

CHANGE_URL = reverse("admin:federation_portalsettings_change", args=[1])
ADD_URL = reverse("admin:federation_portalsettings_add")
FORM = {
    "name": "",
    "owner": "",
    "icp_number": "津ICP备2024012345号-1",
    "police_number": "津公网安备12011602000123号",
    "contact_address": "天津经济技术开发区第三大街 19 号",
    "contact_phone": "022-6620 0000",
    "contact_email": "fulian@teda.example.cn",
    "qr_1_title": "天津经开区妇联公众号",
    "qr_2_title": "",
    "qr_3_title": "",
    "lead_article": "",
}


def png(width, height, color=(200, 16, 46)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return SimpleUploadedFile("二维码.png", buffer.getvalue(), "image/png")


def login(client, user):
    client.force_login(user)


def footer(client) -> str:
    client.logout()
    html = client.get("/about/").content.decode()
    return html[html.index('<footer class="site-footer">') :]


def test_a_district_admin_sets_the_footer_and_every_cached_page_shows_it_at_once(client, world):
    assert "ICP" not in footer(client)  # cached now, without settings
    login(client, world.admin)
    response = client.post(
        ADD_URL, {**FORM, "qr_1": png(1200, 1200), "emblem": png(800, 600)}, follow=True
    )
    assert response.status_code == 200
    assert PortalSettings.objects.count() == 1
    html = footer(client)
    assert (
        '<a href="https://beian.miit.gov.cn/" rel="noopener noreferrer" target="_blank">'
        "津ICP备2024012345号-1</a>"
    ) in html
    assert (
        '<a href="https://beian.mps.gov.cn/#/query/webSearch?code=12011602000123" '
        'rel="noopener noreferrer" target="_blank">津公网安备12011602000123号</a>'
    ) in html
    assert "地址：天津经济技术开发区第三大街 19 号" in html
    assert '<a href="tel:022-66200000">022-6620 0000</a>' in html
    assert '<a href="mailto:fulian@teda.example.cn">fulian@teda.example.cn</a>' in html
    assert 'alt="天津经开区妇联公众号的二维码"' in html
    assert "<figcaption>天津经开区妇联公众号</figcaption>" in html
    # Uploads are scaled for the page: the QR code to 360 px, the emblem to 192 px.
    row = PortalSettings.objects.get()
    assert (row.qr_1.width, row.qr_1.height) == (360, 360)
    assert (row.emblem.width, row.emblem.height) == (192, 144)
    assert not row.qr_1.name.endswith("二维码.png")  # a random name, as every upload


def test_a_change_replaces_the_cached_footer(client, world):
    PortalSettings.objects.create(**{k: v for k, v in FORM.items() if k != "lead_article"})
    assert "022-6620 0000" in footer(client)
    login(client, world.admin)
    response = client.post(CHANGE_URL, {**FORM, "contact_phone": "022-6620 1111"})
    assert response.status_code == 302
    html = footer(client)
    assert "022-6620 1111" in html and "022-6620 0000" not in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "icp_number",
            "ICP 2024",
            "ICP 备案号格式应如“津ICP备2024012345号-1”（与工信部备案系统中的一致）。",
        ),
        (
            "police_number",
            "津公网安备1201号",
            "公安备案号格式应如“津公网安备12011602000123号”（14 位数字）。",
        ),
        (
            "contact_phone",
            "请拨打前台",
            "请填写办公电话，如 022-6620 0000（只含数字、空格、-、括号）。",
        ),
        ("qr_1_title", "", "请填写二维码的名称，如“天津经开区妇联公众号”。"),
    ],
)
def test_bad_input_is_a_clear_chinese_error_and_nothing_is_saved(
    client, world, field, value, message
):
    login(client, world.admin)
    response = client.post(ADD_URL, {**FORM, field: value, "qr_1": png(400, 400)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PortalSettings.objects.count() == 0


def test_an_upload_that_is_no_image_is_refused(client, world):
    login(client, world.admin)
    fake = SimpleUploadedFile("qr.png", b"<html>not an image</html>", "image/png")
    response = client.post(ADD_URL, {**FORM, "qr_1": fake})
    assert response.status_code == 200
    assert PortalSettings.objects.count() == 0


@pytest.mark.parametrize("role", ["viewer", "staff_a", "editor"])
def test_only_district_admins_may_change_the_settings(client, world, role):
    PortalSettings.objects.create(icp_number="津ICP备2024012345号-1")
    login(client, getattr(world, role))
    response = client.post(CHANGE_URL, {**FORM, "icp_number": "津ICP备2099999999号"})
    assert response.status_code == 403
    assert PortalSettings.objects.get().icp_number == "津ICP备2024012345号-1"


def test_the_settings_stay_one_row():
    PortalSettings.objects.create(icp_number="津ICP备2024012345号-1")
    PortalSettings(icp_number="津ICP备2099999999号").save()  # saved as the same row
    assert list(PortalSettings.objects.values_list("pk", "icp_number")) == [
        (1, "津ICP备2099999999号")
    ]


def test_the_names_set_by_the_admins_replace_the_defaults_everywhere(client):
    PortalSettings.objects.create(name="泰好妇联", owner="天津经开区妇女联合会")
    html = client.get("/").content.decode()
    assert "<title>首页 · 天津经开区妇女联合会</title>" in html
    assert "© 天津经开区妇女联合会 · 泰好妇联" in html


# --- The lead story and the brand cards ----------------------------------------------------


def lead_section(html: str) -> str:
    start = html.index('<section class="lead-story"')
    return html[start : html.index("</section>", start)]


def test_the_home_leads_with_the_newest_story_with_a_photo(client):
    hour = datetime.timedelta(hours=1)
    with_photo = f.ArticleFactory(title="巾帼微党课走进园区", publish_at=timezone.now() - 3 * hour)
    f.CoverPhotoFactory(article=with_photo)
    f.ArticleFactory(title="没有照片的通知", publish_at=timezone.now() - hour)
    lead = lead_section(client.get("/").content.decode())
    assert '<p class="kicker">头条</p>' in lead
    assert "巾帼微党课走进园区" in lead
    assert '<source type="image/webp" srcset="' in lead and " 960w" in lead
    assert 'fetchpriority="high"' in lead  # above the fold: never lazy


def test_the_admins_lead_story_comes_first_until_it_is_unpublished(client):
    chosen = f.ArticleFactory(
        title="三八节表彰大会", publish_at=timezone.now() - datetime.timedelta(days=30)
    )
    newest = f.ArticleFactory(title="最新的活动")
    f.CoverPhotoFactory(article=newest)
    PortalSettings.objects.create(lead_article=chosen)
    assert "三八节表彰大会" in lead_section(client.get("/").content.decode())
    chosen.status = Article.Status.UNPUBLISHED
    chosen.save()
    lead = lead_section(client.get("/").content.decode())
    assert "最新的活动" in lead and "三八节表彰大会" not in lead


def test_brand_cards_show_their_photo_and_figures_as_of_today(client):
    childcare = f.BrandFactory(name="泰达儿童之家", slug="children-home", position=1)
    love = f.BrandFactory(
        name="为爱而来",
        slug="for-love",
        focus=Brand.Focus.MATCHMAKING,
        is_matchmaking=True,
        session_unit=Brand.Unit.EVENT,
        position=2,
    )
    f.BrandFactory(name="有你泰好", slug="master")  # no sessions: the portal itself, no card
    for number in range(1, 22):
        f.BrandSessionFactory(brand=childcare, number=number, classes_incubated=2, couples=0)
    for number, couples in enumerate([300, 200, 112], start=1):
        f.BrandSessionFactory(brand=love, number=number, couples=couples, classes_incubated=0)
    article = f.ArticleFactory(brand=childcare, title="暑期托管班开班")
    f.CoverPhotoFactory(article=article)
    f.PhotoFactory(article=f.ArticleFactory(brand=love, title="交友会现场"))
    html = client.get("/").content.decode()
    cards = html[html.index('<ul class="grid brand-cards">') :]
    cards = cards[: cards.index("</ul>")]
    today = timezone.localdate()
    assert f"截至 {today.year}年{today.month}月{today.day}日，由各品牌的期次记录统计。" in html
    assert cards.index("泰达儿童之家") < cards.index("为爱而来")
    assert "有你泰好" not in cards
    child_card, love_card = cards.split('<li class="card brand-card">')[1:]
    assert (
        "<span><strong>21</strong> 期</span><span><strong>42</strong> 个托管班</span>" in child_card
    )
    assert "<span><strong>3</strong> 场</span><span><strong>612</strong> 对牵手</span>" in love_card
    assert "<picture>" in child_card
    assert "<picture>" not in love_card  # a matchmaking brand's photos would show participants
