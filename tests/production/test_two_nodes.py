"""A tested two-node deployment: two gunicorn app servers from the same code and settings on two
ports, one PostgreSQL, one Redis, one shared media store (a folder, then an S3-compatible server:
moto's server mode, started locally), and a task worker.

Checked as a browser behind a load balancer would see it: a login on one node is valid on the
other; a page cached by one is refreshed by a save on the other; an import uploaded on one is
previewed by the worker and confirmed on the other; a photo uploaded on one is served by both.
The servers start once per media store; every wait is bounded.
"""

from __future__ import annotations

import http.cookiejar
import io
import json
import os
import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from activities.models import Article
from federation.core.roles import DISTRICT_ADMIN
from organizations.models import ImportJob, ServiceSite
from tests.conftest import TEST_PASSWORD
from tests.factories import ArticleFactory, DistrictFactory, FederationFactory, UserFactory
from tests.organizations.import_helpers import xlsx_bytes
from tests.production.processes import free_port, stop, wait_for_line
from tests.production.test_redis import REDIS_TEST_URL, redis_reachable

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two app servers need one database server they both reach: PostgreSQL "
        "(the SQLite test database lives in this process only)",
    ),
    pytest.mark.skipif(not redis_reachable(REDIS_TEST_URL), reason=f"no Redis at {REDIS_TEST_URL}"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """collectstatic once (the servers run with DEBUG off, hence the manifest storage); CI
    passes the folder its production-profile step already collected (COLLECTED_STATIC_ROOT)."""
    collected = os.environ.get("COLLECTED_STATIC_ROOT")
    if collected and (Path(collected) / "staticfiles.json").is_file():
        return Path(collected)
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 50, "STATIC_ROOT": str(root)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
    )
    return root


@pytest.fixture(scope="module", params=["disk", "s3"])
def cluster(request, django_db_setup, static_root, tmp_path_factory):
    """Two app servers (and the environment of the worker) on one database, Redis and media."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )
    media = tmp_path_factory.mktemp("media")
    processes = []
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.test",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_TEST_URL,
        "REDIS_KEY_PREFIX": f"two-nodes-{uuid.uuid4().hex[:8]}",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media),
        "IMPORT_BACKGROUND_ROWS": "0",
        "CONN_MAX_AGE": "0",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_LOGLEVEL": "info",
        "LOG_LEVEL": "WARNING",
    }
    bucket = None
    try:
        if request.param == "s3":
            s3_port = free_port()
            moto = subprocess.Popen(
                [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            processes.append(moto)
            wait_for_line(moto, "Running on")
            bucket = f"teda-{uuid.uuid4().hex[:8]}"
            endpoint = f"http://127.0.0.1:{s3_port}"
            import boto3

            s3 = boto3.client(
                "s3",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            s3.create_bucket(Bucket=bucket)
            # Photos are public (docs/deploy.md: a public-read policy on the media prefix).
            s3.put_bucket_policy(
                Bucket=bucket,
                Policy=json.dumps(
                    {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": "*",
                                "Action": "s3:GetObject",
                                "Resource": f"arn:aws:s3:::{bucket}/media/*",
                            }
                        ]
                    }
                ),
            )
            env.update(
                S3_BUCKET=bucket,
                S3_ENDPOINT_URL=endpoint,
                S3_REGION="us-east-1",
                S3_ACCESS_KEY_ID="testing",
                S3_SECRET_ACCESS_KEY="testing",
                S3_ADDRESSING_STYLE="path",
            )
        nodes = []
        for _ in range(2):
            port = free_port()
            server = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "-c",
                    "gunicorn.conf.py",
                    "--control-socket",
                    str(tmp_path_factory.mktemp("ctl") / "gunicorn.ctl"),
                ],
                cwd=ROOT,
                env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            processes.append(server)
            wait_for_line(server, "Booting worker")
            nodes.append(f"http://127.0.0.1:{port}")
        yield {"nodes": nodes, "env": env, "media": media, "store": request.param, "bucket": bucket}
    finally:
        for process in reversed(processes):
            stop(process)


def run_worker(cluster) -> None:
    """The task worker: everything queued, then it exits (bounded)."""
    env = {k: v for k, v in cluster["env"].items() if not k.startswith("GUNICORN")}
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--queue-name",
            "*",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor: one cookie jar, whichever node the balancer sends the request to."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects()
        )

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)

    def request(self, url, *, data=None, files=None):
        # One site name for both nodes, as the balancer passes it (nginx: Host $host).
        headers = {"Accept-Language": "zh-hans", "Host": "portal.test"}
        body = None
        if data is not None or files:
            data = {**(data or {}), "csrfmiddlewaretoken": self.cookie("csrftoken")}
            headers["Referer"] = url
            if files:
                boundary = uuid.uuid4().hex
                body = multipart(data, files, boundary)
                headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
            else:
                body = urllib.parse.urlencode(data, doseq=True).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(url, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def get(self, url):
        return self.request(url)

    def post(self, url, data=None, files=None):
        return self.request(url, data=data or {}, files=files)


def multipart(data: dict, files: dict, boundary: str) -> bytes:
    out = io.BytesIO()
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            )
            out.write(f"{item}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue()


@pytest.fixture
def network():
    district = DistrictFactory()
    admin = UserFactory(username="district-admin", role=DISTRICT_ADMIN, federation=district)
    # The servers run the production hashers (the test settings' MD5 is not among them).
    admin.password = PBKDF2PasswordHasher().encode(TEST_PASSWORD, PBKDF2PasswordHasher().salt())
    admin.save(update_fields=["password"])
    return district, admin


def logged_in(node: str) -> Browser:
    browser = Browser()
    browser.get(node + "/accounts/login/")
    status, headers, _body = browser.post(
        node + "/accounts/login/", {"username": "district-admin", "password": TEST_PASSWORD}
    )
    assert status == 302 and headers["Location"] == "/staff/"
    return browser


def test_a_login_on_one_node_is_valid_on_the_other(cluster, network):
    a, b = cluster["nodes"]
    browser = logged_in(a)
    status, _h, body = browser.get(b + "/staff/")
    assert status == 200 and "退出" in body.decode()
    # And a logout on the second ends the session on the first.
    assert browser.post(b + "/accounts/logout/")[0] == 302
    status, headers, _b = browser.get(a + "/staff/")
    assert status == 302 and headers["Location"].startswith("/accounts/login/")


def test_a_save_on_one_node_refreshes_the_page_cached_by_the_other(cluster, network):
    a, b = cluster["nodes"]
    article = ArticleFactory(title="两台服务器的新闻", federation=network[0])
    visitor = Browser()
    visitor.get(a + "/news/")
    status, headers, body = visitor.get(a + "/news/")
    assert headers["X-Page-Cache"] == "hit" and "两台服务器的新闻" in body.decode()
    # The same cached copy is what the other node serves.
    assert visitor.get(b + "/news/")[1]["X-Page-Cache"] == "hit"

    editor = logged_in(b)
    editor.get(b + f"/staff/articles/{article.pk}/")
    status, _h, _b = editor.post(b + f"/staff/articles/{article.pk}/unpublish/", {"note": ""})
    assert status == 302
    assert Article.objects.get(pk=article.pk).status == Article.Status.UNPUBLISHED

    status, headers, body = visitor.get(a + "/news/")
    assert headers["X-Page-Cache"] == "miss" and "两台服务器的新闻" not in body.decode()
    assert visitor.get(a + f"/news/{article.pk}/")[0] == 404


def test_an_import_uploaded_on_one_node_is_previewed_by_the_worker_and_confirmed_on_the_other(
    cluster, network
):
    a, b = cluster["nodes"]
    FederationFactory(name="泰达中小企业园妇联", parent=network[0])
    browser = logged_in(a)
    upload = xlsx_bytes(
        [["两台服务器妇女之家", "妇女之家", "泰达中小企业园妇联", "第三大街1号"]],
        ["名称", "类型", "主办妇联", "地址"],
    )
    browser.get(a + "/admin/organizations/servicesite/import/")
    status, headers, _body = browser.post(
        a + "/admin/organizations/servicesite/import/",
        {"sheet_name": ""},
        files={"file": ("阵地.xlsx", upload, "application/octet-stream")},
    )
    assert status == 302, _body.decode()[:2000]
    job_id = int(re.search(r"/import/(\d+)/", headers["Location"]).group(1))
    assert ImportJob.objects.get(pk=job_id).status == ImportJob.Status.QUEUED

    run_worker(cluster)
    assert ImportJob.objects.get(pk=job_id).status == ImportJob.Status.PREVIEWED
    status, _h, body = browser.get(b + f"/admin/organizations/servicesite/import/{job_id}/")
    assert status == 200 and "两台服务器妇女之家" in body.decode()

    status, _h, _b = browser.post(
        b + "/admin/organizations/servicesite/process_import/", {"job": str(job_id)}
    )
    assert status == 302
    run_worker(cluster)
    assert ImportJob.objects.get(pk=job_id).status == ImportJob.Status.APPLIED
    assert ServiceSite.objects.filter(name="两台服务器妇女之家").exists()
    assert "两台服务器妇女之家" in Browser().get(a + "/sites/")[2].decode()


def test_a_photo_uploaded_on_one_node_is_served_by_both(cluster, network, png_bytes):
    a, b = cluster["nodes"]
    district, _admin = network
    browser = logged_in(a)
    browser.get(a + "/staff/articles/new/")
    status, headers, body = browser.post(
        a + "/staff/articles/new/",
        {
            "title": "两台服务器的照片",
            "summary": "",
            "body": "现场照片。",
            "federation": str(district.pk),
            "activity": "",
            "brand": "",
            "source": "滨城女性",
            "editor": "木南",
            "proofreader": "梅朵",
            "photo_caption": "合影",
        },
        files={"photos": ("合影.png", png_bytes(800, 600), "image/png")},
    )
    assert status == 302, body.decode()[:3000]
    article = Article.objects.get(title="两台服务器的照片")
    status, _h, _b = browser.post(a + f"/staff/articles/{article.pk}/publish/", {"publish_at": ""})
    assert status == 302 and Article.objects.published().filter(pk=article.pk).exists()

    sources = []
    for node in (b, a):
        status, _h, body = Browser().get(node + f"/news/{article.pk}/")
        assert status == 200
        sources.append(sorted(set(re.findall(r'srcset="([^"]+)"', body.decode()))))
    assert sources[0] and sources[0] == sources[1]  # both nodes show the same renditions
    urls = {part.strip().split(" ")[0] for srcset in sources[0] for part in srcset.split(",")}
    for url in urls:
        if cluster["store"] == "s3":
            with urllib.request.urlopen(url, timeout=30) as response:  # from the object store
                assert response.headers["Cache-Control"] == "public, max-age=600"
                data = response.read()
        else:
            # nginx serves /media/ from the shared folder.
            data = (cluster["media"] / url.removeprefix("/media/")).read_bytes()
        assert data[:4] in (b"RIFF", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb") and len(data) > 100
