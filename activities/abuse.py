"""Abuse limits of the public sign-up: per address and per mobile, and when to ask a CAPTCHA.

Counters live in the cache (django-ratelimit's fixed windows, atomic ``incr``): shared by every app
server with Redis, per process without it. The client address is read as everywhere else
(``federation.core.client_ip``: the forwarded address only from a trusted proxy), so nobody
escapes a limit by sending the header themselves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django_ratelimit.core import get_usage

from federation.core.client_ip import client_ip as trusted_client_ip


def client_ip(request) -> str:
    # The one rule of the portal (federation.core.client_ip): X-Forwarded-For from a trusted proxy.
    return trusted_client_ip(request) or "0.0.0.0"  # noqa: S104 - a key, not a bind address


def _ip_key(_group, request) -> str:
    return client_ip(request)


@dataclass(frozen=True)
class Usage:
    count: int
    limited: bool
    seconds_left: int

    @property
    def minutes_left(self) -> int:
        return max(1, (self.seconds_left + 59) // 60)


def _usage(request, group: str, key, rate: str, *, increment: bool) -> Usage:
    usage = get_usage(request, group=group, key=key, rate=rate, increment=increment)
    if usage is None:  # RATELIMIT_ENABLE off
        return Usage(0, False, 0)
    return Usage(usage["count"], usage["should_limit"], int(usage["time_left"]))


def signup_address(request, *, increment: bool) -> Usage:
    """Sign-up submissions from this address in the current window."""
    return _usage(
        request, "signup:address", _ip_key, settings.SIGNUP_RATE_PER_ADDRESS, increment=increment
    )


def signup_mobile(request, mobile: str) -> Usage:
    """Sign-up submissions with this mobile (any activity) in the current window; counts this one."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{mobile}".encode()).hexdigest()
    return _usage(
        request,
        "signup:mobile",
        lambda _g, _r: digest,
        settings.SIGNUP_RATE_PER_MOBILE,
        increment=True,
    )


def captcha_needed(request) -> bool:
    """After SIGNUP_CAPTCHA_AFTER submissions from one address, every further one needs a CAPTCHA."""
    return signup_address(request, increment=False).count >= settings.SIGNUP_CAPTCHA_AFTER


def code_attempt(request) -> Usage:
    """One try of a code (cancel, self check-in): guessing codes is limited per address."""
    return _usage(
        request, "code:address", _ip_key, settings.CODE_ATTEMPTS_PER_ADDRESS, increment=True
    )
