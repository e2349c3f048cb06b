"""Site-wide production middleware: health check, no-store for personal pages, admin CSP,
replica routing."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

from federation.ops.db_router import replica_reads
from federation.web import health

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# django-import-export's export form has one inline handler; allowed by its hash, admin only.
IMPORT_EXPORT_TOGGLE_HASH = "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"


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
