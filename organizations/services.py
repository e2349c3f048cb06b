"""Writes of the organizations app: records kept by people (staff pages and admin), the one
write path of each model (see federation.core.writes). Spreadsheet imports and logged exports
live in ``organizations.importing``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from federation.core.writes import delete_record, save_record
from organizations.models import (
    Enterprise,
    Federation,
    OpeningHours,
    ServiceSite,
)

# --- records kept by people: one write path per model (see federation.core.writes) ----------


@transaction.atomic
def federation_save(
    *, federation: Federation, user, expected_version: int | None = None
) -> Federation:
    """Create or update a federation (admin, its inline women's groups, the staff profile page).

    Without network scope, its level, kind, parent and active flag cannot change (the
    ``network_fields`` the app registered); a new one only as a women's group of the user's own.
    """
    return save_record(federation, user=user, expected_version=expected_version)


@transaction.atomic
def federation_delete(*, federation: Federation, user) -> None:
    delete_record(federation, user=user)


@transaction.atomic
def enterprise_save(
    *, enterprise: Enterprise, user, expected_version: int | None = None
) -> Enterprise:
    """Create or update one enterprise (the spreadsheet import writes many in bulk)."""
    return save_record(enterprise, user=user, expected_version=expected_version)


@transaction.atomic
def enterprise_delete(*, enterprise: Enterprise, user) -> None:
    delete_record(enterprise, user=user)


@transaction.atomic
def site_save(
    *,
    site: ServiceSite,
    user,
    expected_version: int | None = None,
    hours: Iterable[tuple[int, datetime.time, datetime.time]] | None = None,
) -> ServiceSite:
    """Create or update a service site; ``hours`` (weekday, opens, closes) replace its hours."""
    reason = None
    if hours is not None:
        hours = sorted(hours)
        before = (
            _hours_text((h.weekday, h.opens, h.closes) for h in site.hours.all()) if site.pk else ""
        )
        after = _hours_text(hours)
        if before != after:
            # Opening hours have no history of their own: the site's history record says it.
            reason = _("开放时间：%(hours)s") % {"hours": after or "—"}
    save_record(site, user=user, expected_version=expected_version, reason=reason)
    if hours is not None:
        site.hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(site=site, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in hours
        )
        # bulk_create sends no signals; the site's own save above refreshes the page cache once
        # this transaction commits, hours included.
    return site


@transaction.atomic
def site_delete(*, site: ServiceSite, user) -> None:
    delete_record(site, user=user)


def _hours_text(hours) -> str:
    names = dict(OpeningHours.Weekday.choices)
    return "，".join(
        f"{names[day]}{opens:%H:%M}-{closes:%H:%M}" for day, opens, closes in sorted(hours)
    )
