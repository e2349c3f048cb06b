"""sitemap.xml: a sitemap index of one section per kind of page, each from the same querysets as
the pages themselves, in pages of at most ``PAGE_SIZE`` addresses (a single file grew to 7.5 MB
and 4 s at 20× the data; search engines accept 50,000 addresses per file, but a page of a few
thousand is cheap to render and to cache)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from activities.models import Activity, Article, Exemplar
from brands.models import Brand
from organizations.models import Federation, ServiceSite

PAGE_SIZE = 2000


class PagedSitemap(Sitemap):
    """Items as an ordered queryset: each page is a LIMIT/OFFSET query (plus one COUNT), never a
    list of every row."""

    limit = PAGE_SIZE


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
