"""Writes of activities, activity news and exemplars: the one write path of each model.

Every staff page, admin page, inline, action and task calls these (see federation.core.writes
for the steps they share: scope, validation, optimistic locking, one history record each).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.images import CleanImage, clean_image
from activities.models import (
    Activity,
    Article,
    ArticleTransition,
    Exemplar,
    Photo,
    Registration,
    RegistrationSettings,
)
from activities.renditions import SQUARE_SPEC
from activities.richtext import render_body
from activities.tickets import BadTicket, new_code, normalise_code, read_ticket
from activities.validators import normalise_mobile, validate_mobile
from federation.core.audit import CHANGED, CREATED, set_history
from federation.core.locking import StaleObjectError, current_version, save_versioned
from federation.core.notifications import notify
from federation.core.scoping import (
    OUT_OF_SCOPE_MESSAGE,
    can_write_in_scope,
    in_scope,
    require_write_scope,
)
from federation.core.writes import delete_record, save_record
from federation.web.cache import public_cache_refresh

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
    previous_session = (
        None
        if activity._state.adding
        else Activity.objects.filter(pk=activity.pk)
        .values_list("brand_session_id", flat=True)
        .first()
    )
    activity = save_record(activity, user=user, expected_version=expected_version)
    # The form does not carry a counted figure: put the check-ins back (and fix a session left).
    attendance_refresh(activity=activity, session_ids=[previous_session])
    activity.refresh_from_db(fields=["participants", "participants_counted"])
    return activity


def can_delete_activity(user, activity: Activity) -> bool:
    """District roles delete any activity in scope; staff the ones they created, as long as no
    news of it was ever published and nobody signed up (their sign-ups would go with it)."""
    if not in_scope(activity, user):
        return False
    if user.has_perm("activities.delete_activity"):
        return True
    return (
        user.has_perm("activities.change_activity")
        and activity.created_by_id == user.pk
        and not Article.history.filter(activity_id=activity.pk, status=Status.PUBLISHED).exists()
        and not activity.registrations.exists()
    )


@transaction.atomic
def activity_delete(*, activity: Activity, user) -> None:
    if not can_delete_activity(user, activity):
        raise PermissionDenied(_("只能删除自己创建、没有发布过新闻且无人报名的活动。"))
    delete_record(activity, user=user)


# --- articles ----------------------------------------------------------------------------------
@transaction.atomic
def article_save(
    *,
    article: Article,
    user,
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
    article.body = render_body(article.body)
    if not article.body:
        raise ValidationError({"body": _("正文不能为空（或只含被清除的不安全内容）。")})
    save_record(article, user=user, expected_version=expected_version)
    photos_add(article=article, photos=photos, user=user)
    return article


def can_delete_article(user, article: Article) -> bool:
    """District roles delete any article in scope; authors their own drafts that were never
    published (a published one is withdrawn instead, and its history stays)."""
    if not in_scope(article, user):
        return False
    if user.has_perm("activities.delete_article"):
        return True
    return (
        user.has_perm("activities.change_article")
        and article.author_id == user.pk
        and article.status == Status.DRAFT
        and not article.history.filter(status=Status.PUBLISHED).exists()
    )


@transaction.atomic
def article_delete(*, article: Article, user) -> None:
    """Delete an article with its photos (their files go once the deletion is committed)."""
    if not can_delete_article(user, article):
        raise PermissionDenied(_("只能删除自己写的、从未发布过的草稿。"))
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
def article_send_back(*, article: Article, user, reason: str) -> Article:
    """Submitted → draft by an editor, with the reason the author is told."""
    if not can_publish(user):
        raise PermissionDenied(_("只有区妇联编辑可以退回文章。"))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("请写明退回修改的原因。"))
    if len(reason) > 300:
        raise ValidationError(_("退回原因最多 300 字。"))
    article = _locked(article, user)
    if article.status != Status.SUBMITTED:
        raise ValidationError(_("只有待审核的文章可以退回修改。"))
    article = _transition(article, user, Status.DRAFT, reason)
    if article.author_id != user.pk:
        notify(
            article.author,
            _("《%(title)s》被退回修改：%(reason)s") % {"title": article.title, "reason": reason},
            reverse("staff:article_preview", args=[article.pk]),
        )
    return article


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
    article = _transition(article, user, Status.PUBLISHED, note)
    if article.author_id != user.pk:
        if publish_at > now:
            message = _("《%(title)s》已审核通过，将于 %(at)s（北京时间）自动公开。") % {
                "title": article.title,
                "at": timezone.localtime(publish_at).strftime("%Y-%m-%d %H:%M"),
            }
        else:
            message = _("《%(title)s》已发布。") % {"title": article.title}
        notify(article.author, message, reverse("staff:article_preview", args=[article.pk]))
    return article


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
    *,
    photo: Photo,
    user,
    caption: str,
    position: int,
    image: CleanImage | object | None = None,
    focus: tuple[int, int] | None = None,
) -> Photo:
    """Change a photo's caption and order, its focal point (``focus``: x, y in percent), and its
    file when a new ``image`` is given (the old file and its renditions go once the change is
    committed)."""
    require_write_scope(photo, user)
    # As stored: an admin form has already put its upload on the instance it was given.
    photo = Photo.objects.get(pk=photo.pk)
    photo.caption, photo.position = caption, position
    fields = ["caption", "position"]
    refocused = focus is not None and focus != (photo.focus_x, photo.focus_y)
    if refocused:
        photo.focus_x, photo.focus_y = focus
        fields += ["focus_x", "focus_y"]
    photo.full_clean(exclude=["image"])
    set_history(photo, user=user, reason=CHANGED)
    if image is None:
        photo.save(update_fields=fields)
        if refocused:
            # The square crop follows the new point: made again at its next use.
            photo.renditions.filter(spec=SQUARE_SPEC).delete()
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
def article_photos_save(
    *,
    article: Article,
    user,
    rows: Iterable[tuple[Photo, str, int, bool] | tuple[Photo, str, int, bool, tuple[int, int]]],
    cover: Photo | None,
    expected_version: int | None = None,
) -> Article:
    """The photo panel in one step: each row's caption and order (or its deletion) and the
    article's cover (设为封面), all or nothing; a stale panel is refused (optimistic lock)."""
    if not can_edit_article(user, article):
        raise PermissionDenied(_("文章正在审核或已发布，只有编辑可以修改。"))
    rows = list(rows)
    # A row may carry the photo's focal point (x, y) as a fifth item.
    rows = [(*row, None) if len(row) == 4 else tuple(row) for row in rows]
    deleted = {photo.pk for photo, _caption, _position, delete, _focus in rows if delete}
    if cover is not None and (cover.article_id != article.pk or cover.pk in deleted):
        raise ValidationError(_("封面只能是本文保留的照片之一。"))
    # The article first: its version check covers the whole panel.
    if expected_version is not None and expected_version != current_version(article, lock=True):
        raise StaleObjectError()
    if cover != article.cover_photo:
        article.cover_photo = cover
        save_record(article, user=user)
    # As stored (a form has already put its values on the instances it was given).
    stored = {
        pk: (stored_caption, stored_position, (focus_x, focus_y))
        for pk, stored_caption, stored_position, focus_x, focus_y in Photo.objects.filter(
            pk__in=[photo.pk for photo, *_rest in rows]
        ).values_list("pk", "caption", "position", "focus_x", "focus_y")
    }
    for photo, caption, position, delete, focus in rows:
        if photo.article_id != article.pk:
            raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)
        if delete:
            photo_delete(photo=photo, user=user)
            continue
        was_caption, was_position, was_focus = stored.get(photo.pk, (None, None, None))
        if (caption, position) != (was_caption, was_position) or (
            focus is not None and focus != was_focus
        ):
            photo_update(photo=photo, user=user, caption=caption, position=position, focus=focus)
    article.refresh_from_db()
    return article


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


# --- sign-up (报名) and check-in (签到), issue 13 ----------------------------------------------------
# Every change of places takes the activity row's lock first (SELECT … FOR UPDATE on PostgreSQL;
# SQLite runs the transaction IMMEDIATE, which serialises writers), so counting the places and
# taking one cannot interleave between two sign-ups: capacity is never exceeded.
Reg = Registration
RegStatus = Registration.Status


def _signup_error(message, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _lock_activity(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _settings_of(activity: Activity) -> RegistrationSettings | None:
    return RegistrationSettings.objects.filter(activity_id=activity.pk).first()


def _places_taken(activity: Activity) -> int:
    return Registration.objects.filter(activity_id=activity.pk).places_taken().count()


def _fill_places(activity: Activity, settings_: RegistrationSettings, now) -> list[Registration]:
    """Promote the waitlist, first come first served, while places are free (lock held)."""
    free = settings_.capacity - _places_taken(activity)
    if free <= 0:
        return []
    promoted = list(Registration.objects.filter(activity_id=activity.pk).waitlist()[:free])
    for registration in promoted:
        registration.status = RegStatus.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
    return promoted


def covered_enterprises(activity: Activity):
    """The enterprises whose women may sign up for a "covered only" activity: those covered by the
    organiser and its women's groups (all covered ones when the district federation organises)."""
    from organizations.models import Enterprise, Federation

    covered = Enterprise.objects.covered()
    organizer = activity.organizer
    if organizer.level == Federation.Level.DISTRICT:
        return covered
    return covered.filter(Q(federation_id=organizer.pk) | Q(federation__parent_id=organizer.pk))


@transaction.atomic
def registration_settings_save(
    *, registration_settings: RegistrationSettings, user, expected_version: int | None = None
) -> RegistrationSettings:
    """Create or change an activity's sign-up settings; more places promote the waitlist."""
    activity = registration_settings.activity
    require_write_scope(activity, user)
    _lock_activity(activity)
    registration_settings.full_clean()
    if (
        registration_settings.opens_at
        and registration_settings.opens_at >= registration_settings.closes()
    ):
        raise ValidationError(
            {"opens_at": _("报名开始时间须早于截止时间（未填截止时间时为活动开始时间）。")}
        )
    save_versioned(registration_settings, expected_version=expected_version)
    _fill_places(activity, registration_settings, timezone.now())
    attendance_refresh(activity=activity)
    return registration_settings


@transaction.atomic
def registration_create(
    *,
    activity: Activity,
    participant_name: str,
    mobile: str,
    consent: bool,
    enterprise=None,
    workplace: str = "",
    children_count: int | None = None,
    children_ages: str = "",
    answer: str = "",
    ip_address: str | None = None,
    now=None,
) -> Registration:
    """A public sign-up: a place while there is one and nobody waits, else the waitlist."""
    now = now or timezone.now()
    participant_name = (participant_name or "").strip()
    mobile = normalise_mobile(mobile)
    if not participant_name:
        raise _signup_error(_("请填写姓名。"), "name")
    validate_mobile(mobile)
    if not consent:
        raise _signup_error(_("请阅读并勾选同意《个人信息告知》后再提交。"), "consent")
    activity = _lock_activity(activity)
    config = _settings_of(activity)
    if config is None or not config.is_enabled:
        raise _signup_error(_("本活动不开放在线报名。"), "closed")
    if config.opens_at and now < config.opens_at:
        raise _signup_error(
            _("报名尚未开始，开始时间：%(at)s。")
            % {"at": timezone.localtime(config.opens_at).strftime("%Y-%m-%d %H:%M")},
            "not_yet",
        )
    if now >= config.closes():
        raise _signup_error(_("报名已截止。"), "closed")
    covered_only = config.eligibility == RegistrationSettings.Eligibility.COVERED
    if covered_only and (
        enterprise is None or not covered_enterprises(activity).filter(pk=enterprise.pk).exists()
    ):
        raise _signup_error(
            _("本活动仅限本妇联覆盖企业的女职工报名，请从列表中选择所在企业。"), "not_eligible"
        )
    # One query under the lock: this mobile's active registration, places taken, people waiting.
    active = Q(status__in=[RegStatus.CONFIRMED, RegStatus.WAITLISTED])
    tally = Registration.objects.filter(activity_id=activity.pk).aggregate(
        same_mobile=Count("pk", filter=active & Q(mobile=mobile)),
        taken=Count("pk", filter=Q(status=RegStatus.CONFIRMED) & ~Q(source=Reg.Source.WALK_IN)),
        waiting=Count("pk", filter=Q(status=RegStatus.WAITLISTED)),
    )
    if tally["same_mobile"]:
        raise _signup_error(
            _(
                "该手机号已报名本活动，每个手机号只能报名一次。如需查看报名凭证，请使用报名时得到的报名码。"
            ),
            "duplicate",
        )
    if not tally["waiting"] and tally["taken"] < config.capacity:
        status = RegStatus.CONFIRMED
    elif config.waitlist:
        status = RegStatus.WAITLISTED
    else:
        raise _signup_error(_("名额已满，本活动不设候补。"), "full")
    code = new_code()
    while Registration.objects.filter(code=code).exists():
        code = new_code()
    return Registration.objects.create(
        activity=activity,
        code=code,
        participant_name=participant_name[:40],
        mobile=mobile,
        enterprise=enterprise if config.asks_workplace else None,
        workplace=(workplace or "").strip()[:120]
        if config.asks_workplace and enterprise is None
        else "",
        children_count=children_count if config.ask_children else None,
        children_ages=children_ages if config.ask_children else "",
        answer=(answer or "").strip()[:500] if config.question else "",
        status=status,
        created_at=now,
        queued_at=now,
        confirmed_at=now if status == RegStatus.CONFIRMED else None,
        consented_at=now,
        ip_address=ip_address,
    )


def registration_by_code(*, activity: Activity, code: str) -> Registration | None:
    code = normalise_code(code)
    if not code:
        return None
    return Registration.objects.filter(activity_id=activity.pk, code=code).first()


@transaction.atomic
def registration_cancel(*, registration: Registration, user=None, now=None) -> list[Registration]:
    """Cancel (by the person with their code, ``user`` None, or by staff): the freed place goes
    to the first on the waitlist. Returns the registrations promoted."""
    now = now or timezone.now()
    activity = _lock_activity(registration.activity)
    registration = Registration.objects.get(pk=registration.pk)
    if user is not None:
        require_write_scope(activity, user)
    if registration.status == RegStatus.CANCELLED:
        raise _signup_error(_("该报名已经取消。"), "cancelled")
    if registration.checked_in_at:
        raise _signup_error(_("已签到的报名不能取消。"), "checked_in")
    if user is None and now >= activity.starts_at:
        raise _signup_error(_("活动已开始，不能在线取消报名；如有需要请联系主办方。"), "started")
    held_place = registration.status == RegStatus.CONFIRMED
    registration.status = RegStatus.CANCELLED
    registration.cancelled_at = now
    registration.cancelled_by = user
    registration.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    config = _settings_of(activity)
    if held_place and config is not None:
        return _fill_places(activity, config, now)
    return []


@transaction.atomic
def registration_confirm(*, registration: Registration, user, now=None) -> Registration:
    """Staff give a waitlisted person a free place (never beyond the capacity)."""
    now = now or timezone.now()
    activity = _lock_activity(registration.activity)
    require_write_scope(activity, user)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status != RegStatus.WAITLISTED:
        raise _signup_error(_("只有候补中的报名可以确认。"), "not_waitlisted")
    config = _settings_of(activity)
    capacity = config.capacity if config else 0
    if _places_taken(activity) >= capacity:
        raise _signup_error(
            _(
                "名额已满（%(n)d 个），不能再确认。如需为此人留出名额，请先增加名额或将另一位移入候补。"
            )
            % {"n": capacity},
            "full",
        )
    registration.status = RegStatus.CONFIRMED
    registration.confirmed_at = now
    registration.save(update_fields=["status", "confirmed_at"])
    return registration


@transaction.atomic
def registration_to_waitlist(*, registration: Registration, user, now=None) -> Registration:
    """Staff move a confirmed person to the end of the waitlist. The freed place is not filled
    automatically, so that staff can confirm whomever they meant to make room for."""
    now = now or timezone.now()
    activity = _lock_activity(registration.activity)
    require_write_scope(activity, user)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status != RegStatus.CONFIRMED or registration.source == Reg.Source.WALK_IN:
        raise _signup_error(_("只有在线报名成功的报名可以移入候补。"), "not_confirmed")
    if registration.checked_in_at:
        raise _signup_error(_("已签到的报名不能移入候补。"), "checked_in")
    registration.status = RegStatus.WAITLISTED
    registration.queued_at = now
    registration.confirmed_at = None
    registration.save(update_fields=["status", "queued_at", "confirmed_at"])
    return registration


class CheckIn:
    """The outcome of one check-in attempt, for the staff phone."""

    OK, ALREADY = "ok", "already"

    def __init__(self, registration: Registration, outcome: str):
        self.registration = registration
        self.outcome = outcome


def _check_in(registration: Registration, *, user, method: str, scan_id: str, now) -> CheckIn:
    if registration.checked_in_at:
        if scan_id and scan_id == registration.checkin_scan_id:
            return CheckIn(
                registration, CheckIn.OK
            )  # the same scan, sent again after a lost connection
        return CheckIn(registration, CheckIn.ALREADY)
    if registration.status == RegStatus.WAITLISTED:
        raise _signup_error(
            _("此人在候补名单中，尚未获得名额；如有空余名额，请先在报名名单中确认。"), "waitlisted"
        )
    if registration.status == RegStatus.CANCELLED:
        raise _signup_error(_("该报名已取消，不能签到。"), "cancelled")
    if registration.is_erased:
        raise _signup_error(_("该报名的个人信息已按期删除，不能签到。"), "erased")
    registration.checked_in_at = now
    registration.checked_in_by = user
    registration.checkin_method = method
    registration.checkin_scan_id = scan_id[:40]
    registration.save(
        update_fields=["checked_in_at", "checked_in_by", "checkin_method", "checkin_scan_id"]
    )
    attendance_refresh(activity=registration.activity)
    return CheckIn(registration, CheckIn.OK)


@transaction.atomic
def registration_check_in(
    *, activity: Activity, user, ticket: str = "", code: str = "", scan_id: str = "", now=None
) -> CheckIn:
    """Staff check a person in by their scanned QR ticket or their typed code."""
    now = now or timezone.now()
    require_write_scope(activity, user)
    if not user.has_perm("activities.change_registration"):
        raise PermissionDenied
    activity = _lock_activity(activity)
    if ticket:
        try:
            ticket_activity, code = read_ticket(ticket)
        except BadTicket:
            raise _signup_error(
                _("无法识别的二维码：不是本平台签发的报名凭证。"), "forged"
            ) from None
        if ticket_activity != activity.pk:
            raise _signup_error(_("这张凭证不属于本场活动，请核对活动。"), "other_activity")
        method = Reg.CheckinMethod.QR
    else:
        method = Reg.CheckinMethod.CODE
    registration = registration_by_code(activity=activity, code=code)
    if registration is None:
        raise _signup_error(
            _("没有找到这个报名码，请核对后重新输入（共8位，不含字母O和I）。"), "unknown_code"
        )
    registration.activity = activity
    return _check_in(registration, user=user, method=method, scan_id=scan_id, now=now)


@transaction.atomic
def registration_self_check_in(*, activity: Activity, code: str, now=None) -> CheckIn:
    """A participant checks in on their own phone, having scanned the rotating 签到码."""
    now = now or timezone.now()
    activity = _lock_activity(activity)
    registration = registration_by_code(activity=activity, code=code)
    if registration is None:
        raise _signup_error(_("没有找到这个报名码，请核对后重新输入。"), "unknown_code")
    registration.activity = activity
    return _check_in(registration, user=None, method=Reg.CheckinMethod.SELF, scan_id="", now=now)


@transaction.atomic
def registration_walk_in(
    *, activity: Activity, user, participant_name: str, mobile: str, now=None
) -> CheckIn:
    """Someone who came without signing up: recorded and checked in (walk-ins take no place).

    A mobile that already has a registration checks that one in instead of adding a second.
    """
    now = now or timezone.now()
    require_write_scope(activity, user)
    if not user.has_perm("activities.add_registration"):
        raise PermissionDenied
    participant_name = (participant_name or "").strip()
    mobile = normalise_mobile(mobile)
    if not participant_name:
        raise _signup_error(_("请填写姓名。"), "name")
    validate_mobile(mobile)
    activity = _lock_activity(activity)
    existing = Registration.objects.filter(activity_id=activity.pk, mobile=mobile).active().first()
    if existing is not None:
        existing.activity = activity
        if existing.status == RegStatus.WAITLISTED:
            # Present at the venue: recorded as a walk-in so the waitlist's place count stays true.
            existing.status, existing.source, existing.confirmed_at = (
                RegStatus.CONFIRMED,
                Reg.Source.WALK_IN,
                now,
            )
            existing.save(update_fields=["status", "source", "confirmed_at"])
        return _check_in(existing, user=user, method=Reg.CheckinMethod.CODE, scan_id="", now=now)
    code = new_code()
    while Registration.objects.filter(code=code).exists():
        code = new_code()
    registration = Registration.objects.create(
        activity=activity,
        code=code,
        participant_name=participant_name[:40],
        mobile=mobile,
        status=RegStatus.CONFIRMED,
        source=Reg.Source.WALK_IN,
        created_at=now,
        queued_at=now,
        confirmed_at=now,
    )
    return _check_in(registration, user=user, method=Reg.CheckinMethod.WALK_IN, scan_id="", now=now)


def uses_registration(activity: Activity) -> bool:
    return (
        RegistrationSettings.objects.filter(
            activity_id=activity.pk, mode=RegistrationSettings.Mode.OPEN
        ).exists()
        or Registration.objects.filter(activity_id=activity.pk).exists()
    )


def attendance_refresh(*, activity: Activity, session_ids: Iterable[int | None] = ()) -> None:
    """Make the figures count themselves: an activity with sign-up gets its participant figure
    from its check-ins, a brand session the sum of its counted activities (签到统计). Activities
    and sessions without sign-up keep the typed figure (填报).

    Written with ``update()``: a figure, not an edit, so no history row and no version bump.
    """
    row = (
        Activity.objects.filter(pk=activity.pk)
        .values("brand_session_id", "participants", "participants_counted")
        .first()
    )
    if row is None:
        return
    if uses_registration(activity):
        attended = Registration.objects.filter(activity_id=activity.pk).checked_in().count()
        changed = row["participants"] != attended or not row["participants_counted"]
        Activity.objects.filter(pk=activity.pk).update(
            participants=attended, participants_counted=True
        )
    else:
        changed = row["participants_counted"]
        Activity.objects.filter(pk=activity.pk).update(participants_counted=False)
    for session_id in {row["brand_session_id"], *session_ids} - {None}:
        changed = brand_session_attendance_refresh(session_id=session_id) or changed
    if changed:
        public_cache_refresh()


def brand_session_attendance_refresh(*, session_id: int) -> bool:
    """A session's 参与人次 is the sum of its counted activities' check-ins when it has any.
    Returns whether the stored figure changed."""
    from brands.models import BrandSession

    counted = Activity.objects.filter(brand_session_id=session_id, participants_counted=True)
    row = (
        BrandSession.objects.filter(pk=session_id)
        .values("participants", "participants_counted")
        .first()
    )
    if row is None:
        return False
    if counted.exists():
        total = counted.aggregate(n=Sum("participants"))["n"] or 0
        BrandSession.objects.filter(pk=session_id).update(
            participants=total, participants_counted=True
        )
        return row["participants"] != total or not row["participants_counted"]
    BrandSession.objects.filter(pk=session_id).update(participants_counted=False)
    return row["participants_counted"]


@transaction.atomic
def registrations_erase_expired(*, now=None, keep_days: int | None = None) -> int:
    """Erase names, mobiles and answers ``keep_days`` (REGISTRATION_KEEP_DAYS) after the activity
    ended; the rows stay, so every figure still counts them. Returns how many were erased."""
    now = now or timezone.now()
    keep_days = django_settings.REGISTRATION_KEEP_DAYS if keep_days is None else keep_days
    cutoff = now - datetime.timedelta(days=keep_days)
    ended = Activity.objects.filter(
        Q(ends_at__lt=cutoff) | Q(ends_at__isnull=True, starts_at__lt=cutoff)
    )
    return Registration.objects.filter(activity__in=ended, erased_at__isnull=True).update(
        participant_name="",
        mobile="",
        workplace="",
        children_ages="",
        answer="",
        ip_address=None,
        checkin_scan_id="",
        erased_at=now,
    )


@transaction.atomic
def registrations_erase(*, registrations, user) -> int:
    """Erase the personal data of chosen registrations now (a person's request, PIPL art. 47)."""
    ids = [
        r.pk
        for r in registrations.select_related("activity")
        if can_write_in_scope(r.activity, user)
    ]
    return Registration.objects.filter(pk__in=ids, erased_at__isnull=True).update(
        participant_name="",
        mobile="",
        workplace="",
        children_ages="",
        answer="",
        ip_address=None,
        checkin_scan_id="",
        erased_at=timezone.now(),
    )


@transaction.atomic
def brand_session_signup_open(*, session, user, capacity: int = 50) -> Activity:
    """Sign-up for a brand session goes through its activity: the session's first activity, or a
    new one made from the session (date, place, organiser), with sign-up settings to adjust."""
    activity = Activity.objects.filter(brand_session=session).order_by("starts_at", "pk").first()
    if activity is None:
        tz = timezone.get_current_timezone()
        starts = datetime.datetime.combine(session.starts_on, datetime.time(9, 0), tzinfo=tz)
        ends = datetime.datetime.combine(
            session.ends_on or session.starts_on, datetime.time(17, 0), tzinfo=tz
        )
        activity = Activity(
            title=str(session)[:160],
            category=Activity.Category.URGENT_NEEDS,
            brand=session.brand,
            brand_session=session,
            site=session.site,
            organizer=session.federation or session.brand.organizer,
            starts_at=starts,
            ends_at=ends,
            description=session.title,
        )
        if activity.organizer_id is None:
            raise ValidationError(_("请先为本期或其品牌填写承办/主办妇联，再开启报名。"))
        activity = activity_save(activity=activity, user=user)
    if not RegistrationSettings.objects.filter(activity=activity).exists():
        registration_settings_save(
            registration_settings=RegistrationSettings(activity=activity, capacity=capacity),
            user=user,
        )
    return activity
