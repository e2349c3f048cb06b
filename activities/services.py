"""Writes of activities and activity news: every staff page, admin page and action calls these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.images import CleanImage, clean_image
from activities.models import Activity, Article, ArticleTransition, Photo
from activities.richtext import BodyFormat, render_body
from federation.core.locking import save_versioned
from federation.core.scoping import can_write_in_scope, in_scope

PUBLISH_PERMISSION = "activities.publish_article"
Status = Article.Status


def _require_scope(obj, user) -> None:
    if not can_write_in_scope(obj, user):
        raise PermissionDenied(_("该记录不在您的管理范围内。"))


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
    _require_scope(activity, user)
    if activity._state.adding and activity.created_by_id is None:
        activity.created_by = user
    activity.full_clean()
    return save_versioned(activity, expected_version=expected_version)


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
    _require_scope(article, user)
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
    save_versioned(article, expected_version=expected_version)
    photos_add(article=article, photos=photos, user=user)
    return article


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
        raise PermissionDenied(_("该记录不在您的管理范围内。"))
    return Article.objects.select_for_update().get(pk=article.pk)


@transaction.atomic
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


@transaction.atomic
def article_return_to_draft(*, article: Article, user, note: str = "") -> Article:
    """Submitted → draft: the author withdraws it, or an editor sends it back with a note."""
    if not user.has_perm("activities.change_article"):
        raise PermissionDenied
    article = _locked(article, user)
    if article.status != Status.SUBMITTED:
        raise ValidationError(_("只有待审核的文章可以退回草稿。"))
    return _transition(article, user, Status.DRAFT, note)


@transaction.atomic
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


@transaction.atomic
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
    _require_scope(article, user)
    if not isinstance(image, CleanImage):
        image = clean_image(image)
    photo = Photo(article=article, caption=caption, position=position)
    storage = photo.image.storage
    name = photo.image.field.generate_filename(photo, image.file.name)
    stored_name = None
    try:
        with transaction.atomic():
            stored_name = storage.save(name, image.file, max_length=photo.image.field.max_length)
            photo.image.name = stored_name
            photo.width, photo.height = image.width, image.height
            photo.save()
    except BaseException:
        _remove_quietly(storage, stored_name or name)
        raise
    return photo


def _remove_quietly(storage, name: str | None) -> None:
    if not name:
        return
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError:
        pass


@transaction.atomic
def photo_update(*, photo: Photo, user, caption: str, position: int) -> Photo:
    """Change a photo's caption and order (the file itself is replaced by a new upload)."""
    _require_scope(photo, user)
    photo.caption, photo.position = caption, position
    photo.full_clean(exclude=["image"])
    photo.save(update_fields=["caption", "position"])
    save_versioned(Article.objects.get(pk=photo.article_id))  # open article forms become stale
    return photo


@transaction.atomic
def photo_delete(*, photo: Photo, user) -> None:
    _require_scope(photo, user)
    storage, name = photo.image.storage, photo.image.name
    renditions = list(photo.renditions.values_list("file", flat=True))
    photo.delete()
    transaction.on_commit(lambda: [_remove_quietly(storage, n) for n in [name, *renditions]])
