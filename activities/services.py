"""Writes of activities, activity news and exemplars: the one write path of each model.

Every staff page, admin page, inline, action and task calls these (see federation.core.writes
for the steps they share: scope, validation, optimistic locking, one history record each).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.images import CleanImage, clean_image
from activities.models import Activity, Article, ArticleTransition, Exemplar, Photo
from activities.richtext import BodyFormat, render_body
from federation.core.audit import CHANGED, CREATED, set_history
from federation.core.locking import save_versioned
from federation.core.scoping import OUT_OF_SCOPE_MESSAGE, in_scope, require_write_scope
from federation.core.writes import delete_record, save_record

PUBLISH_PERMISSION = "activities.publish_article"
Status = Article.Status

# The history record of each workflow step says which step it was (and the user's note).
STEP_REASONS = {
    Status.SUBMITTED: pgettext_lazy("history", "提交审核"),
    Status.DRAFT: pgettext_lazy("history", "退回草稿"),
    Status.PUBLISHED: pgettext_lazy("history", "发布"),
    Status.UNPUBLISHED: pgettext_lazy("history", "撤回发布"),
}


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def can_edit_article(user, article: Article) -> bool:
    """Editors may edit any article; others only drafts and withdrawn ones (not under review)."""
    if not user.has_perm("activities.change_article"):
        return False
    return can_publish(user) or article.status in (Status.DRAFT, Status.UNPUBLISHED)


# --- activities --------------------------------------------------------------------------------
@transaction.atomic
def activity_save(*, activity: Activity, user, expected_version: int | None = None) -> Activity:
    """Create or update an activity built by a form; it must stay in the user's scope."""
    if activity._state.adding and activity.created_by_id is None and getattr(user, "pk", None):
        activity.created_by = user
    return save_record(activity, user=user, expected_version=expected_version)


@transaction.atomic
def activity_delete(*, activity: Activity, user) -> None:
    delete_record(activity, user=user)


# --- articles ----------------------------------------------------------------------------------
@transaction.atomic
def article_save(
    *,
    article: Article,
    user,
    body_format: str = BodyFormat.HTML,
    expected_version: int | None = None,
    photos: Iterable[tuple[CleanImage, str]] = (),
) -> Article:
    """Create or update an article: the body is sanitised here, so every entry point gets it.

    ``photos`` are already validated images with their captions, stored after the article.
    """
    require_write_scope(article, user)
    if not article._state.adding:
        stored = Article.objects.only("status").get(pk=article.pk)
        if not can_edit_article(user, stored):
            raise PermissionDenied(_("文章正在审核或已发布，只有编辑可以修改。"))
        # The status only changes through the workflow functions below.
        article.status = stored.status
    else:
        article.status = Status.DRAFT
        article.author = article.author or user
    article.body = render_body(article.body, body_format)
    if not article.body:
        raise ValidationError({"body": _("正文不能为空（或只含被清除的不安全内容）。")})
    save_record(article, user=user, expected_version=expected_version)
    photos_add(article=article, photos=photos, user=user)
    return article


@transaction.atomic
def article_delete(*, article: Article, user) -> None:
    """Delete an article with its photos (their files go once the deletion is committed)."""
    for photo in article.photos.all():
        photo_delete(photo=photo, user=user)
    delete_record(article, user=user)


@transaction.atomic
def photos_add(*, article: Article, photos: Iterable[tuple[CleanImage, str]], user) -> list[Photo]:
    """Add several photos at once: all of them or none (no row and no file left on failure)."""
    start = (
        article.photos.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    added: list[Photo] = []
    try:
        for offset, (image, caption) in enumerate(photos):
            added.append(
                photo_add(
                    article=article,
                    image=image,
                    caption=caption,
                    position=start + offset,
                    user=user,
                )
            )
    except BaseException:
        # The rows roll back with the transaction; the files already written must go too.
        for photo in added:
            _remove_quietly(photo.image.storage, photo.image.name)
        raise
    return added


def _transition(article: Article, user, to_status: str, note: str = "") -> Article:
    from_status = article.status
    article.status = to_status
    reason = str(STEP_REASONS[to_status])
    set_history(article, user=user, reason=f"{reason}：{note}" if note else reason)
    save_versioned(article)
    ArticleTransition.objects.create(
        article=article,
        from_status=from_status,
        to_status=to_status,
        user=user,
        at=timezone.now(),
        note=note,
    )
    return article


def _locked(article: Article, user) -> Article:
    if not in_scope(article, user):
        raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)
    return Article.objects.select_for_update().get(pk=article.pk)


# The workflow steps are always the outermost transaction (staff pages and admin actions call
# them outside any): durable, so each step is committed when it returns.


@transaction.atomic(durable=True)
def article_submit(*, article: Article, user, note: str = "") -> Article:
    """Draft (or withdrawn) → submitted for review by an editor."""
    if not user.has_perm("activities.change_article"):
        raise PermissionDenied
    article = _locked(article, user)
    if article.status not in (Status.DRAFT, Status.UNPUBLISHED):
        raise ValidationError(_("只有草稿或已撤回的文章可以提交审核。"))
    article.submitted_at = timezone.now()
    article.submitted_by = user
    return _transition(article, user, Status.SUBMITTED, note)


@transaction.atomic(durable=True)
def article_return_to_draft(*, article: Article, user, note: str = "") -> Article:
    """Submitted → draft: the author withdraws it, or an editor sends it back with a note."""
    if not user.has_perm("activities.change_article"):
        raise PermissionDenied
    article = _locked(article, user)
    if article.status != Status.SUBMITTED:
        raise ValidationError(_("只有待审核的文章可以退回草稿。"))
    return _transition(article, user, Status.DRAFT, note)


@transaction.atomic(durable=True)
def article_publish(
    *, article: Article, user, publish_at: datetime.datetime | None = None, note: str = ""
) -> Article:
    """Publish (editors only). A future ``publish_at`` schedules it: it goes public by itself."""
    if not can_publish(user):
        raise PermissionDenied(_("只有区妇联编辑可以发布文章。"))
    article = _locked(article, user)
    if article.status == Status.PUBLISHED:
        raise ValidationError(_("文章已经发布。"))
    now = timezone.now()
    if publish_at is None:
        # Keep a future time set beforehand (scheduling from the admin form); a past one, left
        # from an earlier publication, would backdate the republication.
        publish_at = article.publish_at if article.publish_at and article.publish_at > now else now
    article.publish_at = publish_at
    article.published_by = user
    return _transition(article, user, Status.PUBLISHED, note)


@transaction.atomic(durable=True)
def article_unpublish(*, article: Article, user, note: str = "") -> Article:
    """Published (or scheduled) → withdrawn from the public site (editors only)."""
    if not can_publish(user):
        raise PermissionDenied(_("只有区妇联编辑可以撤回文章。"))
    article = _locked(article, user)
    if article.status != Status.PUBLISHED:
        raise ValidationError(_("只有已发布的文章可以撤回。"))
    return _transition(article, user, Status.UNPUBLISHED, note)


# --- photos ------------------------------------------------------------------------------------
def photo_add(
    *, article: Article, image: CleanImage | object, user, caption: str = "", position: int = 0
) -> Photo:
    """Store one photo (validated by :func:`activities.images.clean_image` if not yet).

    If the file cannot be written completely (a full disk, say) the partial file is removed and
    no row is left behind.
    """
    photo = Photo(article=article, caption=caption, position=position)
    require_write_scope(photo, user)
    if not isinstance(image, CleanImage):
        image = clean_image(image)
    set_history(photo, user=user, reason=CREATED)
    _store(photo, image)
    return photo


def _store(photo: Photo, image: CleanImage, update_fields: list[str] | None = None) -> None:
    """Write the image file and save the row in one step; on failure no new file is left."""
    storage = photo.image.storage
    name = photo.image.field.generate_filename(photo, image.file.name)
    stored_name = None
    try:
        with transaction.atomic():
            stored_name = storage.save(name, image.file, max_length=photo.image.field.max_length)
            photo.image.name = stored_name
            photo.width, photo.height = image.width, image.height
            photo.save(update_fields=update_fields)
    except BaseException:
        _remove_quietly(storage, stored_name or name)
        raise


def _remove_quietly(storage, name: str | None) -> None:
    if not name:
        return
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError:
        pass


def _remove_on_commit(storage, names: list[str]) -> None:
    transaction.on_commit(lambda: [_remove_quietly(storage, name) for name in names])


@transaction.atomic
def photo_update(
    *, photo: Photo, user, caption: str, position: int, image: CleanImage | object | None = None
) -> Photo:
    """Change a photo's caption and order, and its file when a new ``image`` is given (the old
    file and its renditions go once the change is committed)."""
    require_write_scope(photo, user)
    # As stored: an admin form has already put its upload on the instance it was given.
    photo = Photo.objects.get(pk=photo.pk)
    photo.caption, photo.position = caption, position
    photo.full_clean(exclude=["image"])
    set_history(photo, user=user, reason=CHANGED)
    fields = ["caption", "position"]
    if image is None:
        photo.save(update_fields=fields)
    else:
        if not isinstance(image, CleanImage):
            image = clean_image(image)
        storage = photo.image.storage
        old = [photo.image.name, *photo.renditions.values_list("file", flat=True)]
        photo.renditions.all().delete()
        _store(photo, image, update_fields=[*fields, "image", "width", "height"])
        _remove_on_commit(storage, old)
    # Open forms of the article become stale; the photo's history record says what changed.
    Article.objects.filter(pk=photo.article_id).update(version=F("version") + 1)
    return photo


@transaction.atomic
def photo_delete(*, photo: Photo, user) -> None:
    storage, name = photo.image.storage, photo.image.name
    renditions = list(photo.renditions.values_list("file", flat=True))
    delete_record(photo, user=user)
    _remove_on_commit(storage, [name, *renditions])


# --- exemplars ---------------------------------------------------------------------------------
@transaction.atomic
def exemplar_save(*, exemplar: Exemplar, user) -> Exemplar:
    return save_record(exemplar, user=user)


@transaction.atomic
def exemplar_delete(*, exemplar: Exemplar, user) -> None:
    delete_record(exemplar, user=user)
