"""sitemap.xml: every public page, from the same querysets as the pages themselves."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from activities.models import Activity, Article, Exemplar
from brands.models import Brand
from organizations.models import Federation, ServiceSite


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


class ArticleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        # A list, not a queryset: the paginator then counts without another query.
        return list(Article.objects.published().only("pk", "publish_at", "updated_at"))

    def lastmod(self, item):
        return item.updated_at


class ActivitySitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return list(Activity.objects.public().only("pk", "updated_at"))

    def lastmod(self, item):
        return item.updated_at


class FederationSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return list(Federation.objects.active().only("pk", "updated_at"))

    def lastmod(self, item):
        return item.updated_at


class SiteSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return list(ServiceSite.objects.active().only("pk", "updated_at"))

    def lastmod(self, item):
        return item.updated_at


class BrandSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return list(Brand.objects.published().only("pk", "slug"))


class ExemplarSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        return list(Exemplar.objects.published().only("pk"))


SITEMAPS = {
    "pages": StaticSitemap,
    "news": ArticleSitemap,
    "activities": ActivitySitemap,
    "federations": FederationSitemap,
    "sites": SiteSitemap,
    "brands": BrandSitemap,
    "exemplars": ExemplarSitemap,
}
