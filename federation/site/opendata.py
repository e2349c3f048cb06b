"""Open data (/open-data/): the network's aggregate figures as CSV and JSON.

Aggregates only, from the same public records as /stats/ (active federations, surveyed
enterprises, open sites, public activities, published brands): no person, no contact and no
phone number is in any data set. A count of people below ``SUPPRESS_BELOW`` (participants,
families, couples) is suppressed, so that no figure points at a handful of identifiable women.
The files are public pages: cached by the page cache, re-rendered after a change and at least
daily (no copy outlives local midnight), and dated.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from brands.selectors import brand_outcomes
from organizations.models import Enterprise, Federation, ServiceSite

SUPPRESS_BELOW = 5
SUPPRESSED_CSV = "<5"
LICENCE = _(
    "知识共享署名 4.0 国际许可协议（CC BY 4.0）：可以自由复制、转载和再利用，"
    "请注明来源“天津经开区妇联 · 有你泰好”。"
)
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.zh-hans"


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    #: A count of people: suppressed when it is between 1 and SUPPRESS_BELOW - 1.
    people: bool = False


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: object
    definition: object
    columns: tuple[Column, ...]
    rows: Callable[[], list[dict]]


def _rate(covered: int, surveyed: int) -> float | None:
    return round(100 * covered / surveyed, 1) if surveyed else None


def _federations_by_form_and_area() -> list[dict]:
    forms = dict(Federation.Kind.choices)
    return [
        {"area": row["area"], "form": str(forms.get(row["kind"], row["kind"])), "count": row["n"]}
        for row in Federation.objects.active()
        .grassroots()
        .values("area", "kind")
        .annotate(n=Count("pk"))
        .order_by("area", "kind")
    ]


def _coverage_by(field: str, labels: dict | None = None) -> list[dict]:
    rows = (
        Enterprise.objects.surveyed()
        .values(field)
        .annotate(surveyed=Count("pk"), covered=Count("pk", filter=Q(federation__isnull=False)))
        .order_by(field)
    )
    return [
        {
            field: str((labels or {}).get(row[field], row[field])),
            "surveyed": row["surveyed"],
            "covered": row["covered"],
            "rate": _rate(row["covered"], row["surveyed"]),
        }
        for row in rows
    ]


def _sites_by_kind_and_area() -> list[dict]:
    kinds = dict(ServiceSite.Kind.choices)
    return [
        {"area": row["area"], "kind": str(kinds.get(row["kind"], row["kind"])), "count": row["n"]}
        for row in ServiceSite.objects.active()
        .values("area", "kind")
        .annotate(n=Count("pk"))
        .order_by("area", "kind")
    ]


def _sites() -> list[dict]:
    kinds = dict(ServiceSite.Kind.choices)
    return [
        {
            "name": s["name"],
            "kind": str(kinds.get(s["kind"], s["kind"])),
            "area": s["area"],
            "address": s["address"],
            "federation": s["federation__name"],
            "latitude": float(s["latitude"]) if s["latitude"] is not None else None,
            "longitude": float(s["longitude"]) if s["longitude"] is not None else None,
            "online": s["is_online"],
        }
        for s in ServiceSite.objects.active()
        .order_by("area", "name")
        .values(
            "name",
            "kind",
            "area",
            "address",
            "federation__name",
            "latitude",
            "longitude",
            "is_online",
        )
    ]


def _activities_per_month(months: int = 12) -> list[dict]:
    today = timezone.localdate()
    first = today.replace(day=1)
    for _step in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    tz = timezone.get_current_timezone()
    categories = dict(Activity.Category.choices)
    rows = (
        Activity.objects.public()
        .filter(
            starts_at__gte=datetime.datetime.combine(first, datetime.time.min, tzinfo=tz),
            starts_at__lte=timezone.now(),
        )
        .annotate(month=TruncMonth("starts_at", tzinfo=tz))
        .values("month", "category")
        .annotate(n=Count("pk"), people=Sum("participants"))
        .order_by()
    )
    order = {code: i for i, code in enumerate(categories)}
    rows = sorted(rows, key=lambda row: (row["month"], order.get(row["category"], 99)))
    result = []
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime) and timezone.is_aware(month):
            month = timezone.localtime(month, tz)
        result.append(
            {
                "month": f"{month:%Y-%m}",
                "category": str(categories.get(row["category"], row["category"])),
                "activities": row["n"],
                "participants": row["people"] or 0,
            }
        )
    return result


def _brand_outcomes() -> list[dict]:
    return [
        {
            "brand": b.name,
            "sessions": b.session_count,
            "participants": b.total_participants or 0,
            "families": b.total_families or 0,
            "enterprises": b.total_enterprises or 0,
            "classes": b.total_classes or 0,
            "couples": b.total_couples or 0,
        }
        for b in brand_outcomes().filter(session_count__gt=0).order_by("position", "name")
    ]


DATASETS = (
    Dataset(
        "federations-by-form-area",
        _("基层妇联按组建形式和片区"),
        _("状态为“有效”、层级为“基层妇联”的组织数。"),
        (Column("area", _("片区")), Column("form", _("组建形式")), Column("count", _("数量"))),
        _federations_by_form_and_area,
    ),
    Dataset(
        "coverage-by-area",
        _("已摸排企业覆盖情况（按片区）"),
        _("已摸排企业中已登记覆盖妇联的家数；覆盖率 = 已覆盖 ÷ 已摸排。"),
        (
            Column("area", _("片区")),
            Column("surveyed", _("已摸排")),
            Column("covered", _("已覆盖")),
            Column("rate", _("覆盖率（%）")),
        ),
        lambda: _coverage_by("area"),
    ),
    Dataset(
        "coverage-by-sector",
        _("已摸排企业覆盖情况（按领域）"),
        _("已摸排企业中已登记覆盖妇联的家数；覆盖率 = 已覆盖 ÷ 已摸排。"),
        (
            Column("sector", _("领域")),
            Column("surveyed", _("已摸排")),
            Column("covered", _("已覆盖")),
            Column("rate", _("覆盖率（%）")),
        ),
        lambda: _coverage_by("sector", dict(Enterprise.Sector.choices)),
    ),
    Dataset(
        "sites-by-kind-area",
        _("服务阵地按类型和片区"),
        _("状态为“开放中”的服务阵地数，含线上和流动阵地。"),
        (Column("area", _("片区")), Column("kind", _("类型")), Column("count", _("数量"))),
        _sites_by_kind_and_area,
    ),
    Dataset(
        "sites",
        _("服务阵地名录"),
        _("开放中的服务阵地及其公开信息（坐标为 WGS-84）。"),
        (
            Column("name", _("名称")),
            Column("kind", _("类型")),
            Column("area", _("片区")),
            Column("address", _("地址")),
            Column("federation", _("所属妇联")),
            Column("latitude", _("纬度")),
            Column("longitude", _("经度")),
            Column("online", _("线上阵地")),
        ),
        _sites,
    ),
    Dataset(
        "activities-per-month",
        _("每月活动（按类别）"),
        _("近 12 个月开始的公开活动场次和参与人次（北京时间）。"),
        (
            Column("month", _("月份")),
            Column("category", _("活动类别")),
            Column("activities", _("场次")),
            Column("participants", _("参与人次"), people=True),
        ),
        _activities_per_month,
    ),
    Dataset(
        "brand-outcomes",
        _("品牌成效"),
        _("公开品牌各期次成效之和。"),
        (
            Column("brand", _("品牌")),
            Column("sessions", _("期数")),
            Column("participants", _("参与人次"), people=True),
            Column("families", _("帮助家庭"), people=True),
            Column("enterprises", _("服务企业")),
            Column("classes", _("孵化托管班")),
            Column("couples", _("牵手成功"), people=True),
        ),
        _brand_outcomes,
    ),
)
BY_SLUG = {dataset.slug: dataset for dataset in DATASETS}


def _suppressed(column: Column, value):
    return column.people and isinstance(value, int) and 0 < value < SUPPRESS_BELOW


def as_csv(dataset: Dataset) -> bytes:
    from organizations.importing.writers import csv_bytes

    rows = []
    for row in dataset.rows():
        line = []
        for column in dataset.columns:
            value = row[column.key]
            if _suppressed(column, value):
                value = SUPPRESSED_CSV
            elif isinstance(value, bool):
                value = str(_("是") if value else _("否"))
            line.append(value)
        rows.append(line)
    return csv_bytes([str(c.label) for c in dataset.columns], rows)


def as_json(dataset: Dataset) -> bytes:
    rows = []
    for row in dataset.rows():
        rows.append(
            {c.key: None if _suppressed(c, row[c.key]) else row[c.key] for c in dataset.columns}
        )
    document = {
        "dataset": dataset.slug,
        "title": str(dataset.title),
        "as_of": timezone.localdate().isoformat(),
        "definition": str(dataset.definition),
        "licence": str(LICENCE),
        "licence_url": LICENCE_URL,
        "suppressed": str(
            _("少于 %(n)d 人的人数不公布（JSON 中为 null，CSV 中为“<5”）。") % {"n": SUPPRESS_BELOW}
        ),
        "columns": [{"key": c.key, "label": str(c.label)} for c in dataset.columns],
        "rows": rows,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
