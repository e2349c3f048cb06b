"""Site-wide public pages: home, statistics, search, about, robots.txt, language switch."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from activities.models import Article, Exemplar
from activities.selectors import latest_news
from brands import selectors as brand_selectors
from brands.models import Brand
from federation.site import selectors
from federation.web import querykeys
from federation.web.cache import public_page
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
        context["figures"] = selectors.headline_figures()
        context["news"] = latest_news(6)
        context["brands"] = list(Brand.objects.published().filter(parent__isnull=True))
        context["media_accounts"] = list(MediaAccount.objects.all())
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
        figures = selectors.headline_figures()
        by_form = directory.federations_by_form()
        by_kind = selectors.sites_by_kind()
        per_month = selectors.activities_per_month()
        context.update(
            figures=figures,
            definitions=selectors.DEFINITIONS,
            by_form=by_form,
            by_form_max=max([r["count"] for r in by_form] or [0]),
            by_sector=selectors.coverage_by_sector(),
            by_kind=by_kind,
            by_kind_max=max([r["count"] for r in by_kind] or [0]),
            per_month=per_month,
            per_month_max=max([r["count"] for r in per_month] or [0]),
            brand_outcomes=list(brand_selectors.brand_outcomes()),
        )
        return context


@method_decorator(public_page(query={"q": querykeys.text(SEARCH_MAX_LENGTH)}), name="dispatch")
class SearchView(TemplateView):
    """One box over news, federations, sites, brands and exemplars.

    Chinese has no spaces, so each word is matched with plain ``contains`` (LIKE '%…%'): a
    two-character word such as 妇联 finds every text containing it, on SQLite and PostgreSQL.
    Several words separated by spaces must all occur. Each section shows at most SEARCH_LIMIT.
    """

    template_name = "federation/search.html"

    def get(self, request, *args, **kwargs):
        # Each new query is a render (a page-cache miss): limited per client address.
        if request.GET.get("q"):
            wait = retry_after(request, group="search", rate=settings.SEARCH_RATE)
            if wait is not None:
                return too_many_requests(request, wait, SEARCH_THROTTLED_MESSAGE)
        return super().get(request, *args, **kwargs)

    @staticmethod
    def matching(queryset, fields, words):
        for word in words:
            condition = Q()
            for name in fields:
                condition |= Q(**{f"{name}__contains": word})
            queryset = queryset.filter(condition)
        return queryset

    def section(self, queryset, fields, words):
        rows = list(self.matching(queryset, fields, words)[: SEARCH_LIMIT + 1])
        return {"items": rows[:SEARCH_LIMIT], "more": len(rows) > SEARCH_LIMIT}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = " ".join(self.request.GET.get("q", "").split())[:SEARCH_MAX_LENGTH]
        words = query.split()[:5]
        context["query"] = query
        context["limit"] = SEARCH_LIMIT
        if not words:
            context["sections"] = []
            return context
        sections = [
            (
                "news",
                self.section(
                    Article.objects.published().select_related("federation"),
                    ["title", "summary", "body"],
                    words,
                ),
            ),
            (
                "federations",
                self.section(
                    Federation.objects.active(),
                    ["name", "short_name", "area", "description"],
                    words,
                ),
            ),
            (
                "sites",
                self.section(
                    ServiceSite.objects.active(),
                    ["name", "area", "address", "services", "description"],
                    words,
                ),
            ),
            (
                "brands",
                self.section(
                    Brand.objects.published(),
                    ["name", "tagline", "description", "services"],
                    words,
                ),
            ),
            (
                "exemplars",
                self.section(
                    Exemplar.objects.published(), ["name", "workplace", "title", "story"], words
                ),
            ),
        ]
        context["sections"] = sections
        context["total"] = sum(len(s["items"]) for _name, s in sections)
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
