"""The primary/replica router."""

import uuid

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from federation.ops.db_router import PrimaryReplicaRouter, replica_reads
from federation.web.middleware import ReplicaRoutingMiddleware
from organizations.models import Enterprise


@pytest.fixture
def replica_database(tmp_path, django_db_blocker):
    """A reachable database for the replica connections (its content does not matter here:
    routing only picks aliases and checks that they answer)."""
    from django.db import connection

    config = dict(connection.settings_dict)
    if connection.vendor != "postgresql":
        config["NAME"] = str(tmp_path / "replica.sqlite3")
        yield config
        return
    import psycopg

    params = connection.get_connection_params()
    admin = {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}
    name = f"teda_prod_replica_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as pg:
        pg.execute(f'CREATE DATABASE "{name}"')
    config["NAME"] = name
    yield config
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _replicas(monkeypatch, tmp_path, good: dict, *, second_dead: bool):
    """replica_1 (and replica_2 unless dead) answer; a dead one points nowhere."""
    from django.db import connection, connections

    import federation.ops.db_router as db_router

    dead = dict(good)
    if connection.vendor == "postgresql":
        dead["PORT"] = "1"
    else:
        dead["NAME"] = str(tmp_path / "missing-dir" / "replica.sqlite3")
    monkeypatch.setitem(connections.settings, "replica_1", dict(good))
    monkeypatch.setitem(connections.settings, "replica_2", dead if second_dead else dict(good))
    monkeypatch.setattr(db_router, "replica_aliases", lambda: ["replica_1", "replica_2"])
    monkeypatch.setattr(db_router, "_replica_down_until", {})
    return db_router


@pytest.fixture
def router(monkeypatch, tmp_path, django_db_blocker, replica_database):
    # Outside pytest-django's test cases: these connections are not test databases.
    with django_db_blocker.unblock():
        _replicas(monkeypatch, tmp_path, replica_database, second_dead=False)
        yield PrimaryReplicaRouter()
        _close_replicas()


@pytest.fixture
def one_dead_replica(monkeypatch, tmp_path, django_db_blocker, replica_database):
    with django_db_blocker.unblock():
        yield _replicas(monkeypatch, tmp_path, replica_database, second_dead=True)
        _close_replicas()


def _close_replicas():
    from django.db import connections

    for alias in ("replica_1", "replica_2"):
        if hasattr(connections._connections, alias):
            connections[alias].close()
            delattr(connections._connections, alias)


def test_reads_go_to_the_primary_outside_an_anonymous_request(router):
    # Management commands, the task worker, tests: always the primary.
    assert router.db_for_read(Enterprise) == "default"


def test_reads_inside_a_transaction_go_to_the_primary(transactional_db, monkeypatch):
    # transactional_db: no test-wide transaction, so "inside atomic" is only the block below.
    monkeypatch.setattr("federation.ops.db_router.replica_aliases", lambda: ["replica_1"])
    router = PrimaryReplicaRouter()
    with replica_reads(), transaction.atomic():
        assert router.db_for_read(Enterprise) == "default"


def test_anonymous_reads_go_to_a_replica_until_the_request_writes(router):
    with replica_reads():
        assert router.db_for_read(Enterprise) in {"replica_1", "replica_2"}
        assert router.db_for_read(Enterprise) in {"replica_1", "replica_2"}
        assert router.db_for_write(Enterprise) == "default"
        # After a write, the rest of the request reads its own writes.
        assert router.db_for_read(Enterprise) == "default"
    assert router.db_for_read(Enterprise) == "default"


def test_middleware_allows_replicas_only_for_anonymous_safe_requests(router, settings):
    def view(request):
        return HttpResponse(router.db_for_read(Enterprise))

    middleware = ReplicaRoutingMiddleware(view)
    factory = RequestFactory()
    logged_in = factory.get("/news/")
    logged_in.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"
    chosen = {
        "anonymous GET": middleware(factory.get("/news/")),
        "anonymous HEAD": middleware(factory.head("/sites/")),
        "POST": middleware(factory.post("/search/")),
        "session cookie": middleware(logged_in),
        "admin": middleware(factory.get("/admin/")),
        "staff": middleware(factory.get("/staff/")),
    }
    chosen = {k: r.content.decode() for k, r in chosen.items()}
    assert chosen["anonymous GET"] in {"replica_1", "replica_2"}
    assert chosen["anonymous HEAD"] in {"replica_1", "replica_2"}
    for case in ["POST", "session cookie", "admin", "staff"]:
        assert chosen[case] == "default", case


def test_replicas_never_migrate():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "organizations") is True
    assert router.allow_migrate("replica_1", "organizations") is False


def test_an_unreachable_replica_is_skipped_and_retried_later(one_dead_replica):
    router = PrimaryReplicaRouter()
    with replica_reads():
        chosen = {router.db_for_read(Enterprise) for _ in range(30)}
    assert chosen == {"replica_1"}
    assert "replica_2" in one_dead_replica._replica_down_until
    # After the pause it is tried again (and skipped again while still down).
    one_dead_replica._replica_down_until["replica_2"] = 0
    with replica_reads():
        assert {router.db_for_read(Enterprise) for _ in range(10)} == {"replica_1"}
