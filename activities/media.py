"""Withdrawn means gone: the files of content that stops being public get new random names.

``/media/`` is served without any check (nginx from disk, or object storage), so the address of
a photo is all that protects it: uploads get random names, never the uploader's file name. When
an article stops being public (withdrawn, or moved back into the future) or an exemplar's
consent to publish is withdrawn, each of its files is copied to a fresh random name and the old
one is deleted once the change commits: the addresses that were public answer 404 at once,
while the staff pages keep showing the photos under their new names. Renditions are deleted
(they are made again, under new random names, when next needed). Media are served with a short
``max-age`` (deploy/nginx, ``S3_CACHE_MAX_AGE``), so a browser's copy does not outlive that.

A deleted photo, article or exemplar takes its files with it.
"""

from __future__ import annotations

import logging
import posixpath
import uuid

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from activities.models import Article, Exemplar, Photo, Rendition

logger = logging.getLogger(__name__)


def random_name(name: str) -> str:
    """A fresh random file name in the folder of ``name``, with its (lower-case) extension."""
    folder, base = posixpath.split(name)
    extension = posixpath.splitext(base)[1].lower()
    return posixpath.join(folder, f"{uuid.uuid4().hex}{extension}")


def _delete_after_commit(storage, name: str) -> None:
    def delete():
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not delete the withdrawn file %s", name)

    transaction.on_commit(delete)


def _moved(field_file) -> str | None:
    """Copy ``field_file`` to a new random name; the new name (the old file goes on commit)."""
    if not field_file or not field_file.name:
        return None
    storage, old = field_file.storage, field_file.name
    try:
        with storage.open(old, "rb") as content:
            new = storage.save(random_name(old), content)
    except FileNotFoundError:
        return None
    _delete_after_commit(storage, old)
    return new


def article_files_rename(article: Article) -> int:
    """Give every photo of ``article`` a new name and drop its renditions; how many moved."""
    moved = 0
    for photo in Photo.objects.filter(article=article):
        new = _moved(photo.image)
        if new:
            # update(): no history entry and no signals for a change of storage name only.
            Photo.objects.filter(pk=photo.pk).update(image=new)
            moved += 1
    for rendition in Rendition.objects.filter(photo__article=article):
        rendition.delete()  # its file goes with it (activities.renditions)
    return moved


def exemplar_photo_rename(exemplar: Exemplar) -> bool:
    new = _moved(exemplar.photo)
    if new:
        Exemplar.objects.filter(pk=exemplar.pk).update(photo=new)
        exemplar.photo.name = new
    return bool(new)


# --- signals: whatever changed the record (staff pages, admin, workflow, shell) -------------------
def _remember_article(sender, instance: Article, raw=False, **kwargs):
    stored = (
        None
        if raw or instance.pk is None
        else Article.objects.published().filter(pk=instance.pk).exists()
    )
    instance._was_public = bool(stored)


def _article_saved(sender, instance: Article, raw=False, **kwargs):
    if raw:
        return
    is_public = Article.objects.published().filter(pk=instance.pk).exists()
    if getattr(instance, "_was_public", False) and not is_public:
        article_files_rename(instance)
    instance._was_public = is_public


def _remember_exemplar(sender, instance: Exemplar, raw=False, **kwargs):
    stored = (
        None
        if raw or instance.pk is None
        else (
            Exemplar.objects.filter(pk=instance.pk)
            .values_list("consent_to_publish", flat=True)
            .first()
        )
    )
    instance._was_public = bool(stored)


def _exemplar_saved(sender, instance: Exemplar, raw=False, **kwargs):
    if not raw and getattr(instance, "_was_public", False) and not instance.consent_to_publish:
        exemplar_photo_rename(instance)
    instance._was_public = instance.consent_to_publish


def _file_owner_deleted(field: str):
    def handler(sender, instance, **kwargs):
        field_file = getattr(instance, field)
        if field_file and field_file.name:
            _delete_after_commit(field_file.storage, field_file.name)

    return handler


def connect_signals() -> None:
    pre_save.connect(_remember_article, sender=Article, dispatch_uid="media:article-pre")
    post_save.connect(_article_saved, sender=Article, dispatch_uid="media:article-post")
    pre_save.connect(_remember_exemplar, sender=Exemplar, dispatch_uid="media:exemplar-pre")
    post_save.connect(_exemplar_saved, sender=Exemplar, dispatch_uid="media:exemplar-post")
    post_delete.connect(
        _file_owner_deleted("image"), sender=Photo, dispatch_uid="media:photo-del", weak=False
    )
    post_delete.connect(
        _file_owner_deleted("photo"), sender=Exemplar, dispatch_uid="media:exemplar-del", weak=False
    )
