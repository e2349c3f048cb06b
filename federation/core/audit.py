"""Writes of the federation app."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from federation.core.client_ip import client_ip
from federation.models import PersonalDataAccess, User


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
