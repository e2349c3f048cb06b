"""Resized copies of article photos (WebP and JPEG), generated once and reused.

Public pages never send an original upload: :func:`pictures_for` returns, for each photo, the
renditions a ``<picture>`` element needs, creating the missing ones (one query for the existing
ones, one insert per missing rendition, which happens once per photo and size).
"""

from __future__ import annotations

import io
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django_tasks import task
from PIL import Image, ImageOps

from activities.models import Photo, Rendition

logger = logging.getLogger(__name__)

FORMATS = {
    "webp": ("WEBP", "image/webp", {"quality": 78, "method": 4}),
    "jpeg": ("JPEG", "image/jpeg", {"quality": 80, "optimize": True, "progressive": True}),
}


def widths() -> tuple[int, ...]:
    return tuple(getattr(settings, "PUBLIC_RENDITION_WIDTHS", (480, 960)))


def spec_name(width: int, fmt: str) -> str:
    return f"w{width}.{fmt}"


# The share card's cover: WeChat shows a square and wants at least 300 px; JPEG, which every
# WeChat version decodes.
SQUARE_SIZE = 480
SQUARE_SPEC = f"s{SQUARE_SIZE}.jpeg"


@dataclass
class Picture:
    """What the ``<picture>`` include needs for one photo."""

    photo: Photo
    webp: list[Rendition] = field(default_factory=list)
    jpeg: list[Rendition] = field(default_factory=list)
    square: Rendition | None = None  # only when asked for (``pictures_for(square_for=...)``)

    @property
    def fallback(self) -> Rendition | None:
        return self.jpeg[0] if self.jpeg else None

    @property
    def largest(self) -> Rendition | None:
        return self.jpeg[-1] if self.jpeg else None

    @property
    def webp_srcset(self) -> str:
        return ", ".join(f"{r.file.url} {r.width}w" for r in self.webp)

    @property
    def jpeg_srcset(self) -> str:
        return ", ".join(f"{r.file.url} {r.width}w" for r in self.jpeg)

    @property
    def alt(self) -> str:
        return self.photo.caption


def _render(photo: Photo, width: int, fmt: str, *, square: bool = False) -> Rendition:
    pil_format, _mime, options = FORMATS[fmt]
    spec = SQUARE_SPEC if square else spec_name(width, fmt)
    with photo.image.open("rb") as source, Image.open(source) as image:
        # JPEG: decode at a reduced scale when the target is much smaller (both sides stay
        # >= width, so an EXIF rotation afterwards still leaves enough pixels).
        image.draft("RGB", (width, width))
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")  # drops alpha and palette; EXIF (GPS) is not copied
        if square:
            # A square around the photo's focal point (the centre unless the author moved it);
            # a small original is enlarged to the minimum.
            image = ImageOps.fit(
                image,
                (width, width),
                Image.Resampling.LANCZOS,
                centering=(photo.focus_x / 100, photo.focus_y / 100),
            )
        elif image.width > width:
            height = max(1, round(image.height * width / image.width))
            image = image.resize((width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, pil_format, **options)
        out_width, out_height = image.size
    # A random name, like the original's: /media/ is served without a check, and renditions of a
    # draft's photos exist before it is published (a name from the photo id could be guessed).
    name = f"{uuid.uuid4().hex}-{spec.replace('.', '-')}.{'jpg' if fmt == 'jpeg' else fmt}"
    rendition = Rendition(photo=photo, spec=spec, width=out_width, height=out_height)
    rendition.file.save(name, ContentFile(buffer.getvalue()), save=False)
    try:
        with transaction.atomic():
            rendition.save()
    except IntegrityError:
        # Another request made it first: use theirs and drop our file.
        rendition.file.delete(save=False)
        rendition = Rendition.objects.get(photo=photo, spec=rendition.spec)
    return rendition


def pictures_for(photos, *, square_for: int | None = None) -> dict[int, Picture]:
    """Renditions of ``photos`` by photo id, generating what is missing; the photo whose id is
    ``square_for`` also gets its square share cover (``Picture.square``)."""
    photos = [p for p in photos if p is not None]
    if not photos:
        return {}
    existing: dict[tuple[int, str], Rendition] = {
        (r.photo_id, r.spec): r for r in Rendition.objects.filter(photo__in=photos)
    }
    pictures: dict[int, Picture] = {}
    for photo in photos:
        picture = Picture(photo=photo)
        try:
            for fmt in ("webp", "jpeg"):
                seen_width = None
                for width in widths():
                    rendition = existing.get((photo.pk, spec_name(width, fmt)))
                    if rendition is None:
                        rendition = _render(photo, width, fmt)
                    # A small original yields the same size twice: list it once.
                    if rendition.width != seen_width:
                        getattr(picture, fmt).append(rendition)
                        seen_width = rendition.width
            if photo.pk == square_for:
                picture.square = existing.get((photo.pk, SQUARE_SPEC)) or _render(
                    photo, SQUARE_SIZE, "jpeg", square=True
                )
        except (OSError, ValueError, Image.DecompressionBombError):
            logger.warning("No rendition for photo %s (%s)", photo.pk, photo.image.name)
            continue
        pictures[photo.pk] = picture
    return pictures


def with_thumbnails(photos) -> list[Photo]:
    """``photos`` as a list, each with ``thumbnail``: its smallest JPEG rendition (<= 480 px), or
    None when the original cannot be read. Staff pages show these, never the original upload."""
    photos = list(photos)
    pictures = pictures_for(photos)
    for photo in photos:
        picture = pictures.get(photo.pk)
        photo.thumbnail = picture.fallback if picture else None
    return photos


@task()
def photo_renditions_generate(photo_id: int) -> int:
    """Make every rendition of a new photo ahead of its first visitor; returns how many exist."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None:
        return 0
    picture = pictures_for([photo]).get(photo_id)
    return len(picture.webp) + len(picture.jpeg) if picture else 0


def _photo_saved(sender, instance: Photo, created: bool, **kwargs):
    if created and not kwargs.get("raw"):
        transaction.on_commit(lambda: photo_renditions_generate.enqueue(instance.pk))


def _rendition_deleted(sender, instance: Rendition, **kwargs):
    # The database row is gone: do not leave its file behind.
    instance.file.delete(save=False)


def connect_signals() -> None:
    post_save.connect(_photo_saved, sender=Photo, dispatch_uid="renditions:photo-saved")
    post_delete.connect(_rendition_deleted, sender=Rendition, dispatch_uid="renditions:deleted")
