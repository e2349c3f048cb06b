"""Reads that several pages need: the network's figures and their breakdowns, from records.

Each figure is one aggregate query (or shares one), so the cost of a page does not grow with the
number of records. The definitions shown on /stats/ describe exactly these queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Article, Exemplar
from activities.selectors import card_rows, public_photos, with_cover_ids, with_covers
from brands.selectors import brand_outcomes
from federation.core.queries import count_many
from federation.web.cache import computed_once
from federation.web.keyed import keyed, rows_by_keys
from organizations.models import Enterprise, Federation, ServiceSite


@dataclass(frozen=True)
class HeadlineFigures:
    as_of: datetime.date
    grassroots_federations: int
    women_groups: int
    covered_enterprises: int
    surveyed_enterprises: int
    covered_of_surveyed: int
    service_sites: int
    activities_this_year: int
    exemplars: int
    exemplars_selected: int
    news: int
    year: int

    @property
    def coverage_rate(self) -> int | None:
        """Percentage of surveyed enterprises that are covered (None when none surveyed)."""
        if not self.surveyed_enterprises:
            return None
        return round(100 * self.covered_of_surveyed / self.surveyed_enterprises)


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The local calendar year as an aware half-open interval."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    return start, datetime.datetime(year + 1, 1, 1, tzinfo=tz)


def headline_figures() -> HeadlineFigures:
    now = timezone.localtime()
    start, end = year_bounds(now.year)
    federations = Federation.objects.active()
    counts = count_many(
        grassroots=federations.grassroots(),
        groups=federations.groups(),
        covered=Enterprise.objects.covered(),
        surveyed=Enterprise.objects.surveyed(),
        covered_of_surveyed=Enterprise.objects.covered().surveyed(),
        sites=ServiceSite.objects.active(),
        activities=Activity.objects.public().filter(starts_at__gte=start, starts_at__lt=end),
        exemplars=Exemplar.objects.published(),
        exemplars_selected=Exemplar.objects.all(),
        news=Article.objects.published(),
    )
    return HeadlineFigures(
        as_of=now.date(),
        year=now.year,
        grassroots_federations=counts["grassroots"],
        women_groups=counts["groups"],
        covered_enterprises=counts["covered"],
        surveyed_enterprises=counts["surveyed"],
        covered_of_surveyed=counts["covered_of_surveyed"],
        service_sites=counts["sites"],
        activities_this_year=counts["activities"],
        exemplars=counts["exemplars"],
        exemplars_selected=counts["exemplars_selected"],
        news=counts["news"],
    )


# How each figure is counted, shown next to it on /stats/ (one source for page and tests).
DEFINITIONS = {
    "grassroots_federations": _("状态为“有效”、层级为“基层妇联”的组织数（不含区妇联和妇女小组）。"),
    "women_groups": _("状态为“有效”、层级为“妇女小组”的组织数。"),
    "covered_enterprises": _(
        "已登记“覆盖妇联”的企业数；括号内为已摸排企业中被覆盖的家数与已摸排企业总数。"
    ),
    "service_sites": _("状态为“开放中”的服务阵地数，含线上和流动阵地。"),
    "activities_this_year": _("开始时间在本年度（北京时间）内的公开活动数。"),
    "exemplars_selected": _("“巾帼建功行动”等选树的先进典型总数（个人和集体），不论是否公开。"),
    "exemplars": _("本人或集体已书面同意公开的先进典型数；只有这些在网站上展示。"),
    "news": _("已发布且发布时间已到的活动新闻篇数。"),
}


def coverage_by_sector() -> list[dict]:
    """Surveyed enterprises by sector, and how many of them a federation covers."""
    rows = (
        Enterprise.objects.surveyed()
        .values("sector")
        .annotate(
            surveyed=Count("pk"),
            covered=Count("pk", filter=Q(federation__isnull=False)),
        )
        .order_by("sector")
    )
    labels = dict(Enterprise.Sector.choices)
    result = []
    for row in rows:
        rate = round(100 * row["covered"] / row["surveyed"]) if row["surveyed"] else 0
        result.append(
            {
                "sector": row["sector"],
                "label": labels.get(row["sector"], _("未填写")),
                "surveyed": row["surveyed"],
                "covered": row["covered"],
                "rate": rate,
            }
        )
    return result


def sites_by_kind() -> list[dict]:
    counts = dict(
        ServiceSite.objects.active()
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return [
        {"kind": kind, "label": label, "count": counts.get(kind, 0)}
        for kind, label in ServiceSite.Kind.choices
    ]


def activities_per_month(months: int = 12) -> list[dict]:
    """Public activities per local calendar month, the last ``months`` months, empty ones too."""
    now = timezone.localtime()
    first = now.date().replace(day=1)
    for _step in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=now.tzinfo)
    rows = (
        Activity.objects.public()
        .filter(starts_at__gte=start)
        .annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    counts = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        counts[(month.year, month.month)] = row["n"]
    result = []
    month = first
    for _step in range(months):
        result.append({"month": month, "count": counts.get((month.year, month.month), 0)})
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return result


def snapshot_context(snapshot) -> dict:
    """The /stats/ breakdowns as a monthly snapshot recorded them (the same shapes as now)."""
    by_form = [
        {"kind": kind, "label": label, "count": snapshot.by_form.get(kind, 0)}
        for kind, label in Federation.Kind.choices
    ]
    by_kind = [
        {"kind": kind, "label": label, "count": snapshot.by_kind.get(kind, 0)}
        for kind, label in ServiceSite.Kind.choices
    ]
    labels = dict(Enterprise.Sector.choices)
    by_sector = [
        {
            "sector": sector,
            "label": labels.get(sector, _("未填写")),
            "surveyed": surveyed,
            "covered": covered,
            "rate": round(100 * covered / surveyed) if surveyed else 0,
        }
        for sector, (surveyed, covered) in sorted(snapshot.by_sector.items())
    ]
    return {
        "snapshot": snapshot,
        "figures": snapshot,
        "definitions": DEFINITIONS,
        "by_form": by_form,
        "by_form_max": max([r["count"] for r in by_form] or [0]),
        "by_sector": by_sector,
        "by_kind": by_kind,
        "by_kind_max": max([r["count"] for r in by_kind] or [0]),
    }


# --- The home page: the lead story (头条) and the brand cards (issue 12) ---------------------


def _article_cards():
    return card_rows(Article.objects.published()).order_by("-publish_at", "-pk")


def latest_articles(limit: int) -> list:
    """The newest published articles as cards (covers not attached): keyed rows, since each is
    shown as a kept card (federation.web.keyed)."""
    return keyed(_article_cards()[:limit], also=("cover_photo_id",))


def lead_story(lead_article_id: int | None):
    """The admins' chosen lead story if it is still published, else the newest published
    article with a photo (None: no such article). Its ``cover`` is attached by
    :func:`home_pictures`. Which article it is is found once per content change (see
    computed_once): the newest with a public cover was a search through the covers' privacy
    rules on every render."""
    lead = computed_once("lead-story-row", lambda: _lead_story(lead_article_id))
    if lead is None:
        return None
    # Its piece is kept by key and cover: the row is read only when the piece is rendered.
    (story,) = rows_by_keys(_article_cards(), [lead[0]], [{"cover_photo_id": lead[1]}])
    return story


def _lead_story(lead_article_id: int | None) -> tuple[int, int | None] | None:
    """(key, cover photo id) of the lead story."""
    cards = _article_cards().values_list("pk", "cover_photo_id")
    if lead_article_id:
        chosen = cards.filter(pk=lead_article_id).first()
        if chosen is not None:
            return tuple(chosen)
    # cover_photo first: the partial index then finds the candidates, newest first.
    found = (
        with_cover_ids(_article_cards())
        .filter(cover_photo__isnull=False)
        .filter(cover_id__isnull=False)
        .values_list("pk", "cover_photo_id")
        .first()
    )
    return tuple(found) if found else None


@dataclass(frozen=True)
class BrandFigure:
    value: int
    label: str


def brand_cards(limit: int = 6) -> list:
    """Published brands that hold sessions, each with its figures summed from the sessions
    (``figures``: the session count in the brand's own unit, then its chief outcome) and
    ``cover_id``: the first public photo of its newest published article. A matchmaking
    brand's articles show participants, so public_photos() gives it none."""
    newest_photo = (
        public_photos()
        .filter(article__brand=OuterRef("pk"), article__in=Article.objects.published())
        .order_by("-article__publish_at", "-article__pk", "position", "pk")
    )
    brands = list(
        brand_outcomes()
        .filter(session_count__gt=0)
        .annotate(cover_id=Subquery(newest_photo.values("pk")[:1]))
        .order_by("position", "name")[:limit]
    )
    for brand in brands:
        # Strings, not lazy translations: the cards are kept per language (computed_once).
        figures = [BrandFigure(brand.session_count, str(brand.unit_label))]
        for total, label in (
            (brand.total_couples, _("对牵手")),
            (brand.total_classes, _("个托管班")),
            (brand.total_families, _("户家庭")),
            (brand.total_participants, _("人次参与")),
        ):
            if total:
                figures.append(BrandFigure(total, str(label)))
                break
        brand.figures = figures
    return brands


def home_pictures(*items) -> None:
    """Attach ``cover`` to every article and brand given (two queries in all)."""
    with_covers([item for item in items if item is not None])
