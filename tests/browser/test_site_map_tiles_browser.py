"""The site map with 天地图 tiles (issue 12, item 1): vendored Leaflet only when TIANDITU_KEY is
set, and no outside request at all without it. The tile hosts cannot be reached from here: a
route answers them with a small PNG tile, as 天地图's WMTS does, and records what was asked."""

from __future__ import annotations

import io
import urllib.parse

import pytest
from PIL import Image

from tests.browser.conftest import PHONE
from tests.factories import ServiceSiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "0123456789abcdef0123456789abcdef"


def tile_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (230, 240, 230)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def sites():
    return [
        ServiceSiteFactory(
            name="泰达妇女之家", area="新城", latitude="39.041000", longitude="117.711000"
        ),
        ServiceSiteFactory(
            name="海港路儿童之家", area="汉沽", latitude="39.060000", longitude="117.740000"
        ),
        ServiceSiteFactory(name="线上心悦驿站", area="线上", latitude=None, longitude=None),
    ]


def open_page(browser, url):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    seen = {"requests": [], "tiles": [], "csp": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on(
        "console",
        lambda m: seen["csp"].append(m.text) if "Content Security Policy" in m.text else None,
    )
    png = tile_png()

    def answer_tile(route):
        seen["tiles"].append(route.request.url)
        route.fulfill(body=png, content_type="image/png")

    page.route("https://*.tianditu.gov.cn/**", answer_tile)
    page.goto(url)
    return context, page, seen


def test_without_a_key_the_svg_map_stays_and_nothing_leaves_the_portal(
    live_server, browser, sites, settings
):
    settings.TIANDITU_KEY = ""
    for path in ("/sites/", sites[0].get_absolute_url()):
        context, page, seen = open_page(browser, live_server.url + path)
        page.wait_for_load_state("load")
        assert page.locator(".leaflet-container").count() == 0
        assert all(url.startswith(live_server.url) for url in seen["requests"]), seen["requests"]
        assert not any("leaflet" in url for url in seen["requests"])
        context.close()
    context, page, seen = open_page(browser, live_server.url + "/sites/")
    assert page.locator("svg.site-map .map-dot").count() == 2
    assert page.locator("svg.site-map").is_visible()
    context.close()


def test_with_a_key_the_sites_are_on_tianditu_tiles_under_the_list(
    live_server, browser, sites, settings
):
    settings.TIANDITU_KEY = KEY
    context, page, seen = open_page(browser, live_server.url + "/sites/")
    page.wait_for_selector("#tile-map.is-live .leaflet-tile-loaded")
    # The list stays first and complete; the map comes after it.
    assert page.locator("#site-results .item").count() == 3
    order = page.evaluate(
        """() => document.querySelector('#site-results').compareDocumentPosition(
        document.querySelector('#tile-map')) & Node.DOCUMENT_POSITION_FOLLOWING"""
    )
    assert order
    assert page.locator("#tile-map path.leaflet-interactive").count() == 2  # located sites
    assert not page.locator("svg.site-map").is_visible()  # replaced by the live map
    box = page.locator("#tile-map").bounding_box()
    assert box["width"] <= 375 and box["height"] == 320
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    hosts = {urllib.parse.urlsplit(url).hostname for url in seen["tiles"]}
    assert hosts <= {f"t{n}.tianditu.gov.cn" for n in range(8)}
    layers = set()
    for url in seen["tiles"]:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        assert query["tk"] == KEY
        assert (query["SERVICE"], query["REQUEST"], query["TILEMATRIXSET"]) == (
            "WMTS",
            "GetTile",
            "w",
        )
        layers.add(query["LAYER"])
    assert layers == {"vec", "cva"}
    # Everything else (Leaflet itself included) comes from the portal: no CDN.
    others = [u for u in seen["requests"] if "tianditu.gov.cn" not in u]
    assert all(url.startswith(live_server.url) for url in others), others
    assert any(url.endswith("/static/vendor/leaflet/leaflet.js") for url in others)
    assert seen["csp"] == []
    # A marker's popup links to the site page.
    page.locator("#tile-map path.leaflet-interactive").first.dispatch_event("click")
    link = page.locator(".leaflet-popup-content a")
    assert link.inner_text() in {"泰达妇女之家", "海港路儿童之家"}
    context.close()


def test_with_a_key_a_site_page_shows_its_place(live_server, browser, sites, settings):
    settings.TIANDITU_KEY = KEY
    context, page, seen = open_page(browser, live_server.url + sites[1].get_absolute_url())
    page.wait_for_selector("#tile-map.is-live .leaflet-tile-loaded")
    assert page.locator("#tile-map path.leaflet-interactive").count() == 1
    assert seen["csp"] == []
    context.close()
