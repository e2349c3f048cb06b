"""sitemap.xml: a sitemap index of one section per kind of page, each from the same querysets as
the pages themselves, in pages of at most ``PAGE_SIZE`` addresses (a single file grew to 7.5 MB
and 4 s at 20× the data; search engines accept 50,000 addresses per file, but a page of a few
thousand is cheap to render and to cache)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.timezone import template_localtime

from activities.models import Activity, Article, Exemplar
from brands.models import Brand
from organizations.models import Federation, ServiceSite

# Small enough that a page costs the same at ten times the network (its render is per address).
PAGE_SIZE = 1000


class PagedSitemap(Sitemap):
    """Items as an ordered queryset: each page is a LIMIT/OFFSET query (plus one COUNT), never a
    list of every row."""

    limit = PAGE_SIZE

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item of the section (all rows, for the
        # index's <lastmod>); the newest is one MAX() over the same rows.
        if not hasattr(self, "lastmod"):
            return None
        return self.items().order_by().aggregate(latest=Max("updated_at"))["latest"]


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


class ArticleSitemap(PagedSitemap):
    changefreq = "weekly"

    def items(self):
        return Article.objects.published().only("pk", "publish_at", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class ActivitySitemap(PagedSitemap):
    changefreq = "weekly"

    def items(self):
        return Activity.objects.public().only("pk", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class FederationSitemap(PagedSitemap):
    changefreq = "monthly"

    def items(self):
        return Federation.objects.active().only("pk", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class SiteSitemap(PagedSitemap):
    changefreq = "monthly"

    def items(self):
        return ServiceSite.objects.active().only("pk", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class BrandSitemap(PagedSitemap):
    changefreq = "monthly"

    def items(self):
        return Brand.objects.published().only("pk", "slug").order_by("pk")


class ExemplarSitemap(PagedSitemap):
    changefreq = "yearly"

    def items(self):
        return Exemplar.objects.published().only("pk").order_by("pk")


SITEMAPS = {
    "pages": StaticSitemap,
    "news": ArticleSitemap,
    "activities": ActivitySitemap,
    "federations": FederationSitemap,
    "sites": SiteSitemap,
    "brands": BrandSitemap,
    "exemplars": ExemplarSitemap,
}


def _url_element(url: dict) -> str:
    parts = [f"<url><loc>{escape(url['location'])}</loc>"]
    if url.get("lastmod"):
        parts.append(
            f"<lastmod>{date_format(template_localtime(url['lastmod']), 'Y-m-d')}</lastmod>"
        )
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
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
        + "".join(_url_element(url) for url in urls)
        + "\n</urlset>\n"
    )


def section(request, sitemaps, section):
    """Django's sitemap view (its 404s, paging and Last-Modified), its XML written directly."""
    response = sitemap_views.sitemap(request, sitemaps, section=section)
    response.content = urlset_xml(response.context_data["urlset"])
    return response
