"""A cached public page is answered before the session, locale, CSRF, auth and messages machinery,
and is still the same page: same body, same headers, the visitor's language, a gzip copy for
browsers that take it, and a fresh render when a message is waiting to be shown."""

from __future__ import annotations

import gzip

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# Headers the inner middleware adds to a rendered page (clickjacking, locale, cache variance) and
# the outer ones (security, CSP, Permissions-Policy): a hit must carry them all.
SAME_HEADERS = [
    "Content-Type",
    "Content-Language",
    "X-Frame-Options",
    "Vary",
    "Content-Security-Policy",
    "Permissions-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "Cross-Origin-Opener-Policy",
]


def test_a_hit_is_the_rendered_page_with_every_header(client):
    ArticleFactory(title="巾帼建功新闻")
    miss = client.get("/news/")
    hit = client.get("/news/")
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    assert hit.content == miss.content
    for name in SAME_HEADERS:
        assert hit.get(name) == miss.get(name), name
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["Content-Language"] == "zh-hans"
    assert "Accept-Language" in hit["Vary"] and "Cookie" in hit["Vary"]
    assert "Accept-Encoding" in hit["Vary"]
    assert hit["Content-Length"] == str(len(hit.content))
    assert "Set-Cookie" not in hit


def test_a_hit_runs_no_query_at_all(client, django_assert_num_queries):
    ArticleFactory(title="巾帼建功新闻")
    client.get("/news/")
    with django_assert_num_queries(0):
        assert client.get("/news/")["X-Page-Cache"] == "hit"


def test_browsers_that_take_gzip_get_the_stored_compressed_copy(client):
    ArticleFactory(title="巾帼建功新闻")
    plain = client.get("/news/")
    packed = client.get("/news/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["X-Page-Cache"] == "hit"
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 2
    assert packed["Content-Length"] == str(len(packed.content))
    # Without Accept-Encoding: the plain page, never a compressed one.
    again = client.get("/news/")
    assert "Content-Encoding" not in again and again.content == plain.content


def test_each_language_has_its_own_copy(client):
    ArticleFactory(title="巾帼建功新闻")
    client.get("/news/")
    english = client.get("/news/", HTTP_ACCEPT_LANGUAGE="en")
    assert english["X-Page-Cache"] == "miss"
    assert english["Content-Language"] == "en"
    again = client.get("/news/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert again["X-Page-Cache"] == "hit" and again["Content-Language"] == "en"
    chinese = client.get("/news/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert chinese["X-Page-Cache"] == "hit" and chinese["Content-Language"] == "zh-hans"


def test_tracking_parameters_are_answered_from_the_cache_too(client):
    ArticleFactory(title="巾帼建功新闻")
    first = client.get("/news/")
    shared = client.get("/news/?from=timeline&isappinstalled=0&utm_source=wechat")
    assert shared["X-Page-Cache"] == "hit" and shared.content == first.content


def message_cookie(text: str) -> str:
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(messages.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    return response.cookies["messages"].value


def test_a_waiting_message_gets_a_fresh_page_that_shows_it(client):
    ArticleFactory(title="巾帼建功新闻")
    client.get("/news/")
    assert client.get("/news/")["X-Page-Cache"] == "hit"
    client.cookies["messages"] = message_cookie("已取消报名。")
    shown = client.get("/news/")
    assert "X-Page-Cache" not in shown or shown["X-Page-Cache"] != "hit"
    assert "已取消报名。" in shown.content.decode()
    # The message is shown once; the next visit is the cached page again.
    assert client.get("/news/")["X-Page-Cache"] == "hit"
