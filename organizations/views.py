"""Public directory of the network: federations and the service-site finder (with QR codes)."""

from __future__ import annotations

import io
import itertools
import math
from collections import namedtuple
from itertools import groupby

import segno
from django import forms
from django.db.models import Case, Count, Exists, F, FloatField, OuterRef, Q, Value, When
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from federation.core import registry
from federation.core.links import object_url
from federation.core.visibility import count_public, with_public_flags
from federation.web import fragments, querykeys
from federation.web.cache import computed_once, count_once, public_page
from federation.web.keyed import keyed
from organizations import geo, selectors
from organizations.hours import open_period, opening_text
from organizations.models import Federation, OpeningHours, ServiceSite
from organizations.tilemap import TileMapMixin, tianditu_key, tile_map


def _periods_covering(moment):
    local = timezone.localtime(moment)
    return OpeningHours.objects.filter(
        weekday=local.weekday(), opens__lte=local.time(), closes__gt=local.time()
    )


def open_now_condition(moment):
    """Sites with an opening period covering ``moment`` (local time), as a flag per row."""
    return Exists(_periods_covering(moment).filter(site=OuterRef("pk")))


def open_now_filter(moment):
    """The same sites as a filter: one pass over the periods, not one probe per site (the
    count of a "现在开放" search tested every site of the network)."""
    return Q(pk__in=_periods_covering(moment).values("site_id"))


class FederationFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("组建形式"),
        required=False,
        choices=[("", _("全部形式")), *Federation.Kind.choices],
    )
    area = forms.ChoiceField(label=_("片区"), required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("全部片区")), *[(a, a) for a in areas]]


FEDERATION_QUERY = {
    "kind": querykeys.one_of(Federation.Kind),
    "area": querykeys.text(40),
    "page": querykeys.page,
}


def near_point(value: str) -> str | None:
    """``lat,lng`` rounded to 4 decimals (≈ 10 m): nearby visitors share one cached page."""
    point = geo.parse_point(value)
    return f"{point[0]:.4f},{point[1]:.4f}" if point else None


SITE_QUERY = {
    "kind": querykeys.one_of(ServiceSite.Kind),
    "area": querykeys.text(40),
    "open_now": querykeys.flag,
    "near": near_point,
    "page": querykeys.page,
}
MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 320, 240, 12
# Up to this many located sites the map has one dot per site; beyond, the sites that fall in one
# square of MAP_CELL pixels are drawn as one larger dot (the map stays a few KB at any size).
MAP_DOT_LIMIT = 600
MAP_CELL = 16


def distance_label(metres: float) -> str:
    if metres < 1000:
        return _("%(n)d 米") % {"n": round(metres / 10) * 10}
    return _("%(n)s 公里") % {"n": f"{metres / 1000:.1f}"}


def _dot(x: float, y: float, name: str, url: str) -> str:
    return (
        f'<a href="{escape(url)}"><circle class="map-dot" cx="{x:.1f}" cy="{y:.1f}" r="4">'
        f"<title>{escape(name)}</title></circle></a>"
    )


def _clustered(projected) -> str:
    """One dot per occupied MAP_CELL square, at the centre of its sites, sized by their number."""
    cells: dict[tuple[int, int], list] = {}
    for point in projected:
        cells.setdefault((int(point[0] // MAP_CELL), int(point[1] // MAP_CELL)), []).append(point)
    parts = []
    for key in sorted(cells):
        members = cells[key]
        if len(members) == 1:
            parts.append(_dot(*members[0]))
            continue
        x = sum(p[0] for p in members) / len(members)
        y = sum(p[1] for p in members) / len(members)
        radius = min(4 + math.sqrt(len(members)), MAP_CELL / 2)
        label = ngettext("%(n)d 个阵地", "%(n)d 个阵地", len(members)) % {"n": len(members)}
        parts.append(
            f'<circle class="map-dot map-cluster" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}">'
            f"<title>{escape(label)}</title></circle>"
        )
    return "".join(parts)


def svg_map(points, here=None) -> dict | None:
    """Sites as dots on a plain frame, projected from their coordinates (no tiles, no key, no
    outside request). ``points``: (lat, lng, name, url)."""
    points = [p for p in points if p[0] is not None and p[1] is not None]
    if not points:
        return None
    lats = [float(p[0]) for p in points] + ([here[0]] if here else [])
    lngs = [float(p[1]) for p in points] + ([here[1]] if here else [])
    south, north, west, east = min(lats), max(lats), min(lngs), max(lngs)
    # Equal scale on both axes (a degree of longitude is shorter by cos(latitude)).
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * squeeze, 0.002)
    span_y = max(north - south, 0.002)
    scale = min((MAP_WIDTH - 2 * MAP_MARGIN) / span_x, (MAP_HEIGHT - 2 * MAP_MARGIN) / span_y)

    def project(lat, lng):
        x = MAP_MARGIN + ((float(lng) - west) * squeeze) * scale
        y = MAP_HEIGHT - MAP_MARGIN - (float(lat) - south) * scale
        return round(x, 1), round(y, 1)

    projected = [(*project(lat, lng), name, url) for (lat, lng, name, url) in points]
    if len(projected) <= MAP_DOT_LIMIT:
        # Written here rather than by a template loop: 336 dots through the template engine
        # were a quarter of the page's cost.
        markup = "".join(_dot(x, y, name, url) for x, y, name, url in projected)
    else:
        markup = _clustered(projected)
    result = {
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "count": len(points),
        "markup": mark_safe(markup),  # noqa: S308 - every value above is escaped or a number
    }
    if here:
        result["here"] = dict(zip(("x", "y"), project(*here), strict=True))
    return result


def _federation_areas() -> list[str]:
    active = Federation.objects.active().grassroots().exclude(area="")
    return list(active.order_by("area").values_list("area", flat=True).distinct())


@method_decorator(public_page(query=FEDERATION_QUERY), name="dispatch")
class FederationListView(ListView):
    """The network by form of organisation, with counts, and the grassroots federations."""

    template_name = "organizations/federation_list.html"
    paginate_by = 40

    def get_queryset(self):
        base = Federation.objects.active().grassroots()
        self.form = FederationFilterForm(
            self.request.GET or None, areas=computed_once("federation-areas", _federation_areas)
        )
        # What a card shows: the long texts and timestamps stay in the database.
        queryset = (
            base.only("pk", "name", "kind", "area")
            .annotate(
                group_count=count_public(Federation, "parent"),
                site_count=count_public(ServiceSite, "federation"),
            )
            .order_by("kind", "name")
        )
        if self.form.is_valid():
            if self.form.cleaned_data["kind"]:
                queryset = queryset.filter(kind=self.form.cleaned_data["kind"])
            if self.form.cleaned_data["area"]:
                queryset = queryset.filter(area=self.form.cleaned_data["area"])
        return queryset

    def get_paginator(self, queryset, *args, **kwargs):
        """The count per filter once per content change (a COUNT over every grassroots
        federation grew with the network); the page itself is read through the order's index."""
        paginator = super().get_paginator(queryset, *args, **kwargs)
        count_once(paginator, "federations-count", self.request, ("kind", "area"))
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Each card is kept (fragments): the keys now, the rows only for a card not kept.
        context["object_list"] = keyed(context["page_obj"].object_list)
        # The whole list is kept too, by its cards' keys: one lookup instead of 40.
        context["card_keys"] = tuple(federation.pk for federation in context["object_list"])
        context["form"] = self.form
        context["by_form"] = computed_once("federations-by-form", selectors.federations_by_form)
        context["figures"] = computed_once("network", selectors.network_figures)
        # Read only when the network's piece is rendered (federation.web.fragments).
        context["district"] = SimpleLazyObject(Federation.objects.active().district().first)
        return context


@method_decorator(public_page, name="dispatch")
class FederationDetailView(DetailView):
    template_name = "organizations/federation_detail.html"

    def get_queryset(self):
        return with_public_flags(
            Federation.objects.active().select_related("parent"), "parent"
        ).annotate(
            # A count only: the public never sees which enterprises, nor their contacts.
            enterprise_count=Count("enterprises", distinct=True),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        federation = self.object
        children = Federation.objects.active().filter(parent=federation)
        if federation.level == Federation.Level.DISTRICT:
            # The whole network hangs under the district: a count and the directory, not 700 tags.
            context["children"] = []
            context["children_count"] = children.count()
        else:
            context["children"] = children.order_by("name")[:200]
        # Read by the template only when its piece is not kept (federation.web.fragments).
        context["sites"] = federation.sites.active().order_by("kind", "name")
        # Its activities and news: contributed by the apps that own them.
        context.update(registry.contributions(federation))
        return context


class SiteFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *ServiceSite.Kind.choices]
    )
    area = forms.ChoiceField(label=_("片区"), required=False)
    open_now = forms.BooleanField(label=_("现在开放"), required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("全部片区")), *[(a, a) for a in areas]]


SITE_CARD_FIELDS = (
    "pk",
    "name",
    "kind",
    "area",
    "address",
    "is_online",
    "is_mobile",
    "latitude",
    "longitude",
)


@method_decorator(public_page(timeout=60, query=SITE_QUERY), name="dispatch")
class SiteListView(TileMapMixin, ListView):
    """The site finder: by kind, by area, "open now", nearest first (cached briefly: the answer
    moves). Without a position: by area, then name, whatever the kind."""

    template_name = "organizations/site_list.html"
    paginate_by = 30

    def get_queryset(self):
        self.now = timezone.now()
        self.here = geo.parse_point(self.request.GET.get("near", ""))
        base = ServiceSite.objects.active()
        areas = computed_once(
            "site-areas",
            lambda: list(
                base.exclude(area="").order_by("area").values_list("area", flat=True).distinct()
            ),
        )
        self.form = SiteFilterForm(self.request.GET or None, areas=areas)
        # What a card shows (and the position for the distance): a row is two model objects
        # less, and no timestamps to parse. Whether a card's site is open now comes with its
        # opening text (get_context_data), not from the query: PostgreSQL answered that column
        # for 30 rows by hashing every period of the weekday, which grew with the network.
        queryset = base.only(*SITE_CARD_FIELDS)
        if self.form.is_valid():
            data = self.form.cleaned_data
            if data["kind"]:
                queryset = queryset.filter(kind=data["kind"])
            if data["area"]:
                queryset = queryset.filter(area=data["area"])
        self.filtered = queryset
        if self.form.is_valid() and self.form.cleaned_data["open_now"]:
            # Probed per site in the list's order: the page's 30 are found without listing every
            # open site (open_now_filter, one pass over the periods, is for the count).
            queryset = queryset.filter(open_now_condition(self.now))
        if self.here:
            # Sorting needs no trigonometry in SQL: at a district's scale a flat projection
            # orders exactly like the great circle. The distance shown is the great circle.
            lat0, lng0 = self.here
            squeeze = math.cos(math.radians(lat0))
            dy = Cast("latitude", FloatField()) - Value(lat0)
            dx = (Cast("longitude", FloatField()) - Value(lng0)) * Value(squeeze)
            queryset = queryset.annotate(flat_distance=dy * dy + dx * dx).order_by(
                F("flat_distance").asc(nulls_last=True), "name"
            )
        else:
            queryset = queryset.order_by("area", "name")
        return queryset

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(queryset, *args, **kwargs)
        if not (self.form.is_valid() and self.form.cleaned_data["open_now"]):
            count_once(paginator, "site-count", self.request, ("kind", "area"))
        else:
            # "Open now" moves with the clock, by the minute (as the cards' opening texts): the
            # count of every open site is taken once per filter and minute, in one pass over the
            # periods, and shared by the visitors of that minute (each position is its own page).
            local = timezone.localtime(self.now)
            count_once(
                paginator,
                f"site-open-count:{local:%H%M}",
                self.request,
                ("kind", "area"),
                count=self.filtered.filter(open_now_filter(self.now)).count,
                timeout=max(1, 60 - local.second),
            )
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        local = timezone.localtime(self.now)
        sites = context["object_list"] = list(context["object_list"])

        def openings(missing: list[int]) -> list[tuple[str, bool]]:
            hours = periods_of([sites[i].pk for i in missing])
            week = [hours.get(sites[i].pk, ()) for i in missing]
            return [(opening_text(p, local), open_period(p, local) is not None) for p in week]

        # Each site's opening text and "open now" move only with the minute (periods start and
        # end on one) and its hours: kept per site and minute, so the periods are read only for
        # the rest.
        minute = f"{local:%Y%m%d%H%M}"
        states = fragments.kept_many(
            self.request, "site-state", [(site.pk, minute) for site in sites], openings
        )
        for site, (text, is_open) in zip(sites, states, strict=True):
            site.opening = text
            site.open_now = is_open
            site.distance = ""  # a template lookup that fails costs an exception
            if self.here and site.latitude is not None and site.longitude is not None:
                site.distance = distance_label(
                    geo.distance_m(*self.here, float(site.latitude), float(site.longitude))
                )
        # The whole list is kept too, by what its cards vary on: one lookup instead of 30.
        context["card_keys"] = tuple(
            (site.pk, site.open_now, site.distance, site.opening) for site in sites
        )
        context["form"] = self.form
        context["now"] = local
        context["near"] = self.request.GET.get("near", "")
        # The map's markup is kept as a fragment (federation.web.fragments) per filter: read
        # only when that piece is rendered (the tile map, with a 天地图 key, is read at once: the
        # page's head needs to know whether to load Leaflet).
        maps = SimpleLazyObject(self.site_map)
        context["map"] = SimpleLazyObject(lambda: maps[0])
        context["tile_map"] = maps[1] if tianditu_key() else None
        if not context["object_list"] and self.request.GET.get("open_now"):
            if self.here:
                context["opening_soon"] = self.opening_soon(local)
            else:
                # It reads every filtered site's hours; the answer only moves when a site
                # opens, and the page itself is kept 60 s: once per filter and minute.
                data = self.form.cleaned_data if self.form.is_valid() else {}
                key = f"opening-soon:{data.get('kind', '')}:{data.get('area', '')}:{local:%H%M}"
                context["opening_soon"] = computed_once(key, lambda: self.opening_soon(local))
        return context

    def site_map(self):
        """Every site of the kind/area filter as a dot: computed once per content change for
        each filter (it grows with the network), or for this request when it has a position."""

        def build():
            rows = self.filtered.values_list("pk", "name", "latitude", "longitude")
            points = [
                (lat, lng, name, object_url("organizations:site_detail", pk))
                for pk, name, lat, lng in rows
            ]
            return svg_map(points, here=self.here), tile_map(points, here=self.here)

        if self.here:
            return build()
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return computed_once(f"site-map:{data.get('kind', '')}:{data.get('area', '')}", build)

    def opening_soon(self, local, limit: int = 3) -> list[dict]:
        """Nothing open now: the sites (of the same kind and area) that open first, nearest first
        among those opening at the same time.

        The database orders the periods by when they next open (days ahead, then the time) and
        this reads only the first rows, rather than every filtered site's hours."""
        today = local.weekday()
        ahead = Case(
            When(weekday=today, opens__gt=local.time(), then=Value(0)),
            *[When(weekday=(today + days) % 7, then=Value(days)) for days in range(1, 7)],
            default=Value(7),  # today's periods that have already opened: next week
        )
        order = ["ahead", "opens"]
        periods = OpeningHours.objects.filter(site__in=self.filtered.values("pk")).annotate(
            ahead=ahead
        )
        if self.here:
            lat0, lng0 = self.here
            squeeze = math.cos(math.radians(lat0))
            dy = Cast("site__latitude", FloatField()) - Value(lat0)
            dx = (Cast("site__longitude", FloatField()) - Value(lng0)) * Value(squeeze)
            periods = periods.annotate(flat_distance=dy * dy + dx * dx)
            order.append(F("flat_distance").asc(nulls_first=True))
        rows = periods.order_by(*order, "site__name", "site_id").values_list("site_id", flat=True)
        found: list[int] = []
        chunk = 10 * limit  # a site has a few periods a week: one chunk is nearly always enough
        for offset in itertools.count(0, chunk):
            batch = list(rows[offset : offset + chunk])
            for pk in batch:
                if pk not in found:
                    found.append(pk)
            if len(found) >= limit or len(batch) < chunk:
                break
        found = found[:limit]
        chosen = ServiceSite.objects.prefetch_related("hours").in_bulk(found)
        return [
            {"site": chosen[pk], "opening": opening_text(chosen[pk].hours.all(), local)}
            for pk in found
            if pk in chosen
        ]


Period = namedtuple("Period", "weekday opens closes")


def periods_of(site_ids) -> dict[int, list[Period]]:
    """The opening periods of these sites, by site: plain rows (prefetching them as models was
    a third of the site finder's render)."""
    periods: dict[int, list[Period]] = {}
    rows = OpeningHours.objects.filter(site_id__in=site_ids).order_by()
    for site_id, *period in rows.values_list("site_id", "weekday", "opens", "closes"):
        periods.setdefault(site_id, []).append(Period(*period))
    return periods


@method_decorator(public_page(timeout=60), name="dispatch")
class SiteDetailView(TileMapMixin, DetailView):
    template_name = "organizations/site_detail.html"

    def get_queryset(self):
        now = timezone.now()
        return with_public_flags(
            ServiceSite.objects.active()
            .select_related("federation")
            .prefetch_related("hours")
            .annotate(open_now=open_now_condition(now)),
            "federation",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        site = self.object
        hours = list(site.hours.all())
        labels = dict(OpeningHours.Weekday.choices)
        context["week"] = [
            {"label": labels[day], "periods": list(periods)}
            for day, periods in groupby(hours, key=lambda h: h.weekday)
        ]
        context["opening"] = opening_text(hours, timezone.localtime())
        if site.latitude is not None and site.longitude is not None:
            context["routes"] = geo.route_links(
                site.name, float(site.latitude), float(site.longitude)
            )
        context["tile_map"] = tile_map(
            [(site.latitude, site.longitude, site.name, site.get_absolute_url())]
        )
        # Upcoming activities and brand sessions here: contributed by the apps that own them.
        context.update(registry.contributions(site))
        return context


QR_QUIET_ZONE = 4  # modules of white around the code: what ISO/IEC 18004 asks for print


def _site_qr(request, pk: int):
    site = get_object_or_404(ServiceSite.objects.active().only("pk"), pk=pk)
    return segno.make(request.build_absolute_uri(site.get_absolute_url()), error="m")


@require_GET
@public_page
def site_qr(request, pk: int):
    """A printable QR code (SVG) pointing at the site's public page."""
    buffer = io.BytesIO()
    _site_qr(request, pk).save(buffer, kind="svg", scale=8, border=QR_QUIET_ZONE, xmldecl=True)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="site-{pk}-qr.svg"'
    return response


@require_GET
@public_page
def site_qr_png(request, pk: int):
    """The same QR code as a PNG, to download and drop into a poster or a 公众号 article."""
    buffer = io.BytesIO()
    _site_qr(request, pk).save(buffer, kind="png", scale=12, border=QR_QUIET_ZONE)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="site-{pk}-qr.png"'
    return response


class SitePosterView(SiteDetailView):
    """A4 poster of a site (print it from the browser): name, kind, address, hours, QR code.
    Cached like the site page (its ``dispatch`` is already wrapped by ``public_page``)."""

    template_name = "organizations/site_poster.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tile_map"] = None  # printed: no interactive map, no tiles
        return context
