"""Withdrawn means gone: photos, renditions and portraits of content that stops being public are
no longer at any address that was public; uploads never keep a guessable name."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activities import services
from activities.models import Article, Exemplar, Photo
from activities.renditions import pictures_for
from tests.factories import ArticleFactory, ExemplarFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def published(world, png_bytes):
    article = ArticleFactory(title="撤回测试新闻", federation=world.fed_a)
    services.photo_add(
        article=article,
        user=world.editor,
        image=SimpleUploadedFile("张三身份证.png", png_bytes(1200, 800), content_type="image/png"),
    )
    photo = Photo.objects.get(article=article)
    picture = pictures_for([photo])[photo.pk]
    public_names = [photo.image.name] + [r.file.name for r in picture.webp + picture.jpeg]
    assert all(default_storage.exists(name) for name in public_names)
    return article, public_names


def names_on_page(page: str) -> set[str]:
    prefix = re.escape(settings.MEDIA_URL)
    return set(re.findall(prefix + r"([\w/.-]+)", page))


def test_an_upload_never_keeps_its_file_name(published):
    _article, names = published
    assert not any("张三" in name or "身份证" in name for name in names)
    exemplar = ExemplarFactory()
    exemplar.photo.save("zhang_san_portrait.JPG", ContentFile(b"x"))
    assert "zhang_san" not in exemplar.photo.name
    assert re.fullmatch(r"exemplars/\d{4}/[0-9a-f]{32}\.jpg", exemplar.photo.name)


def test_unpublishing_an_article_takes_its_photos_and_renditions_off_their_addresses(
    client, world, published, django_capture_on_commit_callbacks
):
    article, public_names = published
    page = client.get(f"/news/{article.pk}/").content.decode()
    assert names_on_page(page) & set(public_names)  # the public page showed them

    with django_capture_on_commit_callbacks(execute=True):
        services.article_unpublish(article=article, user=world.editor)

    assert not any(default_storage.exists(name) for name in public_names)
    assert client.get(f"/news/{article.pk}/").status_code == 404
    # The staff still have the photo, under a new name.
    photo = Photo.objects.get(article=article)
    assert photo.image.name not in public_names and default_storage.exists(photo.image.name)
    client.force_login(world.editor)
    staff_page = client.get(f"/staff/articles/{article.pk}/").content.decode()
    # Staff pages show a rendition (never the original): a fresh one, at a new address too.
    shown = names_on_page(staff_page)
    assert shown and not shown & set(public_names)
    assert all(default_storage.exists(name) for name in shown)


def test_a_republished_article_gets_new_renditions(
    client, world, published, django_capture_on_commit_callbacks
):
    article, public_names = published
    with django_capture_on_commit_callbacks(execute=True):
        services.article_unpublish(article=article, user=world.editor)
        services.article_submit(article=Article.objects.get(pk=article.pk), user=world.editor)
        services.article_publish(article=Article.objects.get(pk=article.pk), user=world.editor)
    shown = names_on_page(client.get(f"/news/{article.pk}/").content.decode())
    assert shown and not shown & set(public_names)
    assert all(default_storage.exists(name) for name in shown)


def test_moving_a_published_article_into_the_future_also_hides_its_files(
    world, published, django_capture_on_commit_callbacks
):
    article, public_names = published
    article.publish_at = timezone.now() + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    assert not any(default_storage.exists(name) for name in public_names)


def test_withdrawing_consent_takes_the_portrait_off_its_address(
    client, django_capture_on_commit_callbacks, png_bytes
):
    exemplar = ExemplarFactory(name="王芳")
    exemplar.photo.save("portrait.png", ContentFile(png_bytes()))
    public_name = exemplar.photo.name
    assert public_name in " ".join(
        names_on_page(client.get(f"/exemplars/{exemplar.pk}/").content.decode())
    )

    exemplar.consent_to_publish = False
    with django_capture_on_commit_callbacks(execute=True):
        exemplar.save()

    assert not default_storage.exists(public_name)
    stored = Exemplar.objects.get(pk=exemplar.pk).photo.name
    assert stored != public_name and default_storage.exists(stored)
    assert client.get(f"/exemplars/{exemplar.pk}/").status_code == 404


def test_deleting_an_article_deletes_its_photo_files(published, django_capture_on_commit_callbacks):
    article, public_names = published
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert not any(default_storage.exists(name) for name in public_names)


def test_media_are_never_cached_for_long():
    nginx = (ROOT / "deploy/nginx/teda-portal.conf").read_text()
    media = nginx[nginx.index("location /media/") :]
    media = media[: media.index("\n    }")]
    assert "expires 10m;" in media and "30d" not in media
    assert "server_tokens off;" in nginx
