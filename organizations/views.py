"""Public directory of the network: federations and the service-site finder (with QR codes)."""

from __future__ import annotations

import io
import math
from itertools import groupby

import segno
from django import forms
from django.db.models import Count, Exists, F, FloatField, OuterRef, Value
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from federation.core import registry
from federation.core.links import object_url
from federation.core.visibility import count_public, with_public_flags
from federation.web import querykeys
from federation.web.cache import computed_once, public_page
from organizations import geo, selectors
from organizations.hours import next_opening, opening_text
from organizations.models import Federation, OpeningHours, ServiceSite
from organizations.tilemap import TileMapMixin, tile_map


def open_now_condition(moment):
    """Sites with an opening period covering ``moment`` (local time)."""
    local = timezone.localtime(moment)
    return Exists(
        OpeningHours.objects.filter(
            site=OuterRef("pk"),
            weekday=local.weekday(),
            opens__lte=local.time(),
            closes__gt=local.time(),
        )
    )


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


def distance_label(metres: float) -> str:
    if metres < 1000:
        return _("%(n)d 米") % {"n": round(metres / 10) * 10}
    return _("%(n)s 公里") % {"n": f"{metres / 1000:.1f}"}


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

    dots = [
        {"x": x, "y": y, "name": name, "url": url}
        for (lat, lng, name, url) in points
        for x, y in [project(lat, lng)]
    ]
    # Written here rather than by a template loop: 336 dots through the template engine were
    # a quarter of the page's cost.
    markup = "".join(
        f'<a href="{escape(dot["url"])}"><circle class="map-dot" cx="{dot["x"]:.1f}"'
        f' cy="{dot["y"]:.1f}" r="4"><title>{escape(dot["name"])}</title></circle></a>'
        for dot in dots
    )
    result = {
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "dots": dots,
        "markup": mark_safe(markup),  # noqa: S308 - every value above is escaped or a number
    }
    if here:
        result["here"] = dict(zip(("x", "y"), project(*here), strict=True))
    return result


@method_decorator(public_page(query=FEDERATION_QUERY), name="dispatch")
class FederationListView(ListView):
    """The network by form of organisation, with counts, and the grassroots federations."""

    template_name = "organizations/federation_list.html"
    paginate_by = 40

    def get_queryset(self):
        base = Federation.objects.active().grassroots()
        areas = base.exclude(area="").order_by("area").values_list("area", flat=True).distinct()
        self.form = FederationFilterForm(self.request.GET or None, areas=list(areas))
        queryset = base.annotate(
            group_count=count_public(Federation, "parent"),
            site_count=count_public(ServiceSite, "federation"),
        ).order_by("kind", "name")
        if self.form.is_valid():
            if self.form.cleaned_data["kind"]:
                queryset = queryset.filter(kind=self.form.cleaned_data["kind"])
            if self.form.cleaned_data["area"]:
                queryset = queryset.filter(area=self.form.cleaned_data["area"])
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["by_form"] = computed_once("federations-by-form", selectors.federations_by_form)
        context["figures"] = computed_once("network", selectors.network_figures)
        context["district"] = Federation.objects.active().district().first()
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
            context["children"] = list(children.order_by("name")[:200])
        context["sites"] = list(federation.sites.active().order_by("kind", "name"))
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
        queryset = (
            base.select_related("federation")
            .prefetch_related("hours")
            .annotate(open_now=open_now_condition(self.now))
        )
        if self.form.is_valid():
            data = self.form.cleaned_data
            if data["kind"]:
                queryset = queryset.filter(kind=data["kind"])
            if data["area"]:
                queryset = queryset.filter(area=data["area"])
        self.filtered = queryset
        if self.form.is_valid() and self.form.cleaned_data["open_now"]:
            queryset = queryset.filter(open_now=True)
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        local = timezone.localtime(self.now)
        for site in context["object_list"]:
            site.opening = opening_text(site.hours.all(), local)
            if self.here and site.latitude is not None and site.longitude is not None:
                site.distance = distance_label(
                    geo.distance_m(*self.here, float(site.latitude), float(site.longitude))
                )
        context["form"] = self.form
        context["now"] = local
        context["near"] = self.request.GET.get("near", "")
        self.map_rows, context["map"], context["tile_map"] = self.site_map()
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
            rows = list(self.filtered.values_list("pk", "name", "latitude", "longitude"))
            points = [
                (lat, lng, name, object_url("organizations:site_detail", pk))
                for pk, name, lat, lng in rows
            ]
            return rows, svg_map(points, here=self.here), tile_map(points, here=self.here)

        if self.here:
            return build()
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return computed_once(f"site-map:{data.get('kind', '')}:{data.get('area', '')}", build)

    def opening_soon(self, local, limit: int = 3) -> list[dict]:
        """Nothing open now: the sites (of the same kind and area) that open first."""
        # Plain rows, not model objects: this reads the hours of every filtered site.
        periods = OpeningHours.objects.filter(site__in=self.filtered.values("pk")).values_list(
            "site_id", "weekday", "opens", "closes", named=True
        )
        by_site: dict[int, list] = {}
        for period in periods:
            by_site.setdefault(period.site_id, []).append(period)
        places = {pk: (lat, lng) for pk, _name, lat, lng in self.map_rows}
        names = {pk: name for pk, name, _lat, _lng in self.map_rows}
        soon = []
        for pk, site_periods in by_site.items():
            upcoming = next_opening(site_periods, local)
            if upcoming:
                lat, lng = places.get(pk, (None, None))
                distance = (
                    geo.distance_m(*self.here, float(lat), float(lng))
                    if self.here and lat is not None and lng is not None
                    else 0
                )
                soon.append((upcoming, distance, names.get(pk, ""), pk))
        soon.sort()
        first = [pk for *_rest, pk in soon[:limit]]
        sites = ServiceSite.objects.in_bulk(first)
        return [
            {"site": sites[pk], "opening": opening_text(by_site[pk], local)}
            for pk in first
            if pk in sites
        ]


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
