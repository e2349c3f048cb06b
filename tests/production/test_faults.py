"""Faults: the database going away, a full disk during an upload."""

import errno
import io
import os
import sys

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection, connections, transaction
from django.test import Client
from django.urls import reverse

from organizations.models import ImportJob
from tests.factories import ArticleFactory

ON_POSTGRES = connection.vendor == "postgresql"


def wsgi_get(path: str, query: str = "") -> tuple[int, dict, str]:
    """A request through the real WSGI handler, with the request_started/finished signals that
    open and recycle database connections (the test client disables those)."""
    handler = WSGIHandler()
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"] = int(status.split()[0])
        captured["headers"] = dict(headers)

    result = handler(environ, start_response)
    try:
        body = b"".join(result).decode()
    finally:
        result.close()  # fires request_finished
    return captured["status"], captured["headers"], body


class DatabaseDies:
    """Every query from now on fails the way a lost server does (DB-API OperationalError)."""

    def __init__(self, after: int = 0):
        self.after = after
        self.calls = 0

    def __call__(self, execute, sql, params, many, context):
        self.calls += 1
        if self.calls > self.after:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


@pytest.fixture
def article(transactional_db, district):
    return ArticleFactory(federation__parent=district, title="巾帼心向党主题活动报道")


def assert_chinese_503(status, headers, body):
    assert status == 503
    assert "服务暂时不可用" in body and "请稍候" in body
    assert headers["Retry-After"] == "30"
    assert "no-store" in headers["Cache-Control"]
    assert "Content-Security-Policy" in headers


def test_no_atomic_requests_trap():
    # ATOMIC_REQUESTS would make every page fail while the database is down.
    for alias in django_settings.DATABASES:
        assert not django_settings.DATABASES[alias].get("ATOMIC_REQUESTS")


def test_database_lost_mid_request_gives_chinese_503_then_recovers(article):
    # Both pages are now in the public page cache.
    assert wsgi_get(f"/news/{article.pk}/")[0] == 200
    assert wsgi_get("/")[0] == 200
    # A page the cache does not hold yet needs the database (a query string of its own would not
    # do: parameters a page does not use are dropped, so they get the cached copy). The statistics
    # page asks several questions: the first is answered, then the server is gone.
    mid_request = DatabaseDies(after=1)
    with connection.execute_wrapper(mid_request):
        assert_chinese_503(*wsgi_get("/stats/"))
    assert mid_request.calls == 2
    assert wsgi_get("/", query="outage=1")[0] == 200  # an unused parameter: the cached page
    fault = DatabaseDies()
    with connection.execute_wrapper(fault):
        assert_chinese_503(*wsgi_get("/news/"))
        # Pages already cached keep being served to visitors during the outage.
        calls = fault.calls
        status, headers, body = wsgi_get(f"/news/{article.pk}/")
        assert status == 200 and "巾帼心向党主题活动报道" in body
        assert headers["X-Page-Cache"] == "hit" and fault.calls == calls
        # Pages that need no database keep working meanwhile.
        status, _headers, body = wsgi_get("/.well-known/security.txt")
        assert status == 200 and "Contact:" in body
        status, _headers, body = wsgi_get("/healthz")
        assert status == 503 and '"database": {"ok": false' in body
    # The database is back: the page that failed works again without any restart.
    status, _headers, body = wsgi_get("/news/")
    assert status == 200 and "巾帼心向党主题活动报道" in body
    assert wsgi_get("/healthz")[0] == 200


@pytest.mark.skipif(not ON_POSTGRES, reason="a real server outage needs PostgreSQL")
def test_postgres_connection_killed_and_server_unreachable_then_back(article):
    assert wsgi_get("/news/")[0] == 200
    conn = connections["default"]
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = conn.get_connection_params()
    admin_dsn = {k: v for k, v in params.items() if k in {"host", "port", "user", "password"}}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin_dsn) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The persistent connection was killed under us: the health check at the start of the next
    # request notices and reconnects, so no visitor sees an error.
    status, _headers, body = wsgi_get(f"/news/{article.pk}/")
    assert status == 200 and "巾帼心向党主题活动报道" in body

    # The server becomes unreachable (nothing listens on the port).
    original_port = conn.settings_dict["PORT"]
    conn.close()
    conn.settings_dict["PORT"] = "1"
    try:
        # Not in the page cache yet: needs the database. The cached article is still served.
        assert_chinese_503(*wsgi_get("/stats/"))
        assert wsgi_get(f"/news/{article.pk}/")[0] == 200
        assert wsgi_get("/healthz")[0] == 503
    finally:
        conn.close()
        conn.settings_dict["PORT"] = original_port
    assert wsgi_get("/stats/")[0] == 200
    assert wsgi_get("/healthz")[0] == 200


# --- A full disk during an upload ---------------------------------------------------------


def noisy_png(size: int = 256) -> bytes:
    from PIL import Image

    image = Image.frombytes("RGB", (size, size), os.urandom(size * size * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class DiskFillsUp:
    """Wrap the file the storage writes into: half of the data lands on disk, then ENOSPC —
    what a write does when the disk fills up under it."""

    def __init__(self):
        self.partial_paths: list[tuple[str, int]] = []

    def install(self, monkeypatch):
        real_fdopen = os.fdopen
        spy = self

        class FullDiskFile:
            def __init__(self, fd, mode):
                self._file = real_fdopen(fd, mode)

            def write(self, data):
                self._file.write(data[: len(data) // 2])
                self._file.flush()
                path = os.readlink(f"/proc/self/fd/{self._file.fileno()}")
                spy.partial_paths.append((path, os.path.getsize(path)))
                raise OSError(errno.ENOSPC, "No space left on device")

            def close(self):
                self._file.close()

        monkeypatch.setattr(os, "fdopen", FullDiskFile)


def media_files(root) -> list[str]:
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


@pytest.fixture
def media_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "federation.ops.storage.MediaStorage"},
    }


def test_full_disk_during_upload_leaves_neither_row_nor_partial_file(
    db, district, settings, media_storage, monkeypatch
):
    from activities.models import Photo
    from federation.ops.storage import files_removed_on_rollback

    article = ArticleFactory(federation__parent=district)
    content = noisy_png()
    disk = DiskFillsUp()
    disk.install(monkeypatch)
    with pytest.raises(OSError) as failure, files_removed_on_rollback(), transaction.atomic():
        Photo.objects.create(
            article=article, image=SimpleUploadedFile("现场.png", content, "image/png")
        )
    monkeypatch.undo()
    assert failure.value.errno == errno.ENOSPC
    # The write really stopped half-way…
    [(partial, written)] = disk.partial_paths
    assert 0 < written < len(content)
    # …and nothing of it is left.
    assert not os.path.exists(partial)
    assert media_files(settings.MEDIA_ROOT) == []
    assert Photo.objects.count() == 0


def test_file_is_removed_when_the_row_cannot_be_saved(db, district, settings, media_storage):
    from activities.models import Photo
    from federation.ops.storage import files_removed_on_rollback

    article = ArticleFactory(federation__parent=district)
    with pytest.raises(RuntimeError), files_removed_on_rollback(), transaction.atomic():
        Photo.objects.create(
            article=article, image=SimpleUploadedFile("a.png", noisy_png(32), "image/png")
        )
        assert len(media_files(settings.MEDIA_ROOT)) == 1
        raise RuntimeError("a later step of the upload failed")
    assert media_files(settings.MEDIA_ROOT) == []
    assert Photo.objects.count() == 0
    # A successful upload keeps its file.
    with files_removed_on_rollback(), transaction.atomic():
        photo = Photo.objects.create(
            article=article, image=SimpleUploadedFile("b.png", noisy_png(32), "image/png")
        )
    assert media_files(settings.MEDIA_ROOT) == [photo.image.path]


def test_full_disk_during_an_import_upload_leaves_no_job_and_says_so(
    db, district, settings, media_storage, monkeypatch
):
    from tests.organizations.import_helpers import enterprise_row, make_user, xlsx_bytes

    admin = make_user("importer", superuser=True)
    client = Client()
    client.force_login(admin)
    data = xlsx_bytes([enterprise_row(1), enterprise_row(2)])
    DiskFillsUp().install(monkeypatch)
    response = client.post(
        "/admin/organizations/enterprise/import/",
        {"file": SimpleUploadedFile("名单.xlsx", data)},
    )
    monkeypatch.undo()
    assert response.status_code == 200
    assert "服务器存储空间已满：文件没有保存，也没有留下导入任务" in response.content.decode()
    assert ImportJob.objects.count() == 0  # no orphan job "排队中"
    assert media_files(settings.MEDIA_ROOT) == []


def test_full_disk_during_a_staff_photo_upload_keeps_the_form_and_nothing_half_saved(
    world, settings, media_storage, monkeypatch
):
    from activities.models import Article, Photo

    client = Client()
    client.force_login(world.staff_a)
    DiskFillsUp().install(monkeypatch)
    response = client.post(
        reverse("staff:article_create"),
        {
            "title": "巾帼志愿服务",
            "body": "<p>现场照片</p>",
            "federation": world.fed_a.pk,
            "photos": SimpleUploadedFile("现场.png", noisy_png(), "image/png"),
        },
    )
    monkeypatch.undo()
    assert response.status_code == 200
    page = response.content.decode()
    assert "照片保存失败（服务器存储空间不足或暂时不可写），本次修改没有保存" in page
    assert "巾帼志愿服务" in page  # what was typed is still in the form
    assert Article.objects.count() == 0 and Photo.objects.count() == 0
    assert media_files(settings.MEDIA_ROOT) == []


def test_a_full_disk_anywhere_else_is_a_chinese_503_not_a_500(rf):
    from federation.web.errors import server_error

    try:
        raise OSError(errno.ENOSPC, "No space left on device")
    except OSError:
        response = server_error(rf.post("/admin/activities/exemplar/add/"))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "服务器存储空间已满：刚才上传的文件没有保存" in response.content.decode()
    try:
        raise OSError(errno.EACCES, "Permission denied")
    except OSError:
        assert server_error(rf.get("/")).status_code == 500  # other faults stay 500s
