"""A fresh cached page is sent by the WSGI application before Django's handler runs
(federation/web/fastpath.py), and is the very page Django sent: same status, headers and body.
Everything the fast path must not answer goes to Django, which answers as before."""

from __future__ import annotations

import gzip
import io
import sys

import pytest
from django.core.signals import request_started

from activities.models import Article
from federation.wsgi import application
from tests.factories import ArticleFactory

# The real handler sends request_finished, which closes a connection inside a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


class Sent:
    """What the WSGI application answered, and whether Django's handler ran for it."""

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes, django: bool):
        self.status, self.headers, self.body, self.django = status, dict(headers), body, django
        self.header_list = headers

    def __getitem__(self, name: str) -> str:
        return self.headers[name]


def wsgi(
    path: str, query: str = "", *, method: str = "GET", host: str = "testserver", **extra
) -> Sent:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        **extra,
    }
    started = []

    def on_start(**_kwargs):
        started.append(True)

    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = int(status.split()[0]), headers

    request_started.connect(on_start)
    try:
        result = application(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    finally:
        request_started.disconnect(on_start)
    return Sent(captured["status"], captured["headers"], body, bool(started))


def test_a_fresh_page_is_sent_before_django_with_every_header():
    ArticleFactory(title="巾帼建功新闻")
    miss = wsgi("/news/")
    hit = wsgi("/news/")
    assert (miss["X-Page-Cache"], miss.django) == ("miss", True)
    assert (hit["X-Page-Cache"], hit.django) == ("hit", False)
    assert hit.status == 200
    assert hit.body == miss.body
    assert "巾帼建功新闻" in hit.body.decode()
    same = {k: v for k, v in miss.headers.items() if k != "X-Page-Cache"}
    assert {k: v for k, v in hit.headers.items() if k != "X-Page-Cache"} == same
    for name in (
        "Content-Security-Policy",
        "Permissions-Policy",
        "Referrer-Policy",
        "X-Content-Type-Options",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
        "Content-Language",
    ):
        assert hit[name], name
    assert hit["Content-Length"] == str(len(hit.body))
    assert "Set-Cookie" not in hit.headers
    assert len([k for k, _v in hit.header_list if k == "Content-Length"]) == 1


def test_gzip_and_head_from_the_fast_path():
    ArticleFactory(title="巾帼建功新闻")
    plain = wsgi("/news/")
    packed = wsgi("/news/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert (packed["X-Page-Cache"], packed.django) == ("hit", False)
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.body) == plain.body
    assert packed["Content-Length"] == str(len(packed.body))
    head = wsgi("/news/", method="HEAD")
    assert (head.status, head.body, head.django) == (200, b"", False)
    assert head["Content-Length"] == str(len(plain.body))


def test_unpublishing_is_seen_at_once_by_the_fast_path():
    article = ArticleFactory(title="即将撤回的新闻")
    wsgi("/news/")
    assert wsgi("/news/")["X-Page-Cache"] == "hit"
    article.status = Article.Status.UNPUBLISHED
    article.save()
    after = wsgi("/news/")
    assert after.django is True
    assert after["X-Page-Cache"] == "miss"
    assert "即将撤回的新闻" not in after.body.decode()


def test_query_variants_share_the_canonical_copy():
    ArticleFactory(title="巾帼建功新闻")
    first = wsgi("/news/")
    tracked = wsgi("/news/", "utm_source=wechat&from=timeline")
    assert (tracked["X-Page-Cache"], tracked.django) == ("hit", False)
    assert tracked.body == first.body


def test_each_language_has_its_own_copy_in_the_fast_path():
    ArticleFactory(title="巾帼建功新闻")
    wsgi("/news/")
    english = wsgi("/news/", HTTP_ACCEPT_LANGUAGE="en")
    assert english["X-Page-Cache"] == "miss" and english["Content-Language"] == "en"
    again = wsgi("/news/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert (again["X-Page-Cache"], again.django, again["Content-Language"]) == ("hit", False, "en")
    chinese = wsgi("/news/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert (chinese.django, chinese["Content-Language"]) == (False, "zh-hans")


@pytest.mark.parametrize(
    ("cookie", "expected_cache"),
    [
        ("sessionid=abc123", "hit"),  # a session: Django looks it up (the view decorator)
        ("messages=pending", None),  # a flash message waits: rendered, never from the cache
    ],
)
def test_a_session_or_a_message_goes_to_django(cookie, expected_cache):
    ArticleFactory(title="巾帼建功新闻")
    wsgi("/news/")
    response = wsgi("/news/", HTTP_COOKIE=cookie)
    assert response.django is True
    assert response.headers.get("X-Page-Cache") == expected_cache


def test_what_django_refuses_is_still_refused():
    ArticleFactory(title="巾帼建功新闻")
    wsgi("/news/")
    assert wsgi("/news/", host="evil.example").status == 400
    nul = wsgi("/search/", "q=%00")
    assert (nul.status, nul.django) == (400, True)
    post = wsgi("/news/", method="POST")
    assert post.django is True and post.status == 403  # CSRF


@pytest.fixture
def https_settings(settings):
    """HSTS on, and plain HTTP redirected: SecurityMiddleware reads them when it is built."""
    before = settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS
    settings.SECURE_HSTS_SECONDS = 3600
    application.application.load_middleware()
    yield settings
    settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS = before
    application.application.load_middleware()


def test_plain_http_is_redirected_when_https_is_required(https_settings):
    https_settings.SECURE_SSL_REDIRECT = True
    application.application.load_middleware()
    ArticleFactory(title="巾帼建功新闻")
    secure = wsgi("/news/", HTTP_X_FORWARDED_PROTO="https")
    hit = wsgi("/news/", HTTP_X_FORWARDED_PROTO="https")
    assert (hit["X-Page-Cache"], hit.django) == ("hit", False)
    assert hit["Strict-Transport-Security"] == secure["Strict-Transport-Security"]
    plain = wsgi("/news/")
    assert plain.status == 301
    assert plain["Location"] == "https://testserver/news/"


def test_a_page_stored_over_https_is_not_sent_over_plain_http(https_settings):
    ArticleFactory(title="巾帼建功新闻")
    wsgi("/news/", HTTP_X_FORWARDED_PROTO="https")
    plain = wsgi("/news/")
    assert plain["X-Page-Cache"] == "miss"
    assert "Strict-Transport-Security" not in plain.headers


def test_a_failing_fast_path_leaves_the_answer_to_django(monkeypatch):
    ArticleFactory(title="巾帼建功新闻")
    wsgi("/news/")

    def broken(_request):
        raise RuntimeError("cache client bug")

    monkeypatch.setattr("federation.web.cache.fresh_entry", broken)
    response = wsgi("/news/")
    assert (response.status, response.django) == (200, True)
    assert "巾帼建功新闻" in response.body.decode()
