"""The quarterly report (季度工作台账): one xlsx in a fixed Chinese layout for a finished quarter,
as the network stood at the quarter's end, Beijing time.

Stocks (federations by form, service sites by kind, surveyed and covered enterprises) are the
records replayed from their history to the quarter's last day (the monthly snapshot of that day
when it exists, else the same replay, :mod:`organizations.snapshots`); flows (new coverage,
activities, brand sessions, exemplars recorded) are the records dated inside the quarter.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Exemplar
from brands.models import BrandSession
from organizations.models import CoverageSnapshot, Enterprise, Federation, ServiceSite
from organizations.snapshots import figures_by_day

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
KEPT_PATTERN = re.compile(r"^quarterly-(\d{4})Q([1-4])\.xlsx$")
QUARTER_PATTERN = re.compile(r"^\s*(\d{4})\s*[Qq季]\s*([1-4])\s*$")


class QuarterError(ValueError):
    """A quarter that cannot be reported: malformed, or not finished yet (the message says which)."""


def brand_outcome_headers() -> list[str]:
    """The header row of a brand-outcomes sheet (the cockpit's xlsx and the quarterly report)."""
    return [
        _("品牌"),
        _("期数"),
        _("参与人次"),
        _("帮助家庭"),
        _("服务企业"),
        _("孵化托管班"),
        _("牵手成功"),
    ]


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> datetime.date:
        following = (
            datetime.date(self.year + 1, 1, 1)
            if self.quarter == 4
            else datetime.date(self.year, 3 * self.quarter + 1, 1)
        )
        return following - datetime.timedelta(days=1)

    @property
    def start(self) -> datetime.datetime:
        return datetime.datetime.combine(self.first_day, datetime.time.min, tzinfo=BEIJING)

    @property
    def end(self) -> datetime.datetime:
        """The instant the quarter ends: 00:00 Beijing time of the next day (exclusive)."""
        following = self.last_day + datetime.timedelta(days=1)
        return datetime.datetime.combine(following, datetime.time.min, tzinfo=BEIJING)

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        return _("%(year)d年第%(quarter)d季度") % {"year": self.year, "quarter": self.quarter}


def parse_quarter(value: str, *, now: datetime.datetime | None = None) -> Quarter:
    """``2026Q3`` (or ``2026季3``) → a finished quarter; a clear Chinese message otherwise."""
    match = QUARTER_PATTERN.match(value or "")
    if not match:
        raise QuarterError(
            _("季度“%(value)s”无法识别，请按“年份Q季度”填写，例如 2026Q3。") % {"value": value}
        )
    quarter = Quarter(int(match.group(1)), int(match.group(2)))
    if not 2000 <= quarter.year <= 2100:
        raise QuarterError(_("年份应在 2000 到 2100 之间。"))
    now = now or timezone.now()
    if quarter.end > now:
        raise QuarterError(
            _("%(label)s尚未结束（截至北京时间 %(day)s 24:00），还不能生成台账。")
            % {"label": quarter.label, "day": quarter.last_day.isoformat()}
        )
    return quarter


def finished_quarters(count: int = 8, *, today: datetime.date | None = None) -> list[Quarter]:
    """The latest ``count`` finished quarters, newest first (the cockpit's choice)."""
    today = today or timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    result = []
    for _step in range(count):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        result.append(Quarter(year, quarter))
    return result


def _stock(quarter: Quarter, federations: set[int] | None = None) -> dict:
    if federations is not None:
        # The snapshots are district-wide: one federation's stock is replayed from history.
        return figures_by_day([quarter.last_day], federations)[quarter.last_day]
    snapshot = CoverageSnapshot.objects.filter(on=quarter.last_day).first()
    if snapshot is not None:
        return {
            "grassroots_federations": snapshot.grassroots_federations,
            "women_groups": snapshot.women_groups,
            "surveyed_enterprises": snapshot.surveyed_enterprises,
            "covered_of_surveyed": snapshot.covered_of_surveyed,
            "covered_enterprises": snapshot.covered_enterprises,
            "service_sites": snapshot.service_sites,
            "by_form": snapshot.by_form,
            "by_kind": snapshot.by_kind,
        }
    return figures_by_day([quarter.last_day])[quarter.last_day]


def federation_scope(federation: Federation) -> set[int]:
    """A grassroots federation's report covers it and its women's groups."""
    return {federation.pk, *federation.children.values_list("pk", flat=True)}


def quarterly_report(quarter: Quarter, federations: set[int] | None = None) -> dict:
    """The district's report, or (``federations``) the same figures over those federations."""
    ids = federations

    def own(queryset, path):
        return queryset if ids is None else queryset.filter(**{f"{path}__in": ids})

    stock = _stock(quarter, ids)
    in_quarter = Q(starts_at__gte=quarter.start, starts_at__lt=quarter.end)
    new_coverage = list(
        own(Enterprise.objects.covered(), "federation")
        .filter(covered_since__gte=quarter.first_day, covered_since__lte=quarter.last_day)
        .select_related("federation")
        .order_by("covered_since", "name")
    )
    activities = {
        row["category"]: (row["n"], row["people"] or 0)
        for row in own(Activity.objects.filter(in_quarter), "organizer")
        .values("category")
        .annotate(n=Count("pk"), people=Sum("participants"))
        .order_by()
    }
    sessions = list(
        own(BrandSession.objects.all(), "federation")
        .filter(starts_on__gte=quarter.first_day, starts_on__lte=quarter.last_day)
        .values("brand__name", "brand__position")
        .annotate(
            n=Count("pk"),
            participants=Sum("participants"),
            families=Sum("families"),
            enterprises=Sum("enterprises"),
            classes=Sum("classes_incubated"),
            couples=Sum("couples"),
        )
        .order_by("brand__position", "brand__name")
    )
    recorded = Exemplar.history.filter(history_type="+", history_date__lt=quarter.end).values("id")
    exemplars = {
        (row["honour"], row["kind"]): row["n"]
        for row in own(Exemplar.objects.all(), "federation")
        .filter(year=quarter.year, pk__in=recorded)
        .values("honour", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    }
    per_federation = (
        own(Federation.objects.active().grassroots(), "pk")
        .annotate(
            new_covered=Count(
                "enterprises",
                filter=Q(
                    enterprises__covered_since__gte=quarter.first_day,
                    enterprises__covered_since__lte=quarter.last_day,
                ),
                distinct=True,
            ),
        )
        .order_by("kind", "name")
        .values("pk", "name", "kind", "area", "new_covered")
    )
    per_federation_activities = {
        row["organizer"]: (row["n"], row["people"] or 0)
        for row in own(Activity.objects.filter(in_quarter), "organizer")
        .values("organizer")
        .annotate(n=Count("pk"), people=Sum("participants"))
        .order_by()
    }
    return {
        "quarter": quarter,
        "stock": stock,
        "new_coverage": new_coverage,
        "activities": activities,
        "sessions": sessions,
        "exemplars": exemplars,
        "per_federation": [
            {**row, "activities": per_federation_activities.get(row["pk"], (0, 0))}
            for row in per_federation
        ],
    }


def _rate(covered: int, surveyed: int):
    return round(100 * covered / surveyed, 1) if surveyed else ""


def quarterly_report_xlsx(
    quarter: Quarter,
    *,
    generated_at: datetime.datetime | None = None,
    federation: Federation | None = None,
):
    """The 季度工作台账 workbook (bytes), of the district or of one grassroots federation."""
    from organizations.importing.writers import workbook_bytes

    return workbook_bytes(
        quarterly_report_sheets(quarter, generated_at=generated_at, federation=federation)
    )


def quarterly_report_sheets(
    quarter: Quarter,
    *,
    generated_at: datetime.datetime | None = None,
    federation: Federation | None = None,
) -> list:
    ids = None if federation is None else federation_scope(federation)
    data = quarterly_report(quarter, ids)
    stock = data["stock"]
    generated_at = generated_at or timezone.now()
    owner = _("天津经开区妇联") if federation is None else federation.name
    cover = [
        [_("%(owner)s%(label)s工作台账") % {"owner": owner, "label": quarter.label}],
        [
            _("统计期间"),
            _("%(first)s 至 %(last)s（北京时间）")
            % {
                "first": quarter.first_day.isoformat(),
                "last": quarter.last_day.isoformat(),
            },
        ],
        [_("截止时点"), _("%(day)s 24:00（北京时间）") % {"day": quarter.last_day.isoformat()}],
        [_("生成时间"), timezone.localtime(generated_at, BEIJING).strftime("%Y-%m-%d %H:%M")],
        [
            _("口径"),
            _(
                "组织、阵地、覆盖总数为季末时点数（按各记录修改历史还原）；"
                "新增覆盖、活动、品牌期次为本季度内发生数；先进典型为本年度截至季末录入数。"
            ),
        ],
    ]
    forms = [[_("组建形式"), _("基层妇联数")]]
    forms += [
        [str(label), stock["by_form"].get(kind, 0)] for kind, label in Federation.Kind.choices
    ]
    forms += [
        [_("基层妇联合计"), stock["grassroots_federations"]],
        [_("妇女小组"), stock["women_groups"]],
    ]
    sector = dict(Enterprise.Sector.choices)
    coverage = [
        [_("指标"), _("数值")],
        [_("季末已摸排企业"), stock["surveyed_enterprises"]],
        [_("季末已摸排且已覆盖"), stock["covered_of_surveyed"]],
        [_("季末覆盖率（%）"), _rate(stock["covered_of_surveyed"], stock["surveyed_enterprises"])],
        [_("季末覆盖企业总数"), stock["covered_enterprises"]],
        [_("本季度新增覆盖企业"), len(data["new_coverage"])],
        [],
        [
            _("企业名称"),
            _("统一社会信用代码"),
            _("领域"),
            _("片区"),
            _("覆盖妇联"),
            _("覆盖起始日期"),
        ],
    ]
    coverage += [
        [
            e.name,
            e.credit_code,
            str(sector.get(e.sector, "")),
            e.area,
            e.federation.name,
            e.covered_since.isoformat(),
        ]
        for e in data["new_coverage"]
    ]
    sites = [[_("阵地类型"), _("数量")]]
    sites += [
        [str(label), stock["by_kind"].get(kind, 0)] for kind, label in ServiceSite.Kind.choices
    ]
    sites.append([_("合计"), stock["service_sites"]])
    activities = [[_("活动类别"), _("场次"), _("参与人次")]]
    for kind, label in Activity.Category.choices:
        n, people = data["activities"].get(kind, (0, 0))
        activities.append([str(label), n, people])
    activities.append(
        [
            _("合计"),
            sum(n for n, _p in data["activities"].values()),
            sum(p for _n, p in data["activities"].values()),
        ]
    )
    brands = [brand_outcome_headers()]
    brands += [
        [
            s["brand__name"],
            s["n"],
            s["participants"] or 0,
            s["families"] or 0,
            s["enterprises"] or 0,
            s["classes"] or 0,
            s["couples"] or 0,
        ]
        for s in data["sessions"]
    ]
    exemplars = [[_("荣誉"), _("个人"), _("集体"), _("合计")]]
    for honour, label in Exemplar.Honour.choices:
        person = data["exemplars"].get((honour, Exemplar.Kind.PERSON), 0)
        collective = data["exemplars"].get((honour, Exemplar.Kind.COLLECTIVE), 0)
        exemplars.append([str(label), person, collective, person + collective])
    forms_label = dict(Federation.Kind.choices)
    federations = [
        [
            _("基层妇联"),
            _("组建形式"),
            _("片区"),
            _("本季度新增覆盖"),
            _("本季度活动场次"),
            _("参与人次"),
        ]
    ]
    federations += [
        [
            f["name"],
            str(forms_label.get(f["kind"], f["kind"])),
            f["area"],
            f["new_covered"],
            *f["activities"],
        ]
        for f in data["per_federation"]
    ]
    return [
        (_("说明"), cover, 1),
        (_("组织建设"), forms, 1),
        (_("覆盖情况"), coverage, 1),
        (_("服务阵地"), sites, 1),
        (_("活动开展"), activities, 1),
        (_("品牌活动"), brands, 1),
        (_("先进典型"), exemplars, 1),
        (_("各基层妇联"), federations, 1),
    ]


@dataclass(frozen=True)
class KeptReport:
    name: str
    quarter: Quarter
    size: int
    written_at: datetime.datetime


def kept_reports(directory) -> list[KeptReport]:
    """The quarterly reports the scheduled task kept in ``directory``, newest quarter first.
    Only names the task writes (quarterly-2026Q3.xlsx) are listed; a missing folder lists none."""
    from pathlib import Path

    folder = Path(directory)
    if not folder.is_dir():
        return []
    kept = []
    for path in folder.iterdir():
        match = KEPT_PATTERN.match(path.name)
        if match is None or not path.is_file():
            continue
        stat = path.stat()
        kept.append(
            KeptReport(
                name=path.name,
                quarter=Quarter(int(match[1]), int(match[2])),
                size=stat.st_size,
                written_at=datetime.datetime.fromtimestamp(stat.st_mtime, tz=datetime.UTC),
            )
        )
    return sorted(kept, key=lambda r: (r.quarter.year, r.quarter.quarter), reverse=True)
