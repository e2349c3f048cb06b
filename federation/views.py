"""Site-wide public pages: home, statistics, search, about, robots.txt, language switch."""

from __future__ import annotations

import datetime
import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from activities.models import Article, Exemplar, Photo
from activities.renditions import pictures_for
from brands.models import Brand
from federation import selectors
from federation.cache import public_page
from organizations.models import Federation, MediaAccount, ServiceSite

SEARCH_LIMIT = 20
SEARCH_MAX_LENGTH = 50


def with_covers(articles) -> list:
    """Attach ``cover`` (a Picture or None) to each article: two queries for any number."""
    articles = list(articles)
    ids = [a.cover_id for a in articles if getattr(a, "cover_id", None)]
    photos = Photo.objects.filter(pk__in=ids) if ids else []
    pictures = pictures_for(photos)
    for article in articles:
        article.cover = pictures.get(getattr(article, "cover_id", None))
    return articles


def cover_annotation():
    first_photo = Photo.objects.filter(article=OuterRef("pk")).order_by("position", "pk")
    return Subquery(first_photo.values("pk")[:1])


def latest_news(limit: int):
    return with_covers(
        Article.objects.published()
        .select_related("federation")
        .annotate(cover_id=cover_annotation())[:limit]
    )


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


@method_decorator(public_page, name="dispatch")
class StatsView(TemplateView):
    template_name = "federation/stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = selectors.headline_figures()
        by_form = selectors.federations_by_form()
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
            brand_outcomes=list(selectors.brand_outcomes()),
        )
        return context


@method_decorator(public_page, name="dispatch")
class SearchView(TemplateView):
    """One box over news, federations, sites, brands and exemplars.

    Chinese has no spaces, so each word is matched with plain ``contains`` (LIKE '%…%'): a
    two-character word such as 妇联 finds every text containing it, on SQLite and PostgreSQL.
    Several words separated by spaces must all occur. Each section shows at most SEARCH_LIMIT.
    """

    template_name = "federation/search.html"

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
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /staff/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        "Disallow: /language/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


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


# --- Production: error pages, security.txt, bench reference view (issue #6) ---


logger = logging.getLogger(__name__)

# A database that is down or unreachable raises these; anything else is a bug (500).
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)


def server_error(request, template_name="500.html"):
    """handler500: a database outage becomes a Chinese 503 page rendered without the database."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_DOWN_ERRORS):
        return service_unavailable(request)
    # No request context: the context processors might need the database that just failed.
    return HttpResponseServerError(loader.get_template(template_name).render())


def service_unavailable(request):
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


@cache_control(public=True, max_age=86400)
def security_txt(request):
    """RFC 9116: whom to tell about a vulnerability; expires six months ahead, renewed daily."""
    expires = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(
        days=180
    )
    contact = settings.SECURITY_CONTACT or f"mailto:security@{request.get_host().split(':')[0]}"
    lines = [
        f"Contact: {contact}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: zh, en",
        f"Canonical: https://{request.get_host()}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
def bench_trivial(request):
    """The load benchmark's reference: the full middleware stack, a constant body, never served
    from the page cache (so it measures the stack, not the cache)."""
    return HttpResponse("ok", content_type="text/plain")
