"""Cache-busting: the page cache keys a page on the parameters it uses, with valid values;
tracking parameters and random strings get the cached page; variants and renders are bounded."""

from __future__ import annotations

import secrets

import pytest

from activities.models import Activity
from tests.factories import ActivityFactory, ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def news():
    activity = ActivityFactory(category=Activity.Category.URGENT_NEEDS)
    ArticleFactory(title="托管班开班啦", activity=activity)
    ArticleFactory(title="巾帼心向党主题活动")


def test_wechat_and_tracking_parameters_get_the_cached_page(client, news):
    first = client.get("/news/")
    assert first["X-Page-Cache"] == "miss"
    for query in [
        "?from=timeline&isappinstalled=0",
        "?from=singlemessage",
        "?utm_source=wechat&utm_medium=social&utm_campaign=38",
        f"?utm={secrets.token_hex(8)}",
        f"?{secrets.token_hex(4)}={secrets.token_hex(8)}",
    ]:
        response = client.get("/news/" + query)
        assert response["X-Page-Cache"] == "hit", query
        assert response.content == first.content


def test_a_random_cache_buster_renders_nothing_new(client, news):
    client.get("/news/")
    assert {
        client.get(f"/news/?utm={secrets.token_hex(8)}")["X-Page-Cache"] for _ in range(20)
    } == {"hit"}


def test_filter_parameters_still_make_their_own_pages(client, news):
    filtered = client.get("/news/?category=needs")
    assert filtered["X-Page-Cache"] == "miss"
    page = filtered.content.decode()
    assert "托管班开班啦" in page and "巾帼心向党主题活动" not in page
    # The same filter with tracking parameters and in another order is the same page.
    again = client.get("/news/?utm_source=x&category=needs&from=timeline")
    assert again["X-Page-Cache"] == "hit" and again.content == filtered.content


def test_an_invalid_value_gets_the_canonical_page(client, news):
    plain = client.get("/news/")
    for query in [
        "?category=nonsense",
        "?year=abc",
        "?federation=-1",
        "?brand=%E2%80%AE",
        "?page=1",
    ]:
        response = client.get("/news/" + query)
        assert response["X-Page-Cache"] == "hit", query
        assert response.content == plain.content


def test_a_tracking_parameter_never_ends_up_in_the_cached_page(client, news):
    first = client.get("/news/?utm_source=evil-tracker-123&category=needs")
    assert "evil-tracker-123" not in first.content.decode()


def test_variants_of_one_path_are_bounded(client, settings, news):
    settings.PUBLIC_CACHE_MAX_VARIANTS = 3
    words = ["托管", "巾帼", "妇联", "活动", "主题"]
    assert [client.get("/search/", {"q": w})["X-Page-Cache"] for w in words] == ["miss"] * 5
    # The first three were stored; the others are rendered each time but not stored.
    assert [client.get("/search/", {"q": w})["X-Page-Cache"] for w in words] == [
        "hit",
        "hit",
        "hit",
        "miss",
        "miss",
    ]
    # The plain page is always stored.
    client.get("/news/")
    assert client.get("/news/")["X-Page-Cache"] == "hit"


def test_renders_are_limited_per_address_but_cached_pages_are_not(client, settings, news):
    settings.PUBLIC_CACHE_MISS_RATE = "3/m"
    alice = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for path in ["/news/", "/activities/", "/exemplars/"]:
        assert client.get(path, **alice)["X-Page-Cache"] == "miss"
    refused = client.get("/sites/", **alice)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "您打开新页面的速度过快" in page and "分钟后）再试" in page
    assert refused["Cache-Control"].startswith("max-age=0")
    assert int(refused["Retry-After"]) <= 60
    # Pages already cached still answer; another visitor is not affected.
    assert client.get("/news/", **alice)["X-Page-Cache"] == "hit"
    assert client.get("/sites/", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200
