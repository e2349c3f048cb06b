"""Cache and sessions on the real Redis server of this machine; Redis going away."""

import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client

# The Redis of the run (REDIS_URL), else this machine's db 5; REDIS_TEST_URL overrides both.
REDIS_TEST_URL = (
    os.environ.get("REDIS_TEST_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
)
DEAD_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


def redis_reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=0.5):
            return True
    except OSError:
        return False


def redis_cache(url: str, prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }


@pytest.fixture
def prefix():
    return f"test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def live_redis(settings, prefix):
    if not redis_reachable(REDIS_TEST_URL):
        pytest.skip(f"no Redis server at {REDIS_TEST_URL}")
    import redis

    settings.CACHES = redis_cache(REDIS_TEST_URL, prefix)
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    raw = redis.Redis.from_url(REDIS_TEST_URL)
    yield raw
    keys = list(raw.scan_iter(f"{prefix}:*"))
    if keys:
        raw.delete(*keys)


@pytest.fixture
def dead_redis(settings, prefix):
    settings.CACHES = redis_cache(DEAD_REDIS_URL, prefix)
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def login(client: Client, username: str) -> None:
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    response = client.post(
        "/accounts/login/",
        {
            "username": username,
            "password": "pw-安全-123",
            "csrfmiddlewaretoken": page.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]


def test_cache_round_trip_on_the_real_redis(live_redis, prefix, db):
    from django.core.cache import cache

    cache.set("greeting", "有你泰好", 30)
    assert cache.get("greeting") == "有你泰好"
    assert live_redis.exists(f"{prefix}:1:greeting")
    assert cache.add("counter", 1) is True
    assert cache.incr("counter") == 2
    assert Client().get("/healthz").json()["checks"]["cache"]["ok"] is True


def test_sessions_live_in_redis_and_in_the_database(live_redis, prefix, make_user):
    from django.contrib.sessions.models import Session

    make_user(username="editor")
    client = Client()
    login(client, "editor")
    session_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert live_redis.exists(f"{prefix}:1:django.contrib.sessions.cached_db{session_key}")
    assert Session.objects.filter(session_key=session_key).exists()
    assert client.get("/admin/").status_code == 200


def test_site_serves_pages_and_logins_while_redis_is_down(dead_redis, make_user, district):
    from tests.factories import ArticleFactory

    article = ArticleFactory(federation__parent=district, title="网约车司机妇联成立")
    client = Client()
    for url in ["/", "/news/", f"/news/{article.pk}/", "/sites/"]:
        assert client.get(url).status_code == 200, url
    make_user(username="staff")
    login(client, "staff")
    assert client.get("/admin/").status_code == 200
    # The load balancer learns that the cache is gone; visitors do not.
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["checks"]["cache"]["ok"] is False


def test_logged_in_users_stay_logged_in_when_redis_goes_away(
    settings, live_redis, prefix, make_user
):
    make_user(username="editor")
    client = Client()
    login(client, "editor")
    assert client.get("/admin/").status_code == 200
    # Redis disappears: the session is read back from the database.
    settings.CACHES = redis_cache(DEAD_REDIS_URL, prefix)
    assert client.get("/admin/").status_code == 200
    assert client.get("/news/").status_code == 200
    # …and comes back.
    settings.CACHES = redis_cache(REDIS_TEST_URL, prefix)
    assert client.get("/admin/").status_code == 200
