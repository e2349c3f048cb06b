"""Photo renditions: WebP and JPEG, resized, generated once and reused."""

from __future__ import annotations

import pytest
from PIL import Image

from activities.models import Rendition
from activities.renditions import pictures_for
from tests.factories import PhotoFactory

pytestmark = pytest.mark.django_db


def test_renditions_are_generated_once_and_reused(django_assert_num_queries):
    photo = PhotoFactory(image__width=1200, image__height=800)
    pictures = pictures_for([photo])
    picture = pictures[photo.pk]
    assert [r.width for r in picture.webp] == [240, 480, 960]
    assert [r.width for r in picture.jpeg] == [240, 480, 960]
    assert picture.fallback.height == 160  # aspect ratio kept
    assert Rendition.objects.filter(photo=photo).count() == 6
    with picture.webp[0].file.open("rb") as fh, Image.open(fh) as image:
        assert image.format == "WEBP"
    with picture.jpeg[-1].file.open("rb") as fh, Image.open(fh) as image:
        assert image.format == "JPEG" and image.size == (960, 640)

    with django_assert_num_queries(1):  # the existing renditions, nothing generated
        again = pictures_for([photo])
    assert again[photo.pk].jpeg_srcset == picture.jpeg_srcset
    assert "960w" in picture.webp_srcset


def test_small_originals_are_not_enlarged():
    photo = PhotoFactory(image__width=300, image__height=200)
    picture = pictures_for([photo])[photo.pk]
    assert [r.width for r in picture.jpeg] == [240, 300]


def test_a_missing_file_is_skipped_not_fatal():
    photo = PhotoFactory()
    photo.image.storage.delete(photo.image.name)
    assert pictures_for([photo]) == {}


def test_a_new_photo_gets_its_renditions_after_the_upload_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        photo = PhotoFactory(image__width=500, image__height=500)
    assert sorted(Rendition.objects.filter(photo=photo).values_list("spec", flat=True)) == [
        "w240.jpeg",
        "w240.webp",
        "w480.jpeg",
        "w480.webp",
        "w960.jpeg",
        "w960.webp",
    ]


def test_deleting_a_photo_removes_the_rendition_files():
    photo = PhotoFactory(image__width=300, image__height=300)
    picture = pictures_for([photo])[photo.pk]
    storage, name = picture.jpeg[0].file.storage, picture.jpeg[0].file.name
    assert storage.exists(name)
    photo.delete()
    assert not storage.exists(name)


def test_rendition_urls_cannot_be_guessed_from_the_photo_id():
    """Renditions are made right after an upload, also for drafts; /media/ is served without
    a check, so a name built from the photo id would let anyone fetch unpublished photos."""
    from pathlib import PurePosixPath

    photo = PhotoFactory(image__width=300, image__height=200)
    pictures_for([photo])
    names = [PurePosixPath(r.file.name).name for r in Rendition.objects.filter(photo=photo)]
    assert names
    for name in names:
        assert not name.startswith(f"{photo.pk}-")
        assert len(PurePosixPath(name).stem) >= 32  # a random token, as the originals have
