"""Site-wide production middleware: health check, no-store for personal pages, admin CSP,
replica routing, login rate limits, control characters."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponseBadRequest, JsonResponse, QueryDict
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from federation.ops.db_router import replica_reads
from federation.web import health
from federation.web.ratelimits import retry_after, too_many_requests

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# django-import-export's export form has one inline handler; allowed by its hash, admin only.
IMPORT_EXPORT_TOGGLE_HASH = "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"
LOGIN_THROTTLED_MESSAGE = _("登录尝试过于频繁，为保护账号安全已暂停登录。")


def personal_path_prefixes() -> tuple[str, ...]:
    return (f"/{settings.ADMIN_URL}", "/staff/", "/accounts/")


class HealthCheckMiddleware:
    """``/healthz``: 200 when the database and the cache answer, 503 otherwise; never cached.

    Answered before any other middleware, so it works for any Host header, over plain HTTP,
    without a session and without touching the page cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != "/healthz":
            return self.get_response(request)
        report = health.run_checks()
        response = JsonResponse(report, status=200 if report["ok"] else 503)
        add_never_cache_headers(response)
        return response


class NoStoreForPersonalPagesMiddleware:
    """``Cache-Control: no-store, private`` on the admin, staff pages and logged-in responses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._is_personal(request):
            add_never_cache_headers(response)
        return response

    @staticmethod
    def _is_personal(request) -> bool:
        if request.path_info.startswith(personal_path_prefixes()):
            return True
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return False  # no session: an anonymous visitor
        try:
            user = getattr(request, "user", None)
            return bool(user and user.is_authenticated)
        except DatabaseError:
            return True  # cannot tell: be safe


class AdminContentSecurityPolicyMiddleware:
    """The Django admin ships inline <style> blocks and import-export one inline handler."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(f"/{settings.ADMIN_URL}"):
            response._csp_update = {
                "style-src": ["'unsafe-inline'"],
                "script-src": ["'unsafe-hashes'", IMPORT_EXPORT_TOGGLE_HASH],
            }
        return response


class ReplicaRoutingMiddleware:
    """Anonymous safe requests may read from replicas (see federation.ops.db_router)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in SAFE_METHODS
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path_info.startswith(personal_path_prefixes())
        ):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)


class LoginRateLimitMiddleware:
    """Limits login attempts (both login pages) per client address and per username.

    django-axes locks a username *on one address* after a few failures; these limits catch what
    that cannot: one address trying many usernames (password spraying) and many addresses trying
    one username. Both answer 429 with the time to retry.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info in self._login_paths():
            wait = retry_after(request, group="login:address", rate=settings.LOGIN_RATE_PER_ADDRESS)
            username = (request.POST.get("username") or "").strip().casefold()
            if wait is None and username:
                wait = retry_after(
                    request,
                    group="login:username",
                    rate=settings.LOGIN_RATE_PER_USERNAME,
                    key=lambda _group, _request: username,
                )
            if wait is not None:
                return too_many_requests(request, wait, LOGIN_THROTTLED_MESSAGE)
        return self.get_response(request)

    @staticmethod
    def _login_paths() -> tuple[str, ...]:
        return (reverse("login"), reverse("admin:login"))


# NUL and the other C0 controls except tab, line feed and carriage return, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def query_has_control_characters(request) -> bool:
    return any(
        CONTROL_CHARACTERS.search(text)
        for key, values in request.GET.lists()
        for text in (key, *values)
    )


class ControlCharacterMiddleware:
    """Control characters (NUL above all: PostgreSQL refuses it in text, which was a 500).

    In a link's query string they are a 400 with a Chinese page; in a submitted form they are
    removed (nobody types them: they come from pasted text), so the form loses nothing a person
    meant to write.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if query_has_control_characters(request):
            return bad_request_page()
        if request.method == "POST" and request.content_type in FORM_TYPES:
            post = request.POST
            if any(
                CONTROL_CHARACTERS.search(text)
                for key, values in post.lists()
                for text in (key, *values)
            ):
                cleaned = QueryDict(mutable=True, encoding=post.encoding)
                for key, values in post.lists():
                    cleaned.setlist(
                        CONTROL_CHARACTERS.sub("", key),
                        [CONTROL_CHARACTERS.sub("", v) for v in values],
                    )
                cleaned._mutable = False
                request.POST = cleaned
        return self.get_response(request)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def bad_request_page():
    response = HttpResponseBadRequest(loader.get_template("400.html").render())
    add_never_cache_headers(response)
    return response
