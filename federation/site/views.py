"""Site-wide public pages: home, statistics, search, about, robots.txt, language switch."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from brands import selectors as brand_selectors
from federation import portal
from federation.site import opendata, search, selectors
from federation.web import querykeys
from federation.web.cache import computed_once, public_page
from federation.web.ratelimits import retry_after, too_many_requests
from organizations import selectors as directory
from organizations.models import Federation, MediaAccount, ServiceSite
from organizations.snapshots import snapshot_at

SEARCH_LIMIT = 20
SEARCH_MAX_LENGTH = 50
SEARCH_THROTTLED_MESSAGE = _("搜索过于频繁。")


@method_decorator(public_page, name="dispatch")
class HomeView(TemplateView):
    template_name = "federation/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = computed_once("headline", selectors.headline_figures)
        lead = selectors.lead_story(portal.current().lead_article_id)
        news = [a for a in selectors.latest_articles(7) if lead is None or a.pk != lead.pk][:6]
        # Sums over every session of each brand: once per content change and day.
        brands = computed_once("brand-cards", selectors.brand_cards)
        selectors.home_pictures(lead, *news, *brands)  # one query for the photos, one for sizes
        context.update(lead=lead, news=news, brands=brands, today=timezone.localdate())
        # Read by the template only when its piece is not kept (federation.web.fragments).
        context["media_accounts"] = MediaAccount.objects.all()
        context["site_kinds"] = ServiceSite.Kind.choices
        return context


def parse_as_of(value: str | None) -> tuple[datetime.date | None, str]:
    """``as_of`` of /stats/: a past date (YYYY-MM-DD), or a clear message why not."""
    if not value:
        return None, ""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None, _("日期“%(value)s”无法识别，请按 YYYY-MM-DD 填写，例如 2025-12-31。") % {
            "value": value
        }
    if day >= timezone.localdate():
        return None, _("%(day)s 不是过去的日期；下面是当前的数字。") % {"day": day.isoformat()}
    return day, ""


def stats_figures() -> dict:
    """What /stats/ shows today, derived from whole tables (see computed_once)."""
    by_form = directory.federations_by_form()
    by_kind = selectors.sites_by_kind()
    per_month = selectors.activities_per_month()
    return {
        "figures": computed_once("headline", selectors.headline_figures),
        "by_form": by_form,
        "by_form_max": max([r["count"] for r in by_form] or [0]),
        "by_sector": selectors.coverage_by_sector(),
        "by_kind": by_kind,
        "by_kind_max": max([r["count"] for r in by_kind] or [0]),
        "per_month": per_month,
        "per_month_max": max([r["count"] for r in per_month] or [0]),
        # A brand without sessions (the master brand) would be a row of zeros.
        "brand_outcomes": list(brand_selectors.brand_outcomes().filter(session_count__gt=0)),
    }


@method_decorator(public_page(query={"as_of": querykeys.text(20)}), name="dispatch")
class StatsView(TemplateView):
    template_name = "federation/stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day, problem = parse_as_of(self.request.GET.get("as_of"))
        if day is not None:
            snapshot = snapshot_at(day)
            if snapshot is not None:
                context.update(selectors.snapshot_context(snapshot), as_of=day)
                return context
            problem = _("%(day)s 之前没有月度快照；下面是当前的数字。") % {"day": day.isoformat()}
        context["as_of_problem"] = problem
        context.update(computed_once("stats", stats_figures))
        context["definitions"] = selectors.DEFINITIONS
        return context


SEARCH_TYPES = ("news", "federations", "sites", "brands", "exemplars")
SEARCH_QUERY = {
    "q": querykeys.text(SEARCH_MAX_LENGTH),
    "type": querykeys.one_of([(t, t) for t in SEARCH_TYPES]),
    "page": querykeys.page,
}


@method_decorator(public_page(query=SEARCH_QUERY), name="dispatch")
class SearchView(TemplateView):
    """One box over news, federations, sites, brands and exemplars (``federation.site.search``).

    Each group shows its true count and its first SEARCH_LIMIT; ``type=`` pages one group.
    """

    template_name = "federation/search.html"

    def get(self, request, *args, **kwargs):
        # Each new query is a render (a page-cache miss): limited per client address.
        if request.GET.get("q"):
            wait = retry_after(request, group="search", rate=settings.SEARCH_RATE)
            if wait is not None:
                return too_many_requests(request, wait, SEARCH_THROTTLED_MESSAGE)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = " ".join(self.request.GET.get("q", "").split())[:SEARCH_MAX_LENGTH]
        words = search.words_of(query)
        context["query"] = query
        context["limit"] = SEARCH_LIMIT
        if not words:
            context["sections"] = []
            return context
        found = search.Search(words)
        kind = self.request.GET.get("type")
        if kind in search.GROUPS:
            # 查看全部: one group, paged.
            paginator = Paginator(found.results(kind), SEARCH_LIMIT)
            page_obj = paginator.get_page(self.request.GET.get("page"))
            context.update(
                type=kind,
                page_obj=page_obj,
                paginator=paginator,
                is_paginated=paginator.num_pages > 1,
                sections=[
                    (
                        kind,
                        {
                            "items": list(page_obj),
                            "count": paginator.count,
                            "more": False,
                            "keys": tuple(item.pk for item in page_obj),
                        },
                    )
                ],
                total=paginator.count,
            )
            return context
        sections = [(name, found.first(name, SEARCH_LIMIT)) for name in search.GROUPS]
        context["sections"] = sections
        context["total"] = sum(s["count"] for _name, s in sections)
        # A common word's count stops at COUNT_CAP in a group: the total is then "more than".
        context["total_more"] = any(s["more"] for _name, s in sections)
        return context


@method_decorator(public_page, name="dispatch")
class AboutView(TemplateView):
    template_name = "federation/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["district"] = Federation.objects.active().district().first()
        context["media_accounts"] = list(MediaAccount.objects.all())
        return context


@require_GET
def switch_language(request, code: str):
    """Switch language with a plain link (works without JavaScript and in cached pages)."""
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if check_for_language(code) and code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
            path=settings.LANGUAGE_COOKIE_PATH,
            samesite="Lax",
        )
    return response


@method_decorator(public_page, name="dispatch")
class OpenDataView(TemplateView):
    """The list of open data sets, each as CSV (UTF-8 with BOM, for Excel) and JSON."""

    template_name = "federation/open_data.html"

    def get_context_data(self, **kwargs):

        context = super().get_context_data(**kwargs)
        context.update(
            datasets=opendata.DATASETS,
            as_of=timezone.localdate(),
            licence=opendata.LICENCE,
            licence_url=opendata.LICENCE_URL,
            suppress_below=opendata.SUPPRESS_BELOW,
        )
        return context


@public_page
def open_data_file(request, slug: str, fmt: str):

    dataset = opendata.BY_SLUG.get(slug)
    if dataset is None or fmt not in ("csv", "json"):
        raise Http404
    if fmt == "csv":
        response = HttpResponse(opendata.as_csv(dataset), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            opendata.as_json(dataset), content_type="application/json; charset=utf-8"
        )
    name = f"teda-{slug}-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
