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


def test_sitemap_lists_public_pages_only(client):
    public = ArticleFactory(title="公开")
    draft = ArticleFactory(status=Article.Status.DRAFT)
    exemplar = ExemplarFactory(consent_to_publish=False, consent_recorded_on=None)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    locations = [loc.text for loc in root.iter(f"{SITEMAP_NS}loc")]
    assert "http://testserver/" in locations
    assert f"http://testserver{public.get_absolute_url()}" in locations
    assert f"http://testserver{public.federation.get_absolute_url()}" in locations
    assert f"http://testserver{draft.get_absolute_url()}" not in locations
    assert f"http://testserver{exemplar.get_absolute_url()}" not in locations


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
