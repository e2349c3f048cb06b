"""The portal's one Redis client configuration: short timeouts and a circuit breaker.

A Redis that hangs (rather than refusing connections) would stall every request that touches the
cache. So every client the portal makes (page cache, sessions, locks, rate limits: all go
through the ``default`` cache) connects and reads with a timeout of ``REDIS_SOCKET_TIMEOUT``
seconds (0.5 at most), never retries, and after one failure this process stops asking Redis for
``REDIS_RETRY_AFTER`` seconds: each cache call then fails at once, which django-redis turns into
a miss (``IGNORE_EXCEPTIONS``). Pages are rendered without the cache meanwhile, and the health
check reports the cache as down.
"""

from __future__ import annotations

import threading
import time

import redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

MAX_SOCKET_TIMEOUT = 0.5


class _Breaker:
    """Per process: Redis is skipped until ``open_until`` (monotonic seconds)."""

    def __init__(self):
        self.open_until = 0.0
        self.retry_after = 5.0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self) -> None:
        with self._lock:
            self.open_until = time.monotonic() + self.retry_after

    def reset(self) -> None:
        with self._lock:
            self.open_until = 0.0


breaker = _Breaker()


class RedisUnavailable(RedisConnectionError):
    """Raised without touching the network while the breaker is open."""


class BreakerRedis(redis.Redis):
    """``redis.Redis`` that fails fast while the breaker is open and trips it on a failure."""

    def execute_command(self, *args, **options):
        if breaker.is_open():
            raise RedisUnavailable("Redis skipped after a recent failure")
        try:
            return super().execute_command(*args, **options)
        except (RedisConnectionError, RedisTimeoutError):
            breaker.trip()
            raise

    def pipeline(self, transaction=True, shard_hint=None):
        if breaker.is_open():
            raise RedisUnavailable("Redis skipped after a recent failure")
        return super().pipeline(transaction=transaction, shard_hint=shard_hint)


def redis_cache_settings(
    url: str, *, timeout: float = MAX_SOCKET_TIMEOUT, retry_after: float = 5.0, key_prefix: str = ""
) -> dict:
    """The ``CACHES["default"]`` entry for Redis at ``url``."""
    timeout = min(float(timeout), MAX_SOCKET_TIMEOUT)
    breaker.retry_after = float(retry_after)
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "TIMEOUT": 300,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {
            # A Redis outage degrades to cache misses instead of errors.
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": timeout,
            "SOCKET_TIMEOUT": timeout,
            "REDIS_CLIENT_CLASS": "federation.ops.redis.BreakerRedis",
            # redis-py retries timed-out commands by default: one try only (the breaker decides
            # when to ask again).
            "CONNECTION_POOL_KWARGS": {"retry": Retry(NoBackoff(), 0)},
        },
    }
