"""The district cockpit (数据驾驶舱): the network's coverage now and by month, against the targets
the district admin set, by 片区, sector, form and building; sites, activities, brands; dormant
federations and sites. Every figure is one aggregate query over the records or the monthly
snapshots (no scan of history per request); the page and its xlsx read the same :func:`cockpit`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from brands.selectors import brand_outcomes
from federation.staff import selectors
from federation.staff.reports import brand_outcome_headers
from organizations.models import (
    CoverageSnapshot,
    CoverageTarget,
    Enterprise,
    Federation,
    ServiceSite,
)

TREND_MONTHS = 24
BUILDINGS_SHOWN = 15
DORMANT_LISTED = 50


def rate(covered: int, surveyed: int) -> float | None:
    """Coverage rate in percent, one decimal (None when nothing was surveyed)."""
    return round(100 * covered / surveyed, 1) if surveyed else None


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def _enterprises(ids: set[int] | None):
    """The surveyed enterprises a cockpit counts: all of them for the district; for grassroots
    federations those they cover and those given to them to follow up (their own drive)."""
    queryset = Enterprise.objects.surveyed()
    if ids is None:
        return queryset
    return queryset.filter(Q(federation__in=ids) | Q(followed_by__in=ids))


def _coverage_by(
    field_name: str, labels: dict | None = None, ids: set[int] | None = None
) -> list[dict]:
    rows = (
        _enterprises(ids)
        .values(field_name)
        .annotate(surveyed=Count("pk"), covered=Count("pk", filter=Q(federation__isnull=False)))
        .order_by(field_name)
    )
    result = []
    for row in rows:
        key = row[field_name] or ""
        label = (labels or {}).get(key, key) or _("未填写")
        result.append(
            {
                "key": key,
                "label": str(label),
                "surveyed": row["surveyed"],
                "covered": row["covered"],
                "uncovered": row["surveyed"] - row["covered"],
                "rate": rate(row["covered"], row["surveyed"]),
            }
        )
    return result


@dataclass
class Targets:
    year: int
    quarter: int
    #: {area ("" = district): rate} for the year's end and for the current quarter's end.
    yearly: dict[str, int] = field(default_factory=dict)
    quarterly: dict[str, int] = field(default_factory=dict)
    all: list[CoverageTarget] = field(default_factory=list)


def targets_for(today: datetime.date) -> Targets:
    targets = Targets(year=today.year, quarter=quarter_of(today))
    targets.all = list(CoverageTarget.objects.filter(year__gte=today.year - 1))
    for target in targets.all:
        if target.year != today.year:
            continue
        if target.quarter == 0:
            targets.yearly[target.area] = target.rate
        elif target.quarter == targets.quarter:
            targets.quarterly[target.area] = target.rate
    return targets


def progress(actual: float | None, target: int | None) -> dict | None:
    """How far the actual rate is along the way to the target (both in percent)."""
    if target is None or actual is None:
        return None
    return {
        "target": target,
        "gap": round(max(target - actual, 0), 1),
        "reached": actual >= target,
        "share": min(100, round(100 * actual / target)) if target else 100,
    }


def _trend(now_row: dict, today: datetime.date, areas: list[str]) -> list[dict]:
    """Month ends of the last TREND_MONTHS months from the snapshots, and today from the records."""
    snapshots = list(
        CoverageSnapshot.objects.filter(on__lt=today)
        .order_by("-on")
        .values("on", "surveyed_enterprises", "covered_of_surveyed", "by_area")[:TREND_MONTHS]
    )
    months = []
    for snap in reversed(snapshots):
        by_area = snap["by_area"] or {}
        months.append(
            {
                "on": snap["on"],
                "label": f"{snap['on']:%Y-%m}",
                "surveyed": snap["surveyed_enterprises"],
                "covered": snap["covered_of_surveyed"],
                "rate": rate(snap["covered_of_surveyed"], snap["surveyed_enterprises"]),
                "areas": [rate(*reversed(by_area.get(a, [0, 0]))) for a in areas],
            }
        )
    months.append(
        {
            "on": today,
            "label": _("今天"),
            "surveyed": now_row["surveyed"],
            "covered": now_row["covered"],
            "rate": now_row["rate"],
            "areas": now_row["areas"],
            "now": True,
        }
    )
    return months


def _trend_today(now_row: dict, today: datetime.date) -> list[dict]:
    """A grassroots cockpit: the snapshots are district-wide, so only today's row."""
    return [
        {
            "on": today,
            "label": _("今天"),
            "surveyed": now_row["surveyed"],
            "covered": now_row["covered"],
            "rate": now_row["rate"],
            "areas": now_row["areas"],
            "now": True,
        }
    ]


def _activities_by_month(
    today: datetime.date, months: int = 12, ids: set[int] | None = None
) -> tuple[list, list]:
    """Activities per local month (the last ``months``) and category, with participants."""
    first = today.replace(day=1)
    for _step in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    activities = Activity.objects.filter(starts_at__gte=start, starts_at__lte=timezone.now())
    if ids is not None:
        activities = activities.filter(organizer__in=ids)
    rows = (
        activities.annotate(month=TruncMonth("starts_at", tzinfo=tz))
        .values("month", "category")
        .annotate(n=Count("pk"), people=Sum("participants"))
        .order_by()
    )
    cells: dict[tuple, tuple[int, int]] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month, tz).date() if timezone.is_aware(month) else month
        cells[(month.year, month.month, row["category"])] = (row["n"], row["people"] or 0)
    categories = list(Activity.Category.choices)
    table = []
    month = first
    for _step in range(months):
        counts = [cells.get((month.year, month.month, c), (0, 0)) for c, _label in categories]
        table.append(
            {
                "label": f"{month:%Y-%m}",
                "cells": counts,
                "count": sum(n for n, _p in counts),
                "people": sum(p for _n, p in counts),
            }
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return [str(label) for _c, label in categories], table


def _sites_by_area(ids: set[int] | None = None) -> tuple[list[str], list[dict]]:
    kinds = list(ServiceSite.Kind.choices)
    counts: dict[str, dict[str, int]] = {}
    sites = ServiceSite.objects.active()
    if ids is not None:
        sites = sites.filter(federation__in=ids)
    for area, kind, n in (
        sites.values_list("area", "kind")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("area", "kind", "n")
    ):
        counts.setdefault(area or "", {})[kind] = n
    rows = [
        {
            "label": area or _("未填写"),
            "cells": [by_kind.get(k, 0) for k, _l in kinds],
            "total": sum(by_kind.values()),
        }
        for area, by_kind in sorted(counts.items())
    ]
    return [str(label) for _k, label in kinds], rows


def _dormant(today: datetime.date, ids: set[int] | None = None) -> dict:
    """Active grassroots federations and open sites with no activity in DORMANT_DAYS, each with
    the date of its last activity (if any)."""
    last_of = Activity.objects.filter(starts_at__lte=timezone.now()).values("starts_at")
    federations = Federation.objects.all()
    sites = ServiceSite.objects.select_related("federation")
    if ids is not None:
        federations = federations.filter(pk__in=ids)
        sites = sites.filter(federation__in=ids)
    federations = selectors.dormant_federations(federations).annotate(
        last_activity=Subquery(last_of.filter(organizer=OuterRef("pk")).order_by("-starts_at")[:1])
    )
    sites = selectors.dormant_sites(sites).annotate(
        last_activity=Subquery(last_of.filter(site=OuterRef("pk")).order_by("-starts_at")[:1])
    )
    return {
        "days": settings.DORMANT_DAYS,
        "federations": federations,
        "sites": sites,
        "federation_count": federations.count(),
        "site_count": sites.count(),
    }


def _brands(ids: set[int] | None) -> list[dict]:
    brands = brand_outcomes()
    if ids is not None:
        # Only the sessions the federations themselves ran.
        own = Q(sessions__federation__in=ids)
        brands = brands.annotate(
            session_count=Count("sessions", filter=own),
            total_participants=Sum("sessions__participants", filter=own),
            total_families=Sum("sessions__families", filter=own),
            total_enterprises=Sum("sessions__enterprises", filter=own),
            total_classes=Sum("sessions__classes_incubated", filter=own),
            total_couples=Sum("sessions__couples", filter=own),
        )
    return [
        {
            "label": brand.name,
            "sessions": brand.session_count,
            "participants": brand.total_participants or 0,
            "families": brand.total_families or 0,
            "enterprises": brand.total_enterprises or 0,
            "classes": brand.total_classes or 0,
            "couples": brand.total_couples or 0,
        }
        for brand in brands.filter(session_count__gt=0).order_by("position", "name")
    ]


def cockpit(today: datetime.date | None = None, federations: set[int] | None = None) -> dict:
    """Everything the cockpit shows (and its xlsx holds).

    ``federations`` None: the district view. A set of ids (a grassroots user's scope): the same
    figures over those federations' own records only, no district-wide trend and no targets
    (the monthly snapshots and the targets are district-wide).
    """
    today = today or timezone.localdate()
    ids = federations
    targets = targets_for(today) if ids is None else Targets(today.year, quarter_of(today))
    by_area = _coverage_by("area", ids=ids)
    areas = [row["key"] for row in by_area]
    surveyed = sum(r["surveyed"] for r in by_area)
    covered = sum(r["covered"] for r in by_area)
    now_row = {
        "surveyed": surveyed,
        "covered": covered,
        "rate": rate(covered, surveyed),
        "areas": [row["rate"] for row in by_area],
    }
    for row in by_area:
        row["progress"] = progress(row["rate"], targets.yearly.get(row["key"]))
    by_sector = _coverage_by("sector", dict(Enterprise.Sector.choices), ids=ids)
    by_building = sorted(
        (r for r in _coverage_by("building", ids=ids) if r["key"]),
        key=lambda r: (-r["uncovered"], r["label"]),
    )[:BUILDINGS_SHOWN]
    forms = dict(Federation.Kind.choices)
    by_form = [
        {
            "label": str(forms.get(row["federation__kind"], row["federation__kind"]) or _("其他")),
            "covered": row["n"],
            "federations": row["feds"],
        }
        for row in (
            Enterprise.objects.covered()
            if ids is None
            else Enterprise.objects.filter(federation__in=ids)
        )
        .values("federation__kind")
        .annotate(n=Count("pk"), feds=Count("federation", distinct=True))
        .order_by("-n")
    ]
    site_kinds, sites = _sites_by_area(ids)
    categories, per_month = _activities_by_month(today, ids=ids)
    activities = (
        Activity.objects.all() if ids is None else Activity.objects.filter(organizer__in=ids)
    )
    last_activity = activities.aggregate(last=Max("starts_at"))["last"]
    return {
        "today": today,
        "now": now_row,
        "targets": targets,
        "year_progress": progress(now_row["rate"], targets.yearly.get("")),
        "quarter_progress": progress(now_row["rate"], targets.quarterly.get("")),
        "areas": [row["label"] for row in by_area],
        "by_area": by_area,
        "by_sector": by_sector,
        "by_building": by_building,
        "by_form": by_form,
        "trend": _trend(now_row, today, areas) if ids is None else _trend_today(now_row, today),
        "site_kinds": site_kinds,
        "sites": sites,
        "categories": categories,
        "per_month": per_month,
        "brands": _brands(ids),
        "dormant": _dormant(today, ids),
        "scoped": ids is not None,
        "scope_names": []
        if ids is None
        else list(
            # The federation before its women's groups ("grassroots" < "group").
            Federation.objects.filter(pk__in=ids)
            .order_by("level", "name")
            .values_list("name", flat=True)
        ),
        "last_activity": last_activity,
    }


def _pct(value: float | None):
    return "" if value is None else value


def cockpit_xlsx(data: dict) -> bytes:
    """The cockpit's tables, one sheet each, as the page shows them."""
    from organizations.importing.writers import workbook_bytes

    return workbook_bytes(cockpit_sheets(data))


def data_rows(sheets) -> int:
    """Rows below the headings of every sheet (what the export log records)."""
    return sum(len(rows) - headings for _title, rows, headings in sheets)


def cockpit_sheets(data: dict) -> list:
    targets = data["targets"]
    now = data["now"]
    overview = [
        [
            "、".join(data["scope_names"]) if data["scoped"] else _("数据驾驶舱"),
            _("截至 %(day)s") % {"day": data["today"].isoformat()},
        ],
        [_("指标"), _("数值")],
        [_("已摸排企业"), now["surveyed"]],
        [_("其中已覆盖"), now["covered"]],
        [_("覆盖率（%）"), _pct(now["rate"])],
        [_("%(year)d年底目标（%%）") % {"year": targets.year}, targets.yearly.get("", "")],
        [
            _("第%(quarter)d季度末目标（%%）") % {"quarter": targets.quarter},
            targets.quarterly.get("", ""),
        ],
    ]
    trend = [[_("月份"), _("已摸排"), _("已覆盖"), _("覆盖率（%）"), *data["areas"]]]
    trend += [
        [m["label"], m["surveyed"], m["covered"], _pct(m["rate"]), *map(_pct, m["areas"])]
        for m in data["trend"]
    ]

    def coverage(rows, with_target=False):
        head = [_("名称"), _("已摸排"), _("已覆盖"), _("未覆盖"), _("覆盖率（%）")]
        if with_target:
            head.append(_("年底目标（%）"))
        out = [head]
        for r in rows:
            line = [r["label"], r["surveyed"], r["covered"], r["uncovered"], _pct(r["rate"])]
            if with_target:
                line.append(r["progress"]["target"] if r["progress"] else "")
            out.append(line)
        return out

    forms = [[_("组建形式"), _("覆盖企业"), _("妇联数")]]
    forms += [[r["label"], r["covered"], r["federations"]] for r in data["by_form"]]
    sites = [[_("片区"), *data["site_kinds"], _("合计")]]
    sites += [[r["label"], *r["cells"], r["total"]] for r in data["sites"]]
    activities = [
        [
            _("月份"),
            *[f"{c}（{_('场次')}/{_('人次')}）" for c in data["categories"]],
            _("合计场次"),
            _("合计人次"),
        ]
    ]
    activities += [
        [m["label"], *[f"{n}/{p}" for n, p in m["cells"]], m["count"], m["people"]]
        for m in data["per_month"]
    ]
    brands = [brand_outcome_headers()]
    brands += [
        [
            b["label"],
            b["sessions"],
            b["participants"],
            b["families"],
            b["enterprises"],
            b["classes"],
            b["couples"],
        ]
        for b in data["brands"]
    ]
    dormant = data["dormant"]
    idle = [[_("类型"), _("名称"), _("所属妇联"), _("片区"), _("最近一次活动")]]
    idle += [
        [_("妇联组织"), f.name, "", f.area, _day(f.last_activity)] for f in dormant["federations"]
    ]
    idle += [
        [_("服务阵地"), s.name, s.federation.name, s.area, _day(s.last_activity)]
        for s in dormant["sites"]
    ]
    return [
        (_("概览"), overview, 2),
        (_("覆盖趋势"), trend, 1),
        (_("按片区"), coverage(data["by_area"], with_target=True), 1),
        (_("按领域"), coverage(data["by_sector"]), 1),
        (_("按楼宇园区"), coverage(data["by_building"]), 1),
        (_("按组建形式"), forms, 1),
        (_("服务阵地"), sites, 1),
        (_("活动"), activities, 1),
        (_("品牌成效"), brands, 1),
        (_("沉睡组织和阵地"), idle, 1),
    ]


def _day(moment) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else _("从未")
