"""The public page cache: anonymous GET pages served from the configured cache.

A page is stored under its path, query string and language, prefixed by a *generation* number.
Saving or deleting any public model bumps the generation, so every page is re-rendered after
content changes. A page is never kept past the next scheduled article's publish time (so a
scheduled article appears on time) nor past local midnight (the "as of" date and "this year").

Bulk writes (``QuerySet.update``, ``bulk_create``) send no signals: code doing them must call
:func:`public_cache_invalidate` itself.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

GENERATION_KEY = "public:generation"
NEXT_PUBLISH_KEY = "public:next-publish:%s"


def _setting(name: str, default):
    return getattr(settings, name, default)


def current_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = str(time.time_ns())
        # add(): two processes racing here agree on one value.
        cache.add(GENERATION_KEY, generation, timeout=None)
        generation = cache.get(GENERATION_KEY) or generation
    return str(generation)


def public_cache_invalidate(**_kwargs) -> None:
    """Forget every cached public page (a new generation makes the old keys unreachable)."""
    cache.set(GENERATION_KEY, str(time.time_ns()), timeout=None)


def _invalidate_now_and_on_commit(**_kwargs) -> None:
    # Now, for this process; again on commit, because a request that rendered the old rows in
    # between (e.g. an article still published) stored its page under the new generation.
    public_cache_invalidate()
    transaction.on_commit(public_cache_invalidate)


def _seconds_until_next_publish(generation: str) -> int | None:
    """Seconds until the next scheduled article goes public (None when none is scheduled)."""
    from activities.models import Article

    key = NEXT_PUBLISH_KEY % generation
    cached = cache.get(key)
    if cached and cached <= time.time():
        cached = None  # that article is public now: look for the one after it
    if cached is None:
        upcoming = (
            Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=timezone.now())
            .order_by("publish_at")
            .values_list("publish_at", flat=True)
            .first()
        )
        cached = upcoming.timestamp() if upcoming else 0
        cache.set(key, cached, timeout=_setting("PUBLIC_CACHE_TIMEOUT", 300))
    if not cached:
        return None
    return max(0, int(cached - time.time()))


def _seconds_until_midnight() -> int:
    now = timezone.localtime()
    tomorrow = datetime.datetime.combine(
        now.date() + datetime.timedelta(days=1), datetime.time.min, tzinfo=now.tzinfo
    )
    return max(1, int((tomorrow - now).total_seconds()))


def page_timeout(generation: str, maximum: int | None = None) -> int:
    timeout = maximum or _setting("PUBLIC_CACHE_TIMEOUT", 300)
    timeout = min(timeout, _seconds_until_midnight())
    until_publish = _seconds_until_next_publish(generation)
    if until_publish is not None:
        timeout = min(timeout, until_publish)
    return timeout


def page_key(request, generation: str) -> str:
    raw = f"{request.get_full_path()}|{get_language()}|{request.get_host()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"public:page:{generation}:{digest}"


def cacheable_request(request) -> bool:
    if not _setting("PUBLIC_CACHE_ENABLED", True):
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    # Logged-in users see their own state (and staff links): never a shared page.
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def public_page(view=None, *, timeout: int | None = None):
    """Decorate a public view: anonymous GET responses come from and go to the page cache."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if not cacheable_request(request):
                response = view_func(request, *args, **kwargs)
                patch_vary_headers(response, ["Cookie"])
                if request.method in ("GET", "HEAD") and getattr(request, "user", None):
                    patch_cache_control(response, private=True)
                return response
            generation = current_generation()
            key = page_key(request, generation)
            cached = cache.get(key)
            if cached is not None:
                cached["X-Page-Cache"] = "hit"
                return cached
            response = view_func(request, *args, **kwargs)
            patch_vary_headers(response, ["Cookie", "Accept-Language"])

            def store(rendered):
                # Only plain successes without cookies are shared between visitors.
                if rendered.status_code == 200 and not rendered.cookies:
                    cache.set(key, rendered, page_timeout(generation, timeout))
                rendered["X-Page-Cache"] = "miss"
                return rendered

            if hasattr(response, "render") and callable(response.render):
                response.add_post_render_callback(store)
                return response
            return store(response)

        return wrapper

    if view is not None:
        return decorator(view)
    return decorator


def public_models():
    from django.apps import apps

    labels = [
        "organizations.Federation",
        "organizations.Enterprise",
        "organizations.ServiceSite",
        "organizations.OpeningHours",
        "organizations.MediaAccount",
        "activities.Series",
        "activities.Activity",
        "activities.Article",
        "activities.Photo",
        "activities.Exemplar",
        "brands.Brand",
        "brands.BrandSession",
    ]
    return [apps.get_model(label) for label in labels]


def connect_signals() -> None:
    """Every save or delete of a public model refreshes the cached pages."""
    for model in public_models():
        uid = f"public-cache:{model._meta.label_lower}"
        post_save.connect(_invalidate_now_and_on_commit, sender=model, dispatch_uid=uid + ":save")
        post_delete.connect(_invalidate_now_and_on_commit, sender=model, dispatch_uid=uid + ":delete")
