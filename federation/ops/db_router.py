"""Primary/replica routing switched on by DATABASE_REPLICA_URLS.

Replicas serve only reads that cannot observe the visitor's own writes: safe (GET/HEAD) requests
by anonymous visitors, outside any transaction, before the request has written anything.
Everything else — management commands, the task worker, staff pages, POSTs, reads inside
``transaction.atomic`` and reads after a write in the same request — uses the primary.
"""

from __future__ import annotations

import logging
import random
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)
# A replica that failed to connect is skipped for this long, then tried again.
REPLICA_RETRY_SECONDS = 30
_replica_down_until: dict[str, float] = {}

# Off by default: only ReplicaRoutingMiddleware turns replica reads on, per request.
_replica_reads_allowed: ContextVar[bool] = ContextVar("replica_reads_allowed", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


@contextmanager
def replica_reads():
    """Allow replica reads for the duration of the block (one anonymous safe request)."""
    token = _replica_reads_allowed.set(True)
    try:
        yield
    finally:
        _replica_reads_allowed.reset(token)


def pin_to_primary() -> None:
    """From now on in this request (or block) every read goes to the primary."""
    _replica_reads_allowed.set(False)


def _replica_answers(alias: str) -> bool:
    """Connect if needed; a replica that cannot be reached is skipped, the primary serves."""
    try:
        connections[alias].ensure_connection()
    except DatabaseError as exc:
        logger.warning("read replica %s unreachable (%s); reading from the primary", alias, exc)
        _replica_down_until[alias] = time.monotonic() + REPLICA_RETRY_SECONDS
        return False
    return True


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_reads_allowed.get():
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        now = time.monotonic()
        replicas = [a for a in replica_aliases() if _replica_down_until.get(a, 0) <= now]
        while replicas:
            alias = random.choice(replicas)  # noqa: S311 - load spreading, not security
            if _replica_answers(alias):
                return alias
            replicas.remove(alias)
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        # A write pins the rest of the request to the primary (read-your-writes).
        pin_to_primary()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Replicas hold the same data as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas receive the schema by replication, never by migrate.
        return db == DEFAULT_DB_ALIAS
