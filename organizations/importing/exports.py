"""Exports of the lists in the import template's columns: scoped, logged, contacts only if allowed."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import override

from federation.core.audit import personal_data_access_log
from federation.core.scoping import scope_queryset
from federation.models import PersonalDataAccess
from organizations.importing.specs import SPECS, export_value
from organizations.importing.writers import csv_bytes, xlsx_bytes
from organizations.models import ExportLog

logger = logging.getLogger(__name__)


def list_export(
    *,
    kind: str,
    queryset: QuerySet,
    user,
    file_format: str,
    filters: str = "",
    with_contacts: bool = False,
) -> tuple[bytes, int]:
    """The list in the template's columns, scoped to the user, logged; contacts only if allowed.

    ``user=None`` is the command line: the whole network, contacts only with ``with_contacts``.
    """
    spec = SPECS[kind]
    if user is None:
        with_personal = with_contacts
    else:
        with_personal = user.has_perm("organizations.view_contact")
        queryset = scope_queryset(queryset, user)
    columns = [c for c in spec.columns if with_personal or not c.personal]
    related = [c.field for c in columns if c.ref]
    if related:
        queryset = queryset.select_related(*related)
    rows = []
    with override("zh-hans"):
        headers = [str(c.header) for c in columns]
        for obj in queryset.iterator(chunk_size=2000):
            rows.append([export_value(spec, c, obj) for c in columns])
        if file_format == "csv":
            content = csv_bytes(headers, rows)
        else:
            content = xlsx_bytes(str(spec.sheet_title), headers, rows)
    personal = [c.field for c in columns if c.personal]
    with transaction.atomic():
        ExportLog.objects.create(
            kind=kind,
            user=user if getattr(user, "pk", None) else None,
            file_format=file_format,
            row_count=len(rows),
            with_personal_data=bool(personal),
            filters=filters[:500],
        )
        if personal and getattr(user, "pk", None):
            # The personal-data access log sees exports of unmasked contacts too.
            personal_data_access_log(
                user=user,
                model=spec.model,
                fields=personal,
                object_count=len(rows),
                kind=PersonalDataAccess.Kind.EXPORT,
            )
    logger.info("export %s by %s: %d rows (%s)", kind, user, len(rows), file_format)
    return content, len(rows)
