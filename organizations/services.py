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
    CoverageTarget,
    Enterprise,
    ExportLog,
    Federation,
    FollowUpVisit,
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


# --- the coverage drive: 纳入覆盖, 分派跟进, follow-up visits ---------------------------------


class CoverageRefused(Exception):
    """A coverage action refused: nothing was written. ``refusals`` pairs each refused
    enterprise (or None for the whole request) with its reason; ``warnings`` are the rows that
    would go through once the user confirms them (a 楼宇妇联 covering another building)."""

    def __init__(self, refusals=(), warnings=()):
        self.refusals = list(refusals)
        self.warnings = list(warnings)
        super().__init__("; ".join(str(reason) for _obj, reason in self.refusals + self.warnings))


def _serves_other_place(enterprise: Enterprise, federation: Federation) -> bool:
    """A building or park federation (its short name is its building or park) covering an
    enterprise recorded in another building or park."""
    if federation.kind not in (Federation.Kind.BUILDING, Federation.Kind.PARK):
        return False
    place = federation.short_name or federation.name
    return bool(enterprise.building) and enterprise.building != place


def _check_coverage_target(federation: Federation | None, user) -> list:
    from federation.core.scoping import federation_ids

    if not user.has_perm("organizations.cover_enterprise"):
        return [(None, _("您没有纳入覆盖和分派跟进的权限。"))]
    if federation is None:
        return [(None, _("请选择妇联组织。"))]
    ids = federation_ids(user)
    if ids is not None and federation.pk not in ids:
        return [(None, _("妇联“%(name)s”不在您的管理范围内。") % {"name": federation})]
    if federation.level != Federation.Level.GRASSROOTS or not federation.is_active:
        return [(None, _("只能选择有效的基层妇联。"))]
    return []


def _locked_worklist_rows(enterprise_ids) -> list[Enterprise]:
    return list(
        Enterprise.objects.select_for_update().filter(pk__in=list(enterprise_ids)).order_by("pk")
    )


@transaction.atomic
def coverage_cover(
    *,
    enterprise_ids: Iterable[int],
    federation: Federation | None,
    covered_since: datetime.date | None,
    user,
    confirmed: bool = False,
) -> list[Enterprise]:
    """纳入覆盖: the selected surveyed, uncovered enterprises become covered by ``federation``
    from ``covered_since``. All or nothing: any refused row refuses the whole request."""
    from django.utils import timezone

    ids = set(enterprise_ids)
    refusals = _check_coverage_target(federation, user)
    if not ids:
        refusals.append((None, _("请至少选择一家企业。")))
    if covered_since is None:
        refusals.append((None, _("请填写覆盖起始日期。")))
    elif covered_since > timezone.localdate():
        refusals.append((None, _("覆盖起始日期不能晚于今天。")))
    if refusals:
        raise CoverageRefused(refusals)
    rows = _locked_worklist_rows(ids)
    refusals, warnings = _row_refusals(rows, ids), []
    for enterprise in rows:
        if enterprise.surveyed_on and enterprise.surveyed_on > covered_since:
            refusals.append(
                (enterprise, _("%(name)s：覆盖起始日期早于摸排日期。") % {"name": enterprise})
            )
        elif not confirmed and _serves_other_place(enterprise, federation):
            warnings.append(
                (
                    enterprise,
                    _("%(name)s 位于“%(building)s”，不在%(federation)s所在楼宇或园区，请确认。")
                    % {
                        "name": enterprise,
                        "building": enterprise.building,
                        "federation": federation,
                    },
                )
            )
    if refusals or warnings:
        raise CoverageRefused(refusals, warnings)
    reason = _("纳入覆盖：%(federation)s，自%(date)s起") % {
        "federation": federation,
        "date": covered_since.isoformat(),
    }
    for enterprise in rows:
        enterprise.federation = federation
        enterprise.covered_since = covered_since
        enterprise.followed_by = None
        save_record(enterprise, user=user, reason=reason)
    return rows


@transaction.atomic
def coverage_assign(*, enterprise_ids: Iterable[int], federation: Federation | None, user):
    """分派跟进: give the selected uncovered enterprises to a grassroots federation to approach.
    All or nothing, like :func:`coverage_cover`."""
    ids = set(enterprise_ids)
    refusals = _check_coverage_target(federation, user)
    if not ids:
        refusals.append((None, _("请至少选择一家企业。")))
    if refusals:
        raise CoverageRefused(refusals)
    rows = _locked_worklist_rows(ids)
    refusals = _row_refusals(rows, ids)
    if refusals:
        raise CoverageRefused(refusals)
    reason = _("分派跟进：%(federation)s") % {"federation": federation}
    for enterprise in rows:
        enterprise.followed_by = federation
        save_record(enterprise, user=user, reason=reason)
    return rows


def _row_refusals(rows: list[Enterprise], ids: set[int]) -> list:
    refusals = []
    missing = ids - {row.pk for row in rows}
    if missing:
        refusals.append((None, _("有 %(count)d 家企业不存在或已删除。") % {"count": len(missing)}))
    for enterprise in rows:
        if enterprise.federation_id is not None:
            refusals.append(
                (
                    enterprise,
                    _("%(name)s 已由%(federation)s覆盖。")
                    % {"name": enterprise, "federation": enterprise.federation},
                )
            )
        elif enterprise.surveyed_on is None:
            refusals.append((enterprise, _("%(name)s 尚未摸排。") % {"name": enterprise}))
    return refusals


@transaction.atomic
def followup_visit_save(*, visit: FollowUpVisit, user) -> FollowUpVisit:
    """Log a follow-up visit: only to an enterprise given to the visiting federation and still
    uncovered. A visit with outcome 已建立 puts the enterprise on the district's list to confirm."""
    from django.core.exceptions import PermissionDenied

    enterprise = Enterprise.objects.select_for_update().get(pk=visit.enterprise_id)
    if enterprise.followed_by_id is None or enterprise.followed_by_id != visit.federation_id:
        raise PermissionDenied(
            _("这家企业没有分派给%(federation)s跟进。") % {"federation": visit.federation}
        )
    if enterprise.federation_id is not None:
        raise PermissionDenied(_("这家企业已纳入覆盖，无需再记录走访。"))
    return save_record(visit, user=user)


# --- the district cockpit's targets -----------------------------------------------------------


@transaction.atomic
def coverage_target_set(
    *, year: int, quarter: int, area: str, rate: int | None, user
) -> CoverageTarget | None:
    """Set (or, with ``rate`` None, remove) the coverage target of one period and 片区: district
    admins only, one history record each."""
    from django.core.exceptions import PermissionDenied

    if not user.has_perm("organizations.change_coveragetarget"):
        raise PermissionDenied(_("只有区妇联管理员可以设置覆盖目标。"))
    target = CoverageTarget.objects.filter(year=year, quarter=quarter, area=area).first()
    if rate is None:
        if target is not None:
            delete_record(target, user=user)
        return None
    if target is None:
        target = CoverageTarget(year=year, quarter=quarter, area=area)
    elif target.rate == rate:
        return target
    target.rate = rate
    return save_record(target, user=user)


def report_download_log(*, kind: str, user, row_count: int, filters: str = "") -> ExportLog:
    """A cockpit xlsx or a quarterly report was downloaded (aggregates: no personal data)."""
    return ExportLog.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        file_format="xlsx",
        row_count=row_count,
        filters=filters[:500],
    )
