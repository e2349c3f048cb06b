"""A fresh cached public page is sent before Django's request handler runs.

``federation.wsgi.application`` is :class:`CachedPageApplication` around Django's WSGI handler.
For a GET or HEAD without a session, on a path with a ``public_page`` rule, it reads the stored
page (one MGET: epoch, generation and page) and, when that page is fresh, sends its status,
headers and body as they were stored. A stored page was taken after the outermost middleware
(:class:`federation.web.cache.PageCacheStoreMiddleware`), so it already carries the security
headers, the CSP and the Permissions-Policy. No middleware, no request signals, no database.

Anything else goes to Django unchanged: a miss, a stale copy (stampede protection and its lock
are the full stack's), a session or a waiting message, a host outside ALLOWED_HOSTS (Django's
400), plain HTTP where HTTPS is required (the redirect), control characters in the query (the
400 page), or any error here. A cached page was the fifth of a trivial view's throughput lost
to the handler and fifteen middleware that a stored page does not need.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.utils import translation

from federation.web import cache as page_cache
from federation.web.middleware import query_has_control_characters

logger = logging.getLogger(__name__)
_ACCEPTS_GZIP = page_cache._ACCEPTS_GZIP


def cached_page(environ) -> tuple[str, list[tuple[str, str]], bytes] | None:
    """(status line, headers, body) of the stored page for this request, or None."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    request = WSGIRequest(environ)
    if not page_cache.may_answer_first(request):
        return None
    rule = page_cache.page_rule(request)
    if rule is None:
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None  # SecurityMiddleware redirects it
    if query_has_control_characters(request):
        return None  # ControlCharacterMiddleware answers 400
    try:
        request.get_host()
    except DisallowedHost:
        return None  # Django answers 400 and logs it
    page_cache.use_canonical_query(request, rule.query)
    with translation.override(translation.get_language_from_request(request)):
        entry = page_cache.fresh_entry(request)
    if entry is None:
        return None
    compressed = entry["gzip"]
    if compressed is not None and _ACCEPTS_GZIP.search(environ.get("HTTP_ACCEPT_ENCODING", "")):
        body, headers = compressed, [*entry["headers"], ("Content-Encoding", "gzip")]
    else:
        body, headers = entry["body"], list(entry["headers"])
    headers += [("Content-Length", str(len(body))), ("X-Page-Cache", "hit")]
    status = entry["status"]
    return f"{status} {HTTPStatus(status).phrase}", headers, body


class CachedPageApplication:
    """WSGI middleware: a fresh cached page answers first; everything else is Django's."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            hit = cached_page(environ)
        except Exception:  # never fail a request the full stack can answer
            logger.exception("page cache fast path failed; Django answers")
            hit = None
        if hit is None:
            return self.application(environ, start_response)
        status, headers, body = hit
        start_response(status, headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]
