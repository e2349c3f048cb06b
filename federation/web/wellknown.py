"""Files that robots and researchers fetch: robots.txt, security.txt; the bench reference view."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /staff/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        "Disallow: /language/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=604800)
def favicon_ico(request):
    """Browsers ask for /favicon.ico whatever the page links (a 404 is a console error)."""
    # From the source folder: the same file in development and behind collectstatic.
    with open(finders.find("img/favicon.ico"), "rb") as icon:
        return HttpResponse(icon.read(), content_type="image/x-icon")


@cache_control(public=True, max_age=86400)
def security_txt(request):
    """RFC 9116: whom to tell about a vulnerability; expires six months ahead, renewed daily."""
    expires = timezone.now().replace(
        hour=0, minute=0, second=0, microsecond=0
    ) + datetime.timedelta(days=180)
    contact = settings.SECURITY_CONTACT or f"mailto:security@{request.get_host().split(':')[0]}"
    lines = [
        f"Contact: {contact}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: zh, en",
        f"Canonical: https://{request.get_host()}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
def bench_trivial(request):
    """The load benchmark's reference: the full middleware stack, a constant body, never served
    from the page cache (so it measures the stack, not the cache)."""
    return HttpResponse("ok", content_type="text/plain")
