"""Personal data: the one rule of who sees what, used by the admin and the staff pages.

Users without ``organizations.view_contact`` see masked values (``138****5678`` for phones,
``张*`` for names) on change pages, changelists and history pages; every display of an unmasked
value to the others is logged (:func:`log_unmasked_view`, writing ``PersonalDataAccess``).
The admin applies this through ``federation.core.admin_privacy.PersonalDataAdminMixin``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

CONTACT_PERMISSION = "organizations.view_contact"
MASK = "*"


def mask_phone(value: str | None) -> str:
    """Keep the first three and last four characters: 13812345678 → 138****5678."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) >= 8:
        return text[:3] + MASK * (len(text) - 7) + text[-4:]
    if len(text) >= 5:
        return text[:1] + MASK * (len(text) - 3) + text[-2:]
    return MASK * len(text)


def mask_name(value: str | None) -> str:
    """Keep the first character (the surname): 张三 → 张*, 欧阳娜娜 → 欧***."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) == 1:
        return MASK
    return text[0] + MASK * (len(text) - 1)


def mask_email(value: str | None) -> str:
    text = (value or "").strip()
    local, at, domain = text.partition("@")
    if not at:
        return mask_name(text)
    return mask_name(local) + "@" + domain


def can_view_contact(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(CONTACT_PERMISSION))


#: The personal fields of the network's records (Federation, Enterprise), of sign-ups
#: (activities.Registration) and how each is masked.
PERSONAL_FIELDS = {
    "contact_name": mask_name,
    "contact_phone": mask_phone,
    "participant_name": mask_name,
    "mobile": mask_phone,
}


def personal_fields(model) -> list[str]:
    """The personal fields ``model`` has, in :data:`PERSONAL_FIELDS` order."""
    names = {field.name for field in model._meta.get_fields()}
    return [name for name in PERSONAL_FIELDS if name in names]


def mask(field: str, value) -> str:
    return PERSONAL_FIELDS[field]("" if value is None else str(value))


def filled(obj, fields: Iterable[str]) -> list[str]:
    """The fields of ``fields`` that hold a value on ``obj`` (only those can be revealed)."""
    return [field for field in fields if obj is not None and getattr(obj, field, "")]


def history_delta(delta, user):
    """A django-simple-history diff as ``user`` may see it.

    Returns ``(delta, revealed)``: the diff with personal values masked for users without the
    permission, and the personal fields whose full values it shows (to be logged).
    """
    personal = sorted({change.field for change in delta.changes if change.field in PERSONAL_FIELDS})
    if not personal:
        return delta, []
    if can_view_contact(user):
        return delta, personal
    changes = [
        dataclasses.replace(
            change, old=mask(change.field, change.old), new=mask(change.field, change.new)
        )
        if change.field in PERSONAL_FIELDS
        else change
        for change in delta.changes
    ]
    return dataclasses.replace(delta, changes=changes), []


def log_unmasked_view(*, request, model, fields: Iterable[str], obj=None, object_count: int = 1):
    """Log that ``request.user`` was shown the full values of ``fields`` (nothing if none)."""
    from federation.core.audit import personal_data_access_log

    fields = list(fields)
    if not fields or not can_view_contact(request.user):
        return None
    return personal_data_access_log(
        user=request.user,
        model=model,
        obj=obj,
        object_count=object_count,
        fields=fields,
        request=request,
    )
