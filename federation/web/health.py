"""The load balancer's health check: the database and the cache must both answer."""

from __future__ import annotations

import logging
import secrets
import time

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # any failure means "not healthy", whatever raised it
        logger.warning("health check failed: %s", exc)
        return {
            "ok": False,
            "error": exc.__class__.__name__,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_database() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # Drop the broken connection so the next request reconnects by itself.
        connection.close_if_unusable_or_obsolete()
        raise


def _check_cache() -> None:
    # django-redis ignores errors (a Redis outage must not break pages), so a round trip with a
    # fresh value is the only way to know the cache really answers.
    key = f"healthz:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise ConnectionError("cache did not return the value just stored")
    cache.delete(key)


def run_checks() -> dict:
    checks = {"database": _timed(_check_database), "cache": _timed(_check_cache)}
    return {"ok": all(check["ok"] for check in checks.values()), "checks": checks}
