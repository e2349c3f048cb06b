"""Bounded uploads (issue 10, item 5): at most 20 photos and 200 Mpx per request, counted from
the headers before anything is decoded; each refused file is named with its reason at the top of
the form, and the valid photos of the same submit are kept (or named, to select again)."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.images import clean_images, image_size
from activities.models import Article, Photo
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def dense_png(side: int) -> bytes:
    """A valid side×side 8-bit RGB PNG of one colour: tiny on disk, side²×3 bytes decoded."""
    row = b"\x00" + b"\xf0\x80\x40" * side
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(row * side, 9))
        + _chunk(b"IEND", b"")
    )


def png(name: str, data: bytes):
    return SimpleUploadedFile(name, data, "image/png")


@pytest.fixture
def small_limits(settings):
    # The same rules at a scale a test can decode quickly: 4 Mpx per photo, 10 Mpx per request.
    settings.PHOTO_MAX_PIXELS = 4_000_000
    settings.PHOTO_MAX_PIXELS_PER_REQUEST = 10_000_000


def _files(png_bytes):
    small = png_bytes()
    files = [
        png("ok-1000.png", dense_png(1000)),  # 1 Mpx
        png("dense-a.png", dense_png(2000)),  # 4 Mpx, 5 in all
        png("dense-b.png", dense_png(2000)),  # 9 in all
        png("dense-c.png", dense_png(2000)),  # would make 13: over the request's 10
        png("huge.png", dense_png(2100)),  # 4.41 Mpx: over the photo's 4
        SimpleUploadedFile("notes.png", b"not an image at all", "image/png"),
    ]
    files += [png(f"small-{n:02d}.png", small) for n in range(17)]  # 23 files in all
    return files


EXPECTED_REFUSED = [
    (
        "dense-c.png",
        "本次上传的照片合计超过 1000 万像素，这张没有处理，请保存后再添加（或先缩小照片）。",
    ),
    (
        "huge.png",
        "图片像素过多（2100×2100），可能是恶意文件；请缩小到 400 万像素以内再上传。",
    ),
    ("notes.png", "只能上传 JPEG、PNG 或 WebP 格式的照片（按文件内容判断，不看文件名）。"),
    ("small-14.png", "一次最多上传 20 张照片，这张没有处理，请保存后再添加。"),
    ("small-15.png", "一次最多上传 20 张照片，这张没有处理，请保存后再添加。"),
    ("small-16.png", "一次最多上传 20 张照片，这张没有处理，请保存后再添加。"),
]


def test_the_bounds_refuse_files_by_name_and_keep_the_rest(small_limits, png_bytes):
    batch = clean_images(_files(png_bytes))
    assert batch.refused == EXPECTED_REFUSED
    assert [name for name, _ in batch.accepted] == [
        "ok-1000.png",
        "dense-a.png",
        "dense-b.png",
        *[f"small-{n:02d}.png" for n in range(14)],
    ]


def test_the_article_and_the_valid_photos_are_saved_and_the_refused_listed_on_top(
    client, world, small_limits, png_bytes
):
    article = ArticleFactory(
        federation=world.fed_a, author=world.staff_a, status="draft", publish_at=None
    )
    client.force_login(world.staff_a)
    url = reverse("staff:article_edit", args=[article.pk])
    form = client.get(url).context["form"]
    data = {
        n: form[n].value() or ""
        for n in ("title", "summary", "body", "source", "editor", "proofreader")
    }
    data.update(federation=world.fed_a.pk, version_token=form["version_token"].value())
    data["title"] = "改过的标题"
    response = client.post(url, {**data, "photos": _files(png_bytes)})
    assert response.status_code == 302 and response["Location"] == url
    assert Article.objects.get(pk=article.pk).title == "改过的标题"
    assert article.photos.count() == 17
    page = client.get(url).content.decode()
    top = page[page.index('id="upload-errors"') :]
    assert top.index("upload-errors") < top.find('name="title"')  # the summary is above the fields
    assert "文章已保存，但有 6 张照片没有上传：" in page
    for name, reason in EXPECTED_REFUSED:
        assert f"<li><strong>{name}</strong>：{reason}</li>" in page
    # Shown once: reloading the page no longer reports them.
    assert 'id="upload-errors"' not in client.get(url).content.decode()


def test_a_form_error_names_the_valid_photos_to_select_again(
    client, world, small_limits, png_bytes
):
    client.force_login(world.staff_a)
    response = client.post(
        reverse("staff:article_create"),
        {
            "title": "",
            "body": "<p>正文</p>",
            "federation": world.fed_a.pk,
            "photos": [png("good.png", png_bytes()), png("bad.png", b"GIF89a")],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "有 1 张照片没有上传：" in page and "<strong>bad.png</strong>" in page
    assert "表单有误，文章没有保存，下列照片也未上传；请改正后重新选择这些照片：" in page
    assert "<li>good.png</li>" in page
    assert not Article.objects.exists() and not Photo.objects.exists()


def test_an_admin_request_shares_one_pixel_allowance(client, world, settings, png_bytes):
    settings.PHOTO_MAX_PIXELS = 4_000_000
    settings.PHOTO_MAX_PIXELS_PER_REQUEST = 6_000_000
    article = ArticleFactory(federation=world.fed_a, status="draft", publish_at=None)
    client.force_login(world.editor)
    url = reverse("admin:activities_article_change", args=[article.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        n: form[n].value() or ""
        for n in ("title", "summary", "body", "source", "editor", "proofreader")
    }
    data.update(federation=world.fed_a.pk, version_token=form["version_token"].value())
    data.update(
        {
            "photos-TOTAL_FORMS": "2",
            "photos-INITIAL_FORMS": "0",
            "photos-0-image": png("a.png", dense_png(2000)),
            "photos-0-position": "1",
            "photos-1-image": png("b.png", dense_png(2000)),
            "photos-1-position": "2",
            "transitions-TOTAL_FORMS": "0",
            "transitions-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert "本次上传的照片合计超过 600 万像素，请分批上传。" in response.content.decode()
    assert not Photo.objects.exists()


def test_the_header_is_read_without_decoding(settings):
    # Refused from the header alone: no 430 MB decode happens (and none of 5 MB for the 2000 px
    # one, whose size is read all the same).
    settings.PHOTO_MAX_PIXELS = 40_000_000
    with pytest.raises(ValidationError) as refused:
        image_size(png("bomb.png", dense_png(12000)))
    assert refused.value.messages == [
        "图片像素过多，可能是恶意文件；请缩小到 4000 万像素以内再上传。"
    ]
    with pytest.raises(ValidationError) as refused:
        image_size(png("big.png", dense_png(7000)))
    assert refused.value.messages == [
        "图片像素过多（7000×7000），可能是恶意文件；请缩小到 4000 万像素以内再上传。"
    ]
    assert image_size(png("ok.png", dense_png(2000))) == (2000, 2000)


SCRIPT = textwrap.dedent(
    """
    import json, os, resource, sys, time
    sys.path.insert(0, sys.argv[1])
    os.environ["DJANGO_SETTINGS_MODULE"] = "federation.settings"
    import django
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from activities.images import clean_images
    data = open(sys.argv[2], "rb").read()
    files = [SimpleUploadedFile(f"dense-{n:02d}.png", data, "image/png") for n in range(20)]
    started = time.perf_counter()
    batch = clean_images(files)
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "accepted": len(batch.accepted),
        "refused": len(batch.refused),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }))
    """
)


def test_twenty_dense_6300_px_pngs_cost_one_bounded_request(tmp_path):
    """The request that killed a worker (20 × 170 KB 6300×6300 PNGs, 794 Mpx): five are decoded
    (198 Mpx), fifteen refused by name, under a 1 GB address-space cap and in a few seconds."""
    data = dense_png(6300)
    assert len(data) < 200_000
    source = tmp_path / "dense.png"
    source.write_bytes(data)
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": "sqlite:///:memory:"}
    result = subprocess.run(
        ["prlimit", "--as=1200000000", sys.executable, "-c", SCRIPT, str(ROOT), str(source)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print("20 dense 6300x6300 PNGs:", figures)
    assert (figures["accepted"], figures["refused"]) == (5, 15)
    assert figures["seconds"] < 25


def test_nginx_django_and_the_photo_limits_agree(settings):
    nginx = (ROOT / "deploy/nginx/teda-portal.conf").read_text()
    assert "client_max_body_size 100m;" in nginx
    assert "error_page 413 /static/errors/413.html;" in nginx
    page = (ROOT / "static/errors/413.html").read_text()
    assert "一次提交的文件合计不能超过 100 MB（每张照片不超过 10 MB，一次最多 20 张）" in page
    assert settings.PHOTO_MAX_BYTES == 10 * 1024 * 1024
    assert settings.PHOTO_MAX_FILES_PER_REQUEST == 20
    assert settings.PHOTO_MAX_PIXELS_PER_REQUEST == 200_000_000
    # Django refuses a request with more files outright; the form refuses files 21 to 40 by name.
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 40
