"""Site-wide behaviour: sitemap, robots.txt, error pages, language switch, CSP-ready HTML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from activities.models import Article
from tests.factories import ArticleFactory, ExemplarFactory
from tests.portal_data import build_portal

pytestmark = pytest.mark.django_db

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_locations(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP_NS}loc")]


SECTIONS = [
    "http://testserver/sitemap-pages.xml",
    "http://testserver/sitemap-news.xml",
    "http://testserver/sitemap-activities.xml",
    "http://testserver/sitemap-federations.xml",
    "http://testserver/sitemap-sites.xml",
    "http://testserver/sitemap-brands.xml",
    "http://testserver/sitemap-exemplars.xml",
]


def test_sitemap_is_an_index_of_sections_listing_public_pages_only(client):
    public = ArticleFactory(title="公开")
    draft = ArticleFactory(status=Article.Status.DRAFT)
    exemplar = ExemplarFactory(consent_to_publish=False, consent_recorded_on=None)
    index = client.get("/sitemap.xml")
    assert ET.fromstring(index.content).tag == f"{SITEMAP_NS}sitemapindex"
    sections = sitemap_locations(client, "/sitemap.xml")
    assert sections == SECTIONS
    locations = [loc for section in sections for loc in sitemap_locations(client, section[17:])]
    assert "http://testserver/" in locations
    assert f"http://testserver{public.get_absolute_url()}" in locations
    assert f"http://testserver{public.federation.get_absolute_url()}" in locations
    assert f"http://testserver{draft.get_absolute_url()}" not in locations
    assert f"http://testserver{exemplar.get_absolute_url()}" not in locations


def test_a_large_section_is_split_into_pages(client, monkeypatch):
    from federation.site.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    articles = [ArticleFactory(title=f"新闻{i}") for i in range(5)]
    sections = sitemap_locations(client, "/sitemap.xml")
    assert [s for s in sections if "news" in s] == [
        "http://testserver/sitemap-news.xml",
        "http://testserver/sitemap-news.xml?p=2",
        "http://testserver/sitemap-news.xml?p=3",
    ]
    pages = [
        sitemap_locations(client, "/sitemap-news.xml"),
        sitemap_locations(client, "/sitemap-news.xml?p=2"),
        sitemap_locations(client, "/sitemap-news.xml?p=3"),
    ]
    assert [len(page) for page in pages] == [2, 2, 1]
    listed = [loc for page in pages for loc in page]
    assert sorted(listed) == sorted(f"http://testserver{a.get_absolute_url()}" for a in articles)
    assert client.get("/sitemap-news.xml?p=4").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_sitemap_section_is_the_xml_djangos_template_writes(client):
    import datetime

    from django.template.loader import render_to_string
    from django.utils import timezone

    # 23:30 in Beijing is 15:30 UTC: the date written is Beijing's, as Django's template writes.
    late = timezone.make_aware(datetime.datetime(2026, 3, 1, 23, 30))
    article = ArticleFactory(title="新闻 <&>")
    Article.objects.filter(pk=article.pk).update(updated_at=late)
    response = client.get("/sitemap-news.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"
    body = response.content.decode()
    assert (
        f"<url><loc>http://testserver/news/{article.pk}/</loc><lastmod>2026-03-01</lastmod>"
        "<changefreq>weekly</changefreq></url>"
    ) in body
    urls = response.context_data["urlset"]
    assert body == render_to_string("sitemap.xml", {"urlset": urls})
    pages = client.get("/sitemap-pages.xml")
    assert pages.content.decode() == render_to_string(
        "sitemap.xml", {"urlset": pages.context_data["urlset"]}
    )
    assert "<priority>0.8</priority>" in pages.content.decode()


def test_the_sitemap_index_gives_each_section_its_latest_change(client):
    import datetime

    from django.utils import timezone

    older, newer = ArticleFactory(title="旧"), ArticleFactory(title="新")
    Article.objects.filter(pk=older.pk).update(
        updated_at=timezone.make_aware(datetime.datetime(2025, 1, 2, 9))
    )
    Article.objects.filter(pk=newer.pk).update(
        updated_at=timezone.make_aware(datetime.datetime(2026, 5, 6, 9))
    )
    response = client.get("/sitemap.xml")
    body = response.content.decode()
    assert (
        "<sitemap><loc>http://testserver/sitemap-news.xml</loc>"
        "<lastmod>2026-05-06T09:00:00+08:00</lastmod></sitemap>"
    ) in body
    assert response["Content-Type"] == "application/xml"
    # Written without a template loop, byte for byte what Django's template writes.
    from django.template.loader import render_to_string

    assert body == render_to_string(
        "sitemap_index.xml", {"sitemaps": response.context_data["sitemaps"]}
    )


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /admin/" in body and "Disallow: /staff/" in body


def test_friendly_chinese_404(client, settings):
    settings.DEBUG = False
    response = client.get("/news/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "没有找到这个页面" in body and 'action="/search/"' in body


def test_friendly_500_needs_no_database_or_context():
    request = RequestFactory().get("/")
    response = server_error(request)
    assert response.status_code == 500
    assert "服务器暂时出了点问题" in response.content.decode()


def test_language_switch_works_with_a_plain_link(client):
    response = client.get("/language/en/?next=/news/")
    assert response.status_code == 302 and response["Location"] == "/news/"
    assert response.cookies["django_language"].value == "en"
    page = client.get("/news/").content.decode()
    assert '<html lang="en">' in page
    back = client.get("/language/zh-hans/?next=/news/")
    assert back.cookies["django_language"].value == "zh-hans"
    assert '<html lang="zh-hans">' in client.get("/news/").content.decode()


def test_language_switch_refuses_foreign_redirects_and_unknown_languages(client):
    response = client.get("/language/en/?next=https://evil.example/")
    assert response["Location"] == "/"
    response = client.get("/language/xx/?next=/")
    assert "django_language" not in response.cookies


def test_footer_switcher_links_back_to_the_same_page(client):
    page = client.get("/news/?year=2024").content.decode()
    assert 'href="/language/en/?next=/news/%3Fyear%3D2024"' in page


def test_public_html_is_ready_for_a_strict_content_security_policy(client):
    """No inline script, no inline style: issue 6 turns on a CSP without 'unsafe-inline'."""
    portal = build_portal(1)
    article = portal["articles"][0]
    urls = [
        "/",
        "/news/",
        article.get_absolute_url(),
        "/activities/",
        article.activity.get_absolute_url(),
        "/federations/",
        portal["federation"].get_absolute_url(),
        "/sites/",
        portal["site"].get_absolute_url(),
        "/brands/",
        "/brands/children-home/",
        "/exemplars/",
        "/stats/",
        "/search/?q=妇联",
        "/about/",
    ]
    for url in urls:
        body = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url
        assert not re.search(r"\sstyle=", body), url
        assert "<style" not in body, url
        assert re.search(r'<meta property="og:title" content="[^"]+">', body), url
        assert re.search(r'<meta property="og:image" content="http://testserver/[^"]+">', body), url
        assert "cdn" not in body.lower(), url
