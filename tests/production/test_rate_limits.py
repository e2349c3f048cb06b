"""Rate limits per client address: the search, with a Chinese 429 page; /healthz is exempt."""

from __future__ import annotations

import datetime

import pytest
import time_machine

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _stopped_clock():
    """The limits count in fixed windows (django-ratelimit): a request crossing a window's end
    would start a new count, so the clock stands still while a test counts."""
    with time_machine.travel(
        datetime.datetime(2026, 6, 1, 10, 0, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


ALICE = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
BOB = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}


def test_searching_too_often_is_a_chinese_429_saying_when_to_retry(client, settings):
    settings.SEARCH_RATE = "3/m"
    for word in ["托管", "巾帼", "妇联"]:
        assert client.get("/search/", {"q": word}, **ALICE).status_code == 200
    refused = client.get("/search/", {"q": "驿站"}, **ALICE)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "搜索过于频繁" in page and "分钟后）再试" in page
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "no-store" in refused["Cache-Control"]
    # Not stored by the page cache either, and another address may search.
    assert client.get("/search/", {"q": "驿站"}, **BOB).status_code == 200
    # A search Alice already made comes from the page cache.
    assert client.get("/search/", {"q": "托管"}, **ALICE)["X-Page-Cache"] == "hit"


def test_logged_in_users_are_limited_too(client, settings, world):
    settings.SEARCH_RATE = "2/m"
    client.force_login(world.staff_a)
    statuses = [client.get("/search/", {"q": "妇联"}, **ALICE).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_health_check_is_never_limited(client, settings):
    settings.PUBLIC_CACHE_MISS_RATE = "1/m"
    settings.SEARCH_RATE = "1/m"
    assert {client.get("/healthz", **ALICE).status_code for _ in range(10)} == {200}
