"""sitemap.xml: a sitemap index of one section per kind of page, each from the same querysets as
the pages themselves, in pages of at most ``PAGE_SIZE`` addresses (a single file grew to 7.5 MB
and 4 s at 20× the data; search engines accept 50,000 addresses per file, but a page of a few
thousand is cheap to render and to cache)."""

from __future__ import annotations

import datetime
from functools import cached_property
from html import escape

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Article, Exemplar
from brands.models import Brand
from federation.core.links import object_url
from federation.web.cache import computed_once
from organizations.models import Federation, ServiceSite

# Small enough that a page costs the same at ten times the network (its render is per address)
# and no more than a list page to render uncached (about 5 ms at 500 addresses).
PAGE_SIZE = 500


class PagedSitemap(Sitemap):
    """Items as an ordered queryset of plain rows (the key, and ``updated_at`` where the section
    has a lastmod): each page is a LIMIT/OFFSET query (plus one COUNT), never a list of every
    row, and no model is built per address (a thousand of them were a third of a page's cost).
    Each address is its page's own (``federation.core.links.object_url``)."""

    limit = PAGE_SIZE
    url_name: str
    key = "pk"

    def rows(self):  # the section's public rows, ordered
        raise NotImplementedError

    def items(self):
        fields = (self.key, "updated_at") if hasattr(self, "lastmod") else (self.key,)
        return self.rows().values_list(*fields)

    def location(self, item):
        return object_url(self.url_name, item[0])

    @cached_property
    def paginator(self):
        # The section's size once per content change: the index counts every section (a COUNT
        # over each table, which grew with the network) and each page checks its number.
        paginator = Paginator(self._items(), self.limit)
        name = type(self).__name__
        paginator.__dict__["count"] = computed_once(f"sitemap-count:{name}", self.rows().count)
        return paginator

    def get_urls(self, page=1, site=None, protocol=None):
        """Django's entries for one page, built straight from the rows: ``Sitemap._urls`` looks
        up four attributes per address, half of a page's cost at a thousand addresses."""
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        dated = hasattr(self, "lastmod")
        changefreq = getattr(self, "changefreq", None)
        priority = getattr(self, "priority", None)
        priority = "" if priority is None else str(priority)
        urls, latest = [], None
        for row in self.paginator.page(page).object_list:
            lastmod = row[1] if dated else None
            if lastmod is not None and (latest is None or lastmod > latest):
                latest = lastmod
            urls.append(
                {
                    "item": row,
                    "location": base + self.location(row),
                    "lastmod": lastmod,
                    "changefreq": changefreq,
                    "priority": priority,
                    "alternates": [],
                }
            )
        if latest is not None:
            self.latest_lastmod = latest  # the section's Last-Modified
        return urls

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item of the section (all rows, for the
        # index's <lastmod>); the newest is one MAX() over the same rows.
        if not hasattr(self, "lastmod"):
            return None
        return computed_once(
            f"sitemap-lastmod:{type(self).__name__}",
            lambda: self.rows().order_by().aggregate(latest=Max("updated_at"))["latest"],
        )


class StaticSitemap(Sitemap):
    priority = 0.8
    changefreq = "daily"

    def items(self):
        return [
            "home",
            "stats",
            "about",
            "activities:article_list",
            "activities:activity_list",
            "activities:exemplar_list",
            "organizations:federation_list",
            "organizations:site_list",
            "brands:brand_list",
        ]

    def location(self, item):
        return reverse(item)


def _updated(item):
    return item[1]


class ArticleSitemap(PagedSitemap):
    changefreq = "weekly"
    url_name = "activities:article_detail"
    lastmod = staticmethod(_updated)

    def rows(self):
        # The public index's own order (status, publish_at): a page is read in order and stops
        # at its end, instead of sorting every public article by key. New ones come last.
        return Article.objects.published().order_by("publish_at", "pk")


class ActivitySitemap(PagedSitemap):
    changefreq = "weekly"
    url_name = "activities:activity_detail"
    lastmod = staticmethod(_updated)

    def rows(self):
        return Activity.objects.public().order_by("pk")


class FederationSitemap(PagedSitemap):
    changefreq = "monthly"
    url_name = "organizations:federation_detail"
    lastmod = staticmethod(_updated)

    def rows(self):
        return Federation.objects.active().order_by("pk")


class SiteSitemap(PagedSitemap):
    changefreq = "monthly"
    url_name = "organizations:site_detail"
    lastmod = staticmethod(_updated)

    def rows(self):
        return ServiceSite.objects.active().order_by("pk")


class BrandSitemap(PagedSitemap):
    changefreq = "monthly"
    url_name = "brands:brand_detail"
    key = "slug"

    def rows(self):
        return Brand.objects.published().order_by("pk")


class ExemplarSitemap(PagedSitemap):
    changefreq = "yearly"
    url_name = "activities:exemplar_detail"

    def rows(self):
        return Exemplar.objects.published().order_by("pk")


SITEMAPS = {
    "pages": StaticSitemap,
    "news": ArticleSitemap,
    "activities": ActivitySitemap,
    "federations": FederationSitemap,
    "sites": SiteSitemap,
    "brands": BrandSitemap,
    "exemplars": ExemplarSitemap,
}


def _day(value, zone) -> str:
    """A lastmod as the local date Django's template writes (``date:"Y-m-d"``)."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(zone)
        value = value.date()
    return value.isoformat()


def _url_element(url: dict, zone) -> str:
    # html.escape is what django.utils.html.escape runs, without its lazy-string wrapper.
    parts = [f"<url><loc>{escape(url['location'])}</loc>"]
    if url.get("lastmod"):
        parts.append(f"<lastmod>{_day(url['lastmod'], zone)}</lastmod>")
    if url.get("changefreq"):
        parts.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
    if url.get("priority"):
        parts.append(f"<priority>{escape(url['priority'])}</priority>")
    for alternate in url.get("alternates") or ():
        parts.append(
            f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}"'
            f' href="{escape(alternate["location"])}"/>'
        )
    parts.append("</url>")
    return "".join(parts)


def urlset_xml(urls: list[dict]) -> str:
    """What Django's sitemap.xml template writes, without a template loop per address (two
    thousand addresses through the template engine took 50 ms)."""
    zone = timezone.get_current_timezone()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
        + "".join(_url_element(url, zone) for url in urls)
        + "\n</urlset>\n"
    )


def section(request, sitemaps, section):
    """Django's sitemap view (its 404s, paging and Last-Modified), its XML written directly."""
    response = sitemap_views.sitemap(request, sitemaps, section=section)
    response.content = urlset_xml(response.context_data["urlset"])
    return response


def index_xml(items) -> str:
    """What Django's sitemap_index.xml template writes, without a template loop per page of a
    section (the index lists a page per 500 addresses: it grows with the network)."""
    zone = timezone.get_current_timezone()
    entries = []
    for item in items:
        entry = f"<sitemap><loc>{escape(item.location)}</loc>"
        if item.last_mod:
            moment = item.last_mod
            if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
                moment = moment.astimezone(zone)
            entry += f"<lastmod>{moment.isoformat()}</lastmod>"
        entries.append(entry + "</sitemap>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(entries)
        + "\n</sitemapindex>\n"
    )


def index(request, sitemaps, sitemap_url_name):
    """Django's sitemap index view (its sections, pages and Last-Modified), its XML written
    directly."""
    response = sitemap_views.index(request, sitemaps, sitemap_url_name=sitemap_url_name)
    response.content = index_xml(response.context_data["sitemaps"])
    return response
