"""Writes of the organizations app: records kept by people (staff pages and admin).
Spreadsheet imports and logged exports live in ``organizations.importing``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from federation.core.locking import save_versioned
from federation.core.scoping import can_write_in_scope, has_network_scope
from organizations.models import (
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
        before = (
            _hours_text((h.weekday, h.opens, h.closes) for h in site.hours.all()) if site.pk else ""
        )
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
