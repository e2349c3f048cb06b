"""Bad uploads: one validator (activities.images.clean_image) for staff pages and admin."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from activities.images import clean_image
from activities.models import Article, Photo
from tests.factories import ArticleFactory


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def png_bomb(side: int = 12000) -> bytes:
    """A valid 1-bit PNG of side×side black pixels: ~17 KB on disk, ~700 MB decoded as RGBA."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    idat = zlib.compress(row * side, 9)
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_with_exif(width=40, height=20, orientation=None, gps=True) -> bytes:
    image = Image.new("RGB", (width, height), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (39.0, 2.0, 30.0), 3: "E", 4: (117.0, 42.0, 5.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (20, 20), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def _bytes(result) -> bytes:
    result.file.seek(0)
    return result.file.read()


def codes(exc: pytest.ExceptionInfo) -> set[str]:
    return {error.code for error in exc.value.error_list}


def test_bomb_is_refused_before_decoding():
    data = png_bomb()
    assert len(data) < 40_000  # tiny on disk …
    with pytest.raises(ValidationError) as exc:
        clean_image(upload(data))
    assert codes(exc) == {"too_many_pixels"}
    assert "像素过多" in exc.value.messages[0]


def test_too_many_pixels_by_setting(settings, png_bytes):
    settings.PHOTO_MAX_PIXELS = 1000
    with pytest.raises(ValidationError) as exc:
        clean_image(upload(png_bytes(100, 100)))
    assert codes(exc) == {"too_many_pixels"}
    assert "100×100" in exc.value.messages[0]


def test_file_too_large_by_bytes(settings, png_bytes):
    settings.PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        clean_image(upload(png_bytes()))
    assert codes(exc) == {"too_large"}
    assert "太大" in exc.value.messages[0]


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"%PDF-1.4 not an image",
    ],
)
def test_wrong_type_is_refused_whatever_the_name(data):
    with pytest.raises(ValidationError) as exc:
        clean_image(upload(data, "photo.jpg", "image/jpeg"))
    assert codes(exc) == {"wrong_type"}
    assert "JPEG、PNG 或 WebP" in exc.value.messages[0]


def test_static_gif_and_bmp_are_wrong_type():
    for fmt in ("GIF", "BMP"):
        buffer = io.BytesIO()
        Image.new("RGB", (10, 10)).save(buffer, fmt)
        with pytest.raises(ValidationError) as exc:
            clean_image(upload(buffer.getvalue(), "x.png"))
        assert codes(exc) == {"wrong_type"}


def test_animated_gif_is_refused():
    with pytest.raises(ValidationError) as exc:
        clean_image(upload(animated("GIF"), "a.gif", "image/gif"))
    assert codes(exc) == {"wrong_type"}


@pytest.mark.parametrize("fmt", ["WEBP", "PNG"])
def test_animated_webp_and_apng_are_refused(fmt):
    with pytest.raises(ValidationError) as exc:
        clean_image(upload(animated(fmt), f"a.{fmt.lower()}"))
    assert codes(exc) == {"animated"}
    assert "动图" in exc.value.messages[0]


def test_truncated_jpeg_is_refused():
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(buffer, "JPEG", quality=95)
    data = buffer.getvalue()
    with pytest.raises(ValidationError) as exc:
        clean_image(upload(data[: len(data) // 2], "cut.jpg", "image/jpeg"))
    assert codes(exc) == {"corrupt"}
    assert "不完整" in exc.value.messages[0]


def test_gps_and_all_exif_are_removed_and_orientation_applied():
    data = jpeg_with_exif(40, 20, orientation=6)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the GPS is really there
    result = clean_image(upload(data, "gps.jpg", "image/jpeg"))
    stored = Image.open(io.BytesIO(_bytes(result)))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert not stored.getexif().get_ifd(0x8825)
    assert b"TestCam" not in _bytes(result)
    # Orientation 6 = rotate 90°: the 40×20 picture is stored upright as 20×40.
    assert (stored.width, stored.height) == (20, 40) == (result.width, result.height)


def test_html_appended_to_png_does_not_survive(png_bytes):
    data = png_bytes() + b"<html><script>alert(document.cookie)</script></html>"
    result = clean_image(upload(data))
    assert b"<script" not in _bytes(result)
    assert Image.open(io.BytesIO(_bytes(result))).format == "PNG"


def test_file_name_comes_from_content_not_from_the_user(png_bytes):
    result = clean_image(upload(png_bytes(), "../../etc/passwd.jpg", "image/jpeg"))
    assert result.file.name.endswith(".png")
    assert "passwd" not in result.file.name


# --- through the pages ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_staff_page_refuses_bad_photos_and_keeps_the_input(client, world, png_bytes):
    # The article and the valid photo are kept; the refused one is named with its reason.
    client.force_login(world.staff_a)
    response = client.post(
        reverse("staff:article_create"),
        {
            "title": "巾帼心向党主题活动",
            "body": "<p>活动<strong>圆满</strong>结束。</p>",
            "federation": world.fed_a.pk,
            "photos": [upload(png_bytes(), "ok.png"), upload(png_bomb(), "bomb.png")],
        },
        follow=True,
    )
    content = response.content.decode()
    article = Article.objects.get()
    assert response.redirect_chain[-1][0] == reverse("staff:article_edit", args=[article.pk])
    assert "<strong>bomb.png</strong>：图片像素过多" in content
    assert "巾帼心向党主题活动" in content  # the user's input is in the form
    assert article.photos.count() == 1


@pytest.mark.django_db
def test_staff_page_stores_several_photos_cleaned(client, world, png_bytes):
    client.force_login(world.staff_a)
    response = client.post(
        reverse("staff:article_create"),
        {
            "title": "三八节活动",
            "body": "正文",
            "federation": world.fed_a.pk,
            "photo_caption": "活动现场",
            "photos": [
                upload(png_bytes(30, 20), "a.png"),
                upload(jpeg_with_exif(), "b.jpg", "image/jpeg"),
            ],
        },
    )
    assert response.status_code == 302
    article = Article.objects.get()
    photos = list(article.photos.all())
    assert [(p.width, p.height, p.caption) for p in photos] == [
        (30, 20, "活动现场"),
        (40, 20, "活动现场"),
    ]
    for photo in photos:
        with photo.image.open("rb") as handle:
            data = handle.read()
        assert b"TestCam" not in data
        assert photo.image.name.startswith("photos/")


class FullDiskStorage(FileSystemStorage):
    """Writes half of the file, then fails as a full disk would."""

    def _save(self, name, content):
        full_path = self.path(name)
        import os

        os.makedirs(os.path.dirname(full_path), exist_ok=True)
        with open(full_path, "wb") as handle:
            handle.write(content.read()[:10])
        raise OSError(28, "No space left on device")


def _files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
def test_disk_full_leaves_no_row_and_no_partial_file(
    client, world, png_bytes, settings, monkeypatch, tmp_path
):
    storage = FullDiskStorage(location=tmp_path / "full")
    monkeypatch.setattr(Photo._meta.get_field("image"), "storage", storage)
    client.force_login(world.staff_a)
    response = client.post(
        reverse("staff:article_create"),
        {
            "title": "磁盘满了",
            "body": "正文",
            "federation": world.fed_a.pk,
            "photos": [upload(png_bytes(), "a.png")],
        },
    )
    assert response.status_code == 200
    assert "照片保存失败" in response.content.decode()
    assert "磁盘满了" in response.content.decode()
    assert not Article.objects.exists()
    assert not Photo.objects.exists()
    assert _files_under(tmp_path / "full") == []


@pytest.mark.django_db
def test_disk_full_in_the_service_of_an_existing_article(world, png_bytes, monkeypatch, tmp_path):
    from activities.services import photos_add

    article = ArticleFactory(federation=world.fed_a, status="draft", publish_at=None)
    good = clean_image(upload(png_bytes()))
    monkeypatch.setattr(
        Photo._meta.get_field("image"), "storage", FullDiskStorage(location=tmp_path / "full")
    )
    with pytest.raises(OSError):
        photos_add(article=article, photos=[(good, "")], user=world.staff_a)
    assert not Photo.objects.exists()
    assert _files_under(tmp_path / "full") == []


@pytest.mark.django_db
def test_admin_photo_inline_uses_the_same_validator(client, world, png_bytes):
    article = ArticleFactory(federation=world.fed_a, status="draft", publish_at=None)
    client.force_login(world.editor)
    url = reverse("admin:activities_article_change", args=[article.pk])
    data = {
        "title": article.title,
        "summary": "",
        "body": article.body,
        "federation": world.fed_a.pk,
        "source": "",
        "editor": "",
        "proofreader": "",
        "version_token": article.version,
        "photos-TOTAL_FORMS": 1,
        "photos-INITIAL_FORMS": 0,
        "photos-MIN_NUM_FORMS": 0,
        "photos-MAX_NUM_FORMS": 1000,
        "photos-0-image": upload(png_bomb(), "bomb.png"),
        "photos-0-caption": "x",
        "photos-0-position": 0,
        "transitions-TOTAL_FORMS": 0,
        "transitions-INITIAL_FORMS": 0,
        "transitions-MIN_NUM_FORMS": 0,
        "transitions-MAX_NUM_FORMS": 1000,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "像素过多" in response.content.decode()
    assert not Photo.objects.exists()

    data["photos-0-image"] = upload(jpeg_with_exif(), "gps.jpg", "image/jpeg")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    photo = Photo.objects.get()
    with photo.image.open("rb") as handle:
        assert b"TestCam" not in handle.read()


@pytest.mark.django_db
def test_exemplar_portrait_goes_through_the_photo_validator(admin_client):
    """A portrait uploaded in the admin loses its GPS and its file name (a person's name is
    guessable under /media/ even while consent is missing) and a bomb is refused."""
    from activities.models import Exemplar

    url = reverse("admin:activities_exemplar_add")
    data = {"name": "王芳", "kind": "person", "honour": "merit_star", "year": 2024}
    response = admin_client.post(url, {**data, "photo": upload(png_bomb(), "bomb.png")})
    assert response.status_code == 200 and "像素过多" in response.content.decode()
    assert not Exemplar.objects.exists()

    admin_client.post(
        url, {**data, "photo": upload(jpeg_with_exif(), "wangfang.jpg", "image/jpeg")}
    )
    exemplar = Exemplar.objects.get()
    assert "wangfang" not in exemplar.photo.name
    with exemplar.photo.open("rb") as stored:
        assert dict(Image.open(stored).getexif()) == {}
