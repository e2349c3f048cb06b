"""Production hardening: headers, CSP, cookies, no-store, security.txt, the movable admin."""

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db
BASE_DIR = Path(django_settings.BASE_DIR)


def production_env(**extra) -> dict:
    # A clean environment: nothing of the test run (DEBUG, DJANGO_ALLOW_ASYNC_UNSAFE, …) leaks in.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update(
        DEBUG="false",
        SECRET_KEY="x" * 10 + "-production-like-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="portal.example.cn",
        DJANGO_SETTINGS_MODULE="federation.settings",
    )
    env.update(extra)
    return env


def test_deploy_checks_pass_with_the_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=production_env(SECRET_KEY=""),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_are_hardened_and_switch_from_the_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT, s.X_FRAME_OPTIONS,"
        " s.SESSION_ENGINE, s.STORAGES['default']['BACKEND'], s.STORAGES['staticfiles']['BACKEND'],"
        " sorted(s.DATABASES), s.DATABASES['default']['OPTIONS'].get('pool', {}).get('max_size'),"
        " s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['replica_1']['TEST']['MIRROR'],"
        " s.TASKS['default']['BACKEND'], s.MIDDLEWARE[0], s.MIDDLEWARE[1], s.MIDDLEWARE[2], s.MIDDLEWARE[-1])"
    )
    env = production_env(
        DATABASE_URL="postgres://portal:pw@db.internal:5432/portal",
        DATABASE_REPLICA_URLS="postgres://portal:pw@replica1:5432/portal,postgres://portal:pw@replica2:5432/portal",
        DB_POOL_MAX_SIZE="8",
        REDIS_URL="redis://127.0.0.1:6379/5",
        S3_BUCKET="teda-media",
        S3_ENDPOINT_URL="https://oss-cn-beijing.aliyuncs.com",
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django;django.setup();{code}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "True",
        "DENY",
        "django.contrib.sessions.backends.cached_db",
        "storages.backends.s3.S3Storage",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "['default',",
        "'replica_1',",
        "'replica_2']",
        "8",
        "0",
        "default",
        # Background jobs: one queue in the shared database, workers on any node.
        "django_tasks_db.DatabaseBackend",
        "federation.web.middleware.HealthCheckMiddleware",
        # Stores a public page after every other middleware added its headers.
        "federation.web.cache.PageCacheStoreMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "federation.web.middleware.ReplicaRoutingMiddleware",
    ]


def test_public_page_has_a_strict_csp_and_the_security_headers(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/news/", secure=True)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "no-store" not in response.get("Cache-Control", "")


def test_public_pages_have_no_inline_scripts(client, district):
    from tests.factories import ArticleFactory

    ArticleFactory(federation__parent=district)
    for url in ["/", "/news/", "/sites/"]:
        html = client.get(url).content.decode()
        for chunk in html.split("<script")[1:]:
            assert " src=" in chunk.split(">", 1)[0], f"inline <script> on {url}"
        assert " onclick=" not in html and " onload=" not in html


def test_admin_gets_only_the_allowances_it_needs(admin_client):
    response = admin_client.get("/admin/organizations/enterprise/")
    assert response.status_code == 200
    directives = dict(
        d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";")
    )
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["script-src"].startswith("'self' 'unsafe-hashes' 'sha256-")
    assert "'unsafe-inline'" not in directives["script-src"]


def test_pages_with_personal_data_are_never_stored(client, admin_client, make_user):
    anonymous = client.get("/news/")
    assert "no-store" not in anonymous.get("Cache-Control", "")
    for url in ["/admin/", "/accounts/login/"]:
        response = (admin_client if url == "/admin/" else client).get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
    logged_in = admin_client.get("/news/")
    assert "no-store" in logged_in["Cache-Control"]


def test_session_and_csrf_cookies_are_http_only_and_secure_in_production(
    client, settings, make_user
):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    make_user(username="staff")
    login_page = client.get("/accounts/login/", secure=True)
    csrf = login_page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    response = client.post(
        "/accounts/login/",
        {"username": "staff", "password": "pw-安全-123", "csrfmiddlewaretoken": csrf.value},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]


def test_security_txt(client):
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert body.startswith("Contact: mailto:")
    assert "\nExpires: 20" in body
    assert "Canonical: https://testserver/.well-known/security.txt" in body


def test_admin_url_moves_with_a_setting(client, admin_client, settings, reload_urls):
    settings.ADMIN_URL = "manage-7f3a/"
    reload_urls()
    assert admin_client.get("/admin/").status_code == 404
    assert admin_client.get("/manage-7f3a/").status_code == 200
    # The moved admin keeps its CSP allowances and its no-store.
    response = admin_client.get("/manage-7f3a/organizations/enterprise/")
    # Its links follow it ({% url %} answers from a cache keyed by the URLconf in use).
    assert 'href="/manage-7f3a/"' in response.content.decode()
    assert 'href="/admin/' not in response.content.decode()
    assert "'unsafe-inline'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_media_are_not_served_by_django_in_production(client, settings, reload_urls, tmp_path):
    (settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    settings.DEBUG = True
    reload_urls()
    assert client.get("/media/photo.jpg").status_code == 200
    settings.DEBUG = False
    reload_urls()
    assert client.get("/media/photo.jpg").status_code == 404


def test_upload_limits_stay_on():
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert django_settings.AXES_FAILURE_LIMIT >= 1
    assert "axes.middleware.AxesMiddleware" in django_settings.MIDDLEWARE


def test_bench_trivial_view_exists_only_when_switched_on(client, settings, reload_urls):
    assert client.get("/bench/trivial/").status_code == 404
    settings.BENCH_TRIVIAL_VIEW = True
    reload_urls()
    response = client.get("/bench/trivial/")
    assert response.status_code == 200 and response.content == b"ok"
    assert "no-store" in response["Cache-Control"]  # measured through the stack, never cached
    assert "Content-Security-Policy" in response


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in {"postgres", "postgresql"},
    reason="connection pooling is a PostgreSQL feature",
)
def test_postgres_connection_pool_switches_on_from_the_environment(db):
    from django.db import connection

    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    code = (
        "import django;django.setup();from django.db import connection;"
        "from organizations.models import Federation;"
        "print(Federation.objects.count() >= 0, type(connection.pool).__name__,"
        " connection.pool.max_size)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env=production_env(DATABASE_URL=url, DB_POOL_MAX_SIZE="3"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "ConnectionPool", "3"]


def test_code_only_commands_run_from_a_bare_checkout_and_others_say_why_not():
    bare = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    run = functools.partial(
        subprocess.run, cwd=BASE_DIR, env=bare, capture_output=True, text=True, timeout=120
    )
    migrations = run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"])
    assert migrations.returncode == 0, migrations.stderr
    assert "No changes detected" in migrations.stdout
    serving = run([sys.executable, "manage.py", "migrate", "--check"])
    assert serving.returncode != 0
    assert "SECRET_KEY 未设置" in serving.stderr
    assert "Models aren't loaded yet" not in serving.stderr
