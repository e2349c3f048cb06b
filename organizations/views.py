"""Public directory of the network: federations and the service-site finder (with QR codes)."""

from __future__ import annotations

import io
from itertools import groupby

import segno
from django import forms
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from activities.models import Activity, Article
from federation.web.cache import public_page
from organizations.models import Federation, OpeningHours, ServiceSite


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


@method_decorator(public_page, name="dispatch")
class FederationListView(ListView):
    """The network by form of organisation, with counts, and the grassroots federations."""

    template_name = "organizations/federation_list.html"
    paginate_by = 40

    def get_queryset(self):
        base = Federation.objects.active().grassroots()
        areas = base.exclude(area="").order_by("area").values_list("area", flat=True).distinct()
        self.form = FederationFilterForm(self.request.GET or None, areas=list(areas))
        queryset = base.annotate(
            group_count=Count("children", filter=Q(children__is_active=True), distinct=True),
            site_count=Count("sites", filter=Q(sites__is_active=True), distinct=True),
        ).order_by("kind", "name")
        if self.form.is_valid():
            if self.form.cleaned_data["kind"]:
                queryset = queryset.filter(kind=self.form.cleaned_data["kind"])
            if self.form.cleaned_data["area"]:
                queryset = queryset.filter(area=self.form.cleaned_data["area"])
        return queryset

    def get_context_data(self, **kwargs):
        from federation.site.selectors import federations_by_form, headline_figures

        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["by_form"] = federations_by_form()
        context["figures"] = headline_figures()
        context["district"] = Federation.objects.active().district().first()
        return context


@method_decorator(public_page, name="dispatch")
class FederationDetailView(DetailView):
    template_name = "organizations/federation_detail.html"

    def get_queryset(self):
        return (
            Federation.objects.active()
            .select_related("parent")
            .annotate(
                # A count only: the public never sees which enterprises, nor their contacts.
                enterprise_count=Count("enterprises", distinct=True),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        federation = self.object
        children = federation.children.filter(is_active=True)
        if federation.level == Federation.Level.DISTRICT:
            # The whole network hangs under the district: a count and the directory, not 700 tags.
            context["children"] = []
            context["children_count"] = children.count()
        else:
            context["children"] = list(children.order_by("name")[:200])
        context["sites"] = list(federation.sites.active().order_by("kind", "name"))
        context["activities"] = list(
            Activity.objects.public()
            .filter(organizer=federation)
            .select_related("site", "organizer")
            .order_by("-starts_at")[:10]
        )
        context["articles"] = list(Article.objects.published().filter(federation=federation)[:10])
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


@method_decorator(public_page(timeout=60), name="dispatch")
class SiteListView(ListView):
    """The site finder: by kind, by area, and "open now" (cached briefly: the answer moves)."""

    template_name = "organizations/site_list.html"
    paginate_by = 30

    def get_queryset(self):
        self.now = timezone.now()
        base = ServiceSite.objects.active()
        areas = base.exclude(area="").order_by("area").values_list("area", flat=True).distinct()
        self.form = SiteFilterForm(self.request.GET or None, areas=list(areas))
        queryset = (
            base.select_related("federation")
            .annotate(open_now=open_now_condition(self.now))
            .order_by("kind", "name")
        )
        if self.form.is_valid():
            data = self.form.cleaned_data
            if data["kind"]:
                queryset = queryset.filter(kind=data["kind"])
            if data["area"]:
                queryset = queryset.filter(area=data["area"])
            if data["open_now"]:
                queryset = queryset.filter(open_now=True)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["now"] = timezone.localtime(self.now)
        return context


@method_decorator(public_page(timeout=60), name="dispatch")
class SiteDetailView(DetailView):
    template_name = "organizations/site_detail.html"

    def get_queryset(self):
        now = timezone.now()
        return (
            ServiceSite.objects.active()
            .select_related("federation")
            .prefetch_related("hours")
            .annotate(open_now=open_now_condition(now))
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
        context["upcoming"] = list(
            Activity.objects.public()
            .filter(site=site, starts_at__gte=timezone.now())
            .order_by("starts_at")[:10]
        )
        context["sessions"] = list(
            site.brand_sessions.filter(brand__is_published=True)
            .select_related("brand")
            .order_by("-starts_on")[:10]
        )
        return context


@require_GET
@public_page
def site_qr(request, pk: int):
    """A printable QR code (SVG) pointing at the site's public page."""
    site = get_object_or_404(ServiceSite.objects.active().only("pk"), pk=pk)
    url = request.build_absolute_uri(site.get_absolute_url())
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=True)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="site-{pk}-qr.svg"'
    return response
