"""The primary/replica router (no database needed: it only picks aliases)."""

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from federation.db_router import PrimaryReplicaRouter, replica_reads
from federation.middleware import ReplicaRoutingMiddleware
from organizations.models import Enterprise


@pytest.fixture
def router(monkeypatch):
    monkeypatch.setattr(
        "federation.db_router.replica_aliases", lambda: ["replica_1", "replica_2"]
    )
    return PrimaryReplicaRouter()


def test_reads_go_to_the_primary_outside_an_anonymous_request(router):
    # Management commands, the task worker, tests: always the primary.
    assert router.db_for_read(Enterprise) == "default"


def test_anonymous_reads_go_to_a_replica_until_the_request_writes(router, transactional_db):
    # transactional_db: no test-wide transaction, so "inside atomic" is only the block below.
    with replica_reads():
        assert router.db_for_read(Enterprise) in {"replica_1", "replica_2"}
        with transaction.atomic():
            assert router.db_for_read(Enterprise) == "default"
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
