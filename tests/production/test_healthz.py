"""/healthz for the load balancer."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_any_host_over_plain_http(client, settings):
    settings.ALLOWED_HOSTS = ["portal.example.cn"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.0.0.12:8000")
    assert response.status_code == 200


def test_healthz_is_503_when_the_cache_does_not_answer(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2},
        }
    }
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
