"""The nearest site from the phone's position: "使用我的位置" (issue 12, item 1)."""

from __future__ import annotations

import pytest

from organizations.models import ServiceSite
from tests.browser.conftest import PHONE
from tests.factories import ServiceSiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_use_my_location_lists_the_nearest_site_first(live_server, browser):
    ServiceSiteFactory(
        name="远处的妇女之家", area="新城", latitude="39.250000", longitude="117.800000"
    )
    ServiceSiteFactory(
        name="身边的儿童之家", area="汉沽", latitude="39.041000", longitude="117.711000"
    )
    context = browser.new_context(
        **PHONE, geolocation={"latitude": 39.04, "longitude": 117.71}, permissions=["geolocation"]
    )
    violations = []
    page = context.new_page()
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(live_server.url + "/sites/")
    assert page.locator("#site-results .item-title").first.inner_text() == "远处的妇女之家"
    page.get_by_role("button", name="使用我的位置").click()
    page.wait_for_url("**/sites/?near=39.0400%2C117.7100")
    first = page.locator("#site-results .item").first
    assert first.locator(".item-title").inner_text() == "身边的儿童之家"
    assert first.locator(".distance").inner_text() == "140 米"
    assert page.locator("#site-map .map-here").count() == 1
    assert violations == []
    context.close()


def test_a_clustered_map_on_a_phone_fits_and_breaks_no_policy(live_server, browser, tmp_path):
    # Beyond 600 located sites the server-drawn map groups nearby dots (organizations/views.py).
    owner = ServiceSiteFactory(name="阵地0", latitude="38.950000", longitude="117.600000")
    ServiceSite.objects.bulk_create(
        ServiceSiteFactory.build(
            name=f"阵地{i}",
            federation=owner.federation,
            latitude=f"{38.95 + (i % 30) * 0.01:.6f}",
            longitude=f"{117.60 + (i // 30) * 0.01:.6f}",
        )
        for i in range(1, 700)
    )
    context = browser.new_context(**PHONE)
    violations = []
    page = context.new_page()
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(live_server.url + "/sites/")
    assert page.locator("#site-map .map-cluster").count() > 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    page.locator("#site-map").screenshot(path=str(tmp_path / "clustered-map.png"))
    assert violations == []
    context.close()
