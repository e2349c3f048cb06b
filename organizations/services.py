"""Writes of the organizations app: records kept by people (staff pages and admin) and logged
exports. Spreadsheet imports have their own lifecycle: ``organizations.importing.jobs``."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import override

from federation.core.audit import personal_data_access_log
from federation.core.locking import save_versioned
from federation.core.scoping import can_write_in_scope, has_network_scope, scope_queryset
from federation.models import PersonalDataAccess
from organizations.importing.specs import SPECS, export_value
from organizations.importing.writers import csv_bytes, xlsx_bytes
from organizations.models import (
    ExportLog,
    Federation,
    OpeningHours,
    ServiceSite,
)

# A federation's own staff keep its profile; its place in the network is the district's call.
PROFILE_LOCKED_FIELDS = ("level", "kind", "parent", "is_active")


def _require_scope(obj, user) -> None:
    if not can_write_in_scope(obj, user):
        raise PermissionDenied(_("该记录不在您的管理范围内。"))


@transaction.atomic
def federation_update_profile(
    *, federation: Federation, user, expected_version: int | None = None
) -> Federation:
    """Save a federation's profile; without network scope its level/parent/kind cannot change."""
    _require_scope(federation, user)
    if not has_network_scope(user):
        stored = Federation.objects.get(pk=federation.pk)
        for name in PROFILE_LOCKED_FIELDS:
            if getattr(federation, name) != getattr(stored, name):
                raise PermissionDenied(_("组织层级、上级组织和组建形式只能由区妇联修改。"))
    federation.full_clean()
    return save_versioned(federation, expected_version=expected_version)


@transaction.atomic
def site_save(
    *,
    site: ServiceSite,
    user,
    expected_version: int | None = None,
    hours: Iterable[tuple[int, datetime.time, datetime.time]] | None = None,
) -> ServiceSite:
    """Create or update a service site; ``hours`` (weekday, opens, closes) replace its hours."""
    _require_scope(site, user)
    site.full_clean()
    if hours is not None:
        hours = sorted(hours)
        before = _hours_text(
            (h.weekday, h.opens, h.closes) for h in site.hours.all()
        ) if site.pk else ""
        after = _hours_text(hours)
        if before != after:
            # Opening hours have no history of their own: the site's history record says it.
            reason = str(_("开放时间：%(hours)s")) % {"hours": after or "—"}
            site._change_reason = reason if len(reason) <= 100 else reason[:99] + "…"
    save_versioned(site, expected_version=expected_version)
    if hours is not None:
        site.hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(site=site, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in hours
        )
    return site


def _hours_text(hours) -> str:
    names = dict(OpeningHours.Weekday.choices)
    return "，".join(
        f"{names[day]}{opens:%H:%M}-{closes:%H:%M}" for day, opens, closes in sorted(hours)
    )


logger = logging.getLogger(__name__)


# --- export --------------------------------------------------------------------------------------


def list_export(
    *, kind: str, queryset: QuerySet, user, file_format: str, filters: str = ""
) -> tuple[bytes, int]:
    """The list in the template's columns, scoped to the user, logged; contacts only if allowed."""
    spec = SPECS[kind]
    with_personal = user.has_perm("organizations.view_contact")
    columns = [c for c in spec.columns if with_personal or not c.personal]
    queryset = scope_queryset(queryset, user)
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
            kind=kind, user=user if getattr(user, "pk", None) else None, file_format=file_format,
            row_count=len(rows), with_personal_data=bool(personal), filters=filters[:500],
        )
        if personal and getattr(user, "pk", None):
            # The personal-data access log sees exports of unmasked contacts too.
            personal_data_access_log(
                user=user, model=spec.model, fields=personal, object_count=len(rows),
                kind=PersonalDataAccess.Kind.EXPORT,
            )
    logger.info("export %s by %s: %d rows (%s)", kind, user, len(rows), file_format)
    return content, len(rows)

