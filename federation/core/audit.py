"""The audit trail: who changed a record and why (django-simple-history), and who saw personal
data (``PersonalDataAccess``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import pgettext_lazy

from federation.core.client_ip import client_ip
from federation.models import PersonalDataAccess, User

# The change reasons of plain saves and deletes; workflow steps and imports say more.
CREATED = pgettext_lazy("history", "新建")
CHANGED = pgettext_lazy("history", "修改")
DELETED = pgettext_lazy("history", "删除")
REASON_MAX_LENGTH = 100  # django-simple-history's history_change_reason column


def set_history(instance: models.Model, *, user, reason) -> None:
    """Who and why, for the history record that the next save or delete of ``instance`` writes.

    Services set it themselves, so a change made by a task, a command or a test is attributed
    exactly like one made on a page (where the history middleware would know the user).
    """
    if getattr(user, "pk", None):
        instance._history_user = user
    text = str(reason)
    if len(text) > REASON_MAX_LENGTH:
        text = text[: REASON_MAX_LENGTH - 1] + "…"
    instance._change_reason = text


@transaction.atomic
def personal_data_access_log(
    *,
    user: User,
    model: type[models.Model],
    fields: Iterable[str],
    obj: models.Model | None = None,
    object_count: int = 1,
    kind: str = PersonalDataAccess.Kind.VIEW,
    request=None,
) -> PersonalDataAccess:
    """Record that ``user`` saw (or exported) unmasked personal ``fields`` of ``model``.

    For one object pass ``obj``; for an export pass ``object_count`` and
    ``kind=PersonalDataAccess.Kind.EXPORT``.
    """
    return PersonalDataAccess.objects.create(
        user=user,
        username=user.get_username(),
        kind=kind,
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        object_count=1 if obj is not None else object_count,
        fields=",".join(fields)[:300],
        path=(request.get_full_path()[:300] if request is not None else ""),
        ip_address=client_ip(request),
    )
