"""Home page figures, the statistics page and search, checked against the database."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from activities.models import Activity, Article, Exemplar
from organizations.models import Enterprise, Federation, ServiceSite
from tests.factories import (
    ActivityFactory,
    ArticleFactory,
    BrandFactory,
    BrandSessionFactory,
    EnterpriseFactory,
    ExemplarFactory,
    FederationFactory,
    ServiceSiteFactory,
)
from tests.portal_data import build_portal

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def expected_figures() -> dict:
    year = timezone.localtime().year
    return {
        "grassroots_federations": Federation.objects.filter(
            is_active=True, level="grassroots"
        ).count(),
        "women_groups": Federation.objects.filter(is_active=True, level="group").count(),
        "covered_enterprises": Enterprise.objects.exclude(federation=None).count(),
        "surveyed_enterprises": Enterprise.objects.exclude(surveyed_on=None).count(),
        "covered_of_surveyed": Enterprise.objects.exclude(surveyed_on=None)
        .exclude(federation=None)
        .count(),
        "service_sites": ServiceSite.objects.filter(is_active=True).count(),
        "activities_this_year": sum(
            1
            for a in Activity.objects.filter(is_public=True)
            if timezone.localtime(a.starts_at).year == year
        ),
        "exemplars": Exemplar.objects.filter(consent_to_publish=True).count(),
        "exemplars_selected": Exemplar.objects.count(),
        "news": sum(
            1
            for a in Article.objects.all()
            if a.status == "published" and a.publish_at and a.publish_at <= timezone.now()
        ),
    }


def test_home_figures_match_the_database(client):
    portal = build_portal(3)
    FederationFactory(is_active=False)
    ActivityFactory(
        organizer=portal["federation"], starts_at=timezone.now() - datetime.timedelta(days=800)
    )
    response = client.get("/")
    figures = response.context["figures"]
    for name, value in expected_figures().items():
        assert getattr(figures, name) == value, name
    page = text(response)
    assert "截至 " + timezone.localdate().strftime("%Y年") in page
    assert figures.grassroots_federations == 3 and figures.women_groups == 3
    assert figures.covered_enterprises == 6 and figures.surveyed_enterprises == 9
    assert figures.exemplars == 3 and figures.news == 3
    # Every selected exemplar is counted; only the consented ones are shown.
    assert figures.exemplars_selected == Exemplar.objects.count() > figures.exemplars
    assert f"经本人同意公开 {figures.exemplars} 名" in page


def test_home_shows_latest_news_brands_site_finder_and_media(client):
    build_portal(2)
    page = text(client.get("/"))
    assert "妇联托管班开班0" in page and "草稿新闻" not in page and "定时新闻" not in page
    assert "泰达儿童之家" in page and "隐藏品牌" not in page
    assert 'action="/sites/"' in page and 'name="open_now"' in page
    assert "滨城女性" in page
    assert "<picture>" in page and 'type="image/webp"' in page and "w240-webp.webp" in page


def test_stats_page_has_definitions_and_breakdowns_as_tables(client):
    build_portal(2)
    EnterpriseFactory(
        surveyed_on=datetime.date(2024, 1, 1), sector=Enterprise.Sector.NEW_EMPLOYMENT
    )
    brand = BrandFactory(name="巾帼科创营", slug="sci")
    BrandSessionFactory(brand=brand, participants=25)
    BrandSessionFactory(brand=brand, participants=35)
    response = client.get("/stats/")
    page = text(response)
    for table in ("headline", "by-form", "by-sector", "by-kind", "per-month", "brand-outcomes"):
        assert f'id="{table}"' in page, table
    assert "怎么算的" in page and "已书面同意公开" in page
    figures = expected_figures()
    assert response.context["figures"].covered_of_surveyed == figures["covered_of_surveyed"]
    by_sector = {row["sector"]: row for row in response.context["by_sector"]}
    assert by_sector["employment"]["surveyed"] == 1 and by_sector["employment"]["covered"] == 0
    assert by_sector["economic"]["covered"] == 2
    by_kind = {row["kind"]: row["count"] for row in response.context["by_kind"]}
    assert sum(by_kind.values()) == figures["service_sites"]
    per_month = response.context["per_month"]
    assert len(per_month) == 12 and per_month[-1]["month"].month == timezone.localdate().month
    assert sum(row["count"] for row in per_month) >= 2  # the past activities of this month
    outcomes = {b.slug: b for b in response.context["brand_outcomes"]}
    assert outcomes["sci"].total_participants == 60 and outcomes["sci"].session_count == 2
    assert "<progress" in page  # charts are tables with plain HTML bars


def test_search_finds_two_character_chinese_words(client):
    ArticleFactory(title="经开区妇联召开年度会议", body="<p>会议内容</p>")
    ArticleFactory(title="暑期活动", body="<p>开设职工子女托管班</p>")
    ServiceSiteFactory(name="泰达儿童之家", services="暑期托管\n亲子阅读")
    BrandFactory(name="为爱而来", description="单身青年交友")
    ExemplarFactory(name="刘巾帼", story="带领团队攻关托管难题")
    FederationFactory(name="云圣智能妇联")

    page = text(client.get("/search/?q=妇联"))
    assert "经开区妇联召开年度会议" in page and "云圣智能妇联" in page
    results = client.get("/search/?q=托管").context["sections"]
    found = {name: [str(o) for o in section["items"]] for name, section in results}
    assert found["news"] == ["暑期活动"]
    assert found["sites"] == ["泰达儿童之家"]
    assert len(found["exemplars"]) == 1
    assert "为爱而来" in text(client.get("/search/?q=交友"))
    # Several words must all occur.
    assert "暑期活动" in text(client.get("/search/?q=暑期 托管"))
    assert "暑期活动" not in text(client.get("/search/?q=暑期 妇联"))


def test_search_never_finds_what_is_not_public(client):
    ArticleFactory(title="草稿妇联新闻", status=Article.Status.DRAFT)
    ArticleFactory(title="定时妇联新闻", publish_at=timezone.now() + datetime.timedelta(hours=1))
    ExemplarFactory(name="妇联未同意者", consent_to_publish=False, consent_recorded_on=None)
    FederationFactory(name="已撤销的妇联", is_active=False)
    ServiceSiteFactory(name="关闭的妇联驿站", is_active=False)
    page = text(client.get("/search/?q=妇联"))
    for hidden in (
        "草稿妇联新闻",
        "定时妇联新闻",
        "妇联未同意者",
        "已撤销的妇联",
        "关闭的妇联驿站",
    ):
        assert hidden not in page
    assert "没有找到包含“不存在的词”的内容" in text(client.get("/search/?q=不存在的词"))


def test_search_results_are_bounded_per_type(client):
    for i in range(23):
        ArticleFactory(title=f"托管新闻{i}")
    response = client.get("/search/?q=托管")
    news = dict(response.context["sections"])["news"]
    assert len(news["items"]) == 20 and news["count"] == 23
    assert "查看全部 23 条" in text(response)


def test_search_without_or_with_silly_queries(client):
    assert client.get("/search/").status_code == 200
    empty = client.get("/search/?q=")  # the very page of /search/, from the page cache
    assert empty.status_code == 200 and empty["X-Page-Cache"] == "hit"
    long_query = "妇" * 500
    response = client.get(f"/search/?q={long_query}")
    assert response.status_code == 200
    assert len(response.context["query"]) == 50
    assert client.get("/search/?q=%25_").status_code == 200  # LIKE wildcards are escaped
