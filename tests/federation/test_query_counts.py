"""Uncached public pages need at most 12 queries, and as many at 3N records as at N."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import clear_cache
from tests.portal_data import build_portal

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12


def page_urls(portal) -> list[str]:
    article = portal["articles"][0]
    site = portal["site"]
    return [
        "/",
        "/news/",
        "/news/?category=needs&brand=children-home&year=2026&federation=1",
        article.get_absolute_url(),
        "/activities/",
        article.activity.get_absolute_url(),
        "/activities/calendar.ics",
        f"/activities/{article.activity.pk}/event.ics",
        "/federations/",
        "/federations/?kind=joint",
        portal["federation"].get_absolute_url(),
        "/sites/",
        "/sites/?kind=women_home&open_now=on",
        "/sites/?near=39.0400,117.7100",
        "/sites/?kind=children_home&open_now=on&near=39.0400,117.7100",
        site.get_absolute_url(),
        f"/sites/{site.pk}/qr.svg",
        f"/sites/{site.pk}/qr.png",
        f"/sites/{site.pk}/poster/",
        "/brands/",
        "/brands/children-home/",
        "/exemplars/",
        "/exemplars/?honour=merit_star&year=2024",
        "/stats/",
        "/search/?q=妇联",
        "/search/?q=tuoguan",
        "/search/?q=妇联&type=federations&page=2",
        "/activities/?month=2025-01",
        "/activities/?day=2025-01-15",
        "/about/",
        "/feeds/news/",
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/sitemap-federations.xml",
        "/sitemap-sites.xml",
    ]


def uncached_counts(client, portal) -> dict[str, int]:
    urls = page_urls(portal)
    for url in urls:  # first visits generate the photo renditions (once per photo, ever)
        client.get(url)
    counts = {}
    for url in urls:
        clear_cache()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


def with_portal_settings(portal, png_bytes) -> None:
    """The footer's official face (备案 numbers, contacts, a QR code) and a chosen lead story."""
    from django.core.files.base import ContentFile

    from federation.models import PortalSettings

    row = PortalSettings(
        icp_number="津ICP备2024012345号-1",
        contact_phone="022-6620 0000",
        qr_1_title="妇联公众号",
        lead_article=portal["articles"][0],
    )
    row.qr_1.save("qr.png", ContentFile(png_bytes(360, 360)), save=False)
    row.save()


def test_no_public_page_needs_more_than_12_queries_and_none_grows(client, png_bytes):
    small = build_portal(2)
    with_portal_settings(small, png_bytes)
    small_counts = uncached_counts(client, small)
    for url, count in small_counts.items():
        assert count <= MAX_QUERIES, (url, count)

    build_portal(4)  # 3N records in all
    large_counts = uncached_counts(client, small)
    assert large_counts == small_counts


def test_cached_page_needs_no_query(client):
    build_portal(1)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response["X-Page-Cache"] == "hit"
    assert len(queries) == 0


def _queries(client, url: str) -> int:
    clear_cache()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def test_lists_inside_detail_pages_cost_the_same_for_one_item_as_for_six(client):
    """Activities on a federation's and a brand's page, reports on an activity's page: the
    organiser and the federation of each item come with the list, not one query per item."""
    import datetime

    from django.utils import timezone

    from tests.factories import ActivityFactory, ArticleFactory, BrandFactory, FederationFactory

    federation = FederationFactory()
    brand = BrandFactory()
    activity = ActivityFactory(organizer=federation)
    soon = timezone.now() + datetime.timedelta(days=2)

    def add(n):
        for _ in range(n):
            ActivityFactory(organizer=FederationFactory(), brand=brand, starts_at=soon)
            ActivityFactory(organizer=federation)
            ArticleFactory(activity=activity, federation=FederationFactory())

    urls = [federation.get_absolute_url(), brand.get_absolute_url(), activity.get_absolute_url()]
    add(1)
    few = {url: _queries(client, url) for url in urls}
    add(5)
    many = {url: _queries(client, url) for url in urls}
    assert many == few
