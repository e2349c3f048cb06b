"""Request rate limits (django-ratelimit), counted per client address in the shared cache.

``retry_after(request, group=..., rate=...)`` counts one request and returns how many seconds the
client must wait when it is over the limit (``None`` otherwise); :func:`too_many_requests` is the
Chinese 429 page saying when to retry (for a new public form: call both in its POST handler).
Rates are django-ratelimit strings (``"30/m"``,
``"20/15m"``) read from settings, so operators can change them from the environment.

When the cache does not answer (Redis down or hung) the limits fail open
(``RATELIMIT_FAIL_OPEN``): the portal keeps answering without limits rather than refusing
everybody. ``/healthz`` is answered before any of this (``HealthCheckMiddleware``).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable

from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from federation.core.client_ip import client_ip

DEFAULT_MESSAGE = _("访问过于频繁。")


def address_key(_group, request) -> str:
    return client_ip(request) or "unknown"


def retry_after(
    request,
    *,
    group: str,
    rate: str | None,
    key: Callable | str = address_key,
    increment: bool = True,
) -> int | None:
    """Count this request in ``group``; seconds to wait if over ``rate``, else ``None``."""
    if not rate:
        return None
    usage = get_usage(request, group=group, key=key, rate=rate, increment=increment)
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


def retry_time(seconds: int) -> dict:
    """What a person needs to know: the local time to retry at and the minutes until then."""
    at = timezone.localtime() + datetime.timedelta(seconds=seconds)
    return {"retry_at": at.strftime("%H:%M:%S"), "minutes": max(1, math.ceil(seconds / 60))}


def too_many_requests(request, seconds: int, message=DEFAULT_MESSAGE) -> TemplateResponse:
    """The 429 page: says when to retry, never stored by any cache."""
    response = TemplateResponse(
        request, "429.html", {"message": message, **retry_time(seconds)}, status=429
    )
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response.render()  # also returned by middleware, where nothing renders it later
