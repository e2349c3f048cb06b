"""Leaflet and 天地图 only with TIANDITU_KEY (issue 12, item 1): the pages, their CSP, the cache."""

from __future__ import annotations

import pytest

from tests.factories import ServiceSiteFactory
from tests.federation.test_wechat import WECHAT_UA

pytestmark = pytest.mark.django_db

KEY = "0123456789abcdef0123456789abcdef"
TILE_HOSTS = " ".join(f"https://t{n}.tianditu.gov.cn" for n in range(8))


@pytest.fixture
def site():
    return ServiceSiteFactory(name="泰达妇女之家", latitude="39.041000", longitude="117.711000")


def paths(site):
    return ["/sites/", "/sites/?kind=women_home", site.get_absolute_url()]


def test_without_a_key_no_page_mentions_leaflet_or_tianditu(client, site, settings):
    settings.TIANDITU_KEY = ""
    for path in [*paths(site), f"/sites/{site.pk}/poster/", "/"]:
        response = client.get(path)
        html = response.content.decode()
        assert "leaflet" not in html and "tianditu" not in html, path
        assert "tianditu" not in response["Content-Security-Policy"], path
    assert 'class="site-map"' in client.get("/sites/").content.decode()


@pytest.mark.parametrize("visit", ["render", "cached"])
def test_with_a_key_the_site_pages_load_leaflet_and_allow_only_the_tile_hosts(
    client, site, settings, visit
):
    settings.TIANDITU_KEY = KEY
    for path in paths(site):
        response = client.get(path)
        if visit == "cached":
            response = client.get(path)
            assert response["X-Page-Cache"] == "hit"
        html = response.content.decode()
        assert '<script src="/static/vendor/leaflet/leaflet.js" defer></script>' in html
        assert '<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">' in html
        assert f'data-key="{KEY}"' in html
        assert f"img-src 'self' data: {TILE_HOSTS}" in response["Content-Security-Policy"]


def test_with_a_key_other_pages_keep_the_strict_policy(client, site, settings):
    settings.TIANDITU_KEY = KEY
    for path in ["/", "/news/", f"/sites/{site.pk}/poster/", "/about/"]:
        response = client.get(path)
        assert "tianditu" not in response["Content-Security-Policy"], path
        assert "leaflet" not in response.content.decode(), path


def test_a_site_without_coordinates_has_no_map(client, settings):
    settings.TIANDITU_KEY = KEY
    online = ServiceSiteFactory(name="线上心悦驿站", latitude=None, longitude=None)
    response = client.get(online.get_absolute_url())
    assert 'id="tile-map"' not in response.content.decode()
    assert "tianditu" not in response["Content-Security-Policy"]


def test_in_wechat_the_map_and_the_share_card_allowances_add_up(client, site, settings):
    settings.TIANDITU_KEY = KEY
    settings.WECHAT_APP_ID = "wx0123456789abcdef"
    settings.WECHAT_APP_SECRET = "secret"
    policy = client.get("/sites/", HTTP_USER_AGENT=WECHAT_UA)["Content-Security-Policy"]
    assert "script-src 'self' https://res.wx.qq.com" in policy
    assert f"img-src 'self' data: {TILE_HOSTS}" in policy
