"""Activity news, activities and exemplars as the public sees them."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from activities.models import Activity, Article, Exemplar
from tests.factories import (
    ActivityFactory,
    ArticleFactory,
    BrandFactory,
    ExemplarFactory,
    FederationFactory,
    PhotoFactory,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def statuses():
    now = timezone.now()
    return {
        "public": ArticleFactory(title="公开的新闻"),
        "draft": ArticleFactory(title="草稿新闻", status=Article.Status.DRAFT),
        "submitted": ArticleFactory(title="待审核新闻", status=Article.Status.SUBMITTED),
        "unpublished": ArticleFactory(title="已撤回新闻", status=Article.Status.UNPUBLISHED),
        "scheduled": ArticleFactory(title="定时新闻", publish_at=now + datetime.timedelta(days=1)),
    }


def test_news_list_shows_only_published_articles_newest_first(client, statuses):
    older = ArticleFactory(
        title="较早的新闻", publish_at=timezone.now() - datetime.timedelta(days=3)
    )
    page = text(client.get("/news/"))
    assert "公开的新闻" in page
    assert page.index("公开的新闻") < page.index(older.title)
    for key in ("draft", "submitted", "unpublished", "scheduled"):
        assert statuses[key].title not in page


@pytest.mark.parametrize("key", ["draft", "submitted", "unpublished", "scheduled"])
def test_unpublished_articles_are_404(client, statuses, key):
    assert client.get(f"/news/{statuses[key].pk}/").status_code == 404


def test_news_filters_by_category_brand_federation_and_year(client):
    brand = BrandFactory(name="巾帼科创营", slug="sci-camp")
    federation = FederationFactory(name="深之蓝妇联")
    needs = ActivityFactory(category=Activity.Category.URGENT_NEEDS)
    ArticleFactory(title="托管需求新闻", activity=needs)
    ArticleFactory(title="科创营新闻", brand=brand)
    ArticleFactory(title="深之蓝新闻", federation=federation)
    ArticleFactory(title="往年新闻", publish_at=datetime.datetime(2023, 6, 1, tzinfo=datetime.UTC))

    by_category = text(client.get("/news/?category=needs"))
    assert "托管需求新闻" in by_category and "科创营新闻" not in by_category
    by_brand = text(client.get("/news/?brand=sci-camp"))
    assert "科创营新闻" in by_brand and "托管需求新闻" not in by_brand
    by_federation = text(client.get(f"/news/?federation={federation.pk}"))
    assert "深之蓝新闻" in by_federation and "科创营新闻" not in by_federation
    assert "深之蓝妇联" in by_federation  # says whose news these are
    by_year = text(client.get("/news/?year=2023"))
    assert "往年新闻" in by_year and "深之蓝新闻" not in by_year
    assert '<option value="2023"' in by_year  # years come from the published articles


def test_news_filters_ignore_nonsense(client):
    ArticleFactory(title="照常显示")
    for query in ("year=abc", "brand=nope", "category=zzz", "federation=x"):
        response = client.get(f"/news/?{query}")
        assert response.status_code == 200, query
        assert "照常显示" in text(response), query


def test_news_page_past_the_last_is_not_found(client):
    ArticleFactory(title="照常显示")
    assert "照常显示" in text(client.get("/news/?page=last"))
    for query in ("page=2", "page=999"):
        response = client.get(f"/news/?{query}")
        assert response.status_code == 404, query
        assert "照常显示" not in text(response), query


def test_news_page_that_is_no_page_number_is_the_first_page(client):
    # Not a page number: the canonical page (the same cached copy), never a new page variant.
    ArticleFactory(title="照常显示")
    for query in ("page=0", "page=abc", "page=-1"):
        response = client.get(f"/news/?{query}")
        assert response.status_code == 200, query
        assert "照常显示" in text(response), query


def test_news_pagination_keeps_the_filters(client):
    brand = BrandFactory(slug="paged")
    for i in range(21):
        ArticleFactory(title=f"分页新闻{i}", brand=brand)
    page = text(client.get("/news/?brand=paged"))
    assert "?brand=paged&amp;page=2" in page
    second = text(client.get("/news/?brand=paged&page=2"))
    assert second.count('class="item"') == 1


def test_article_page_has_credits_gallery_links_and_neighbours(client):
    brand = BrandFactory(name="泰达儿童之家", slug="children-home")
    activity = ActivityFactory(title="暑期托管班开班")
    now = timezone.now()
    older = ArticleFactory(title="更早一篇", publish_at=now - datetime.timedelta(days=2))
    article = ArticleFactory(
        title="托管班开班啦",
        activity=activity,
        brand=brand,
        publish_at=now - datetime.timedelta(days=1),
        body='<p style="color:red">孩子们很开心。</p><script>alert(1)</script><img src="/media/a.jpg">',
    )
    newer = ArticleFactory(title="更新一篇", publish_at=now - datetime.timedelta(hours=1))
    ArticleFactory(title="草稿邻居", status=Article.Status.DRAFT, publish_at=now)
    cover = PhotoFactory(article=article, caption="开班合影", image__width=1200, image__height=800)
    PhotoFactory(article=article, caption="孩子们在做手工", image__width=800, image__height=600)
    Article.objects.filter(pk=article.pk).update(cover_photo=cover)

    page = text(client.get(article.get_absolute_url()))
    assert "孩子们很开心" in page
    assert "<script>alert(1)</script>" not in page and 'style="color:red"' not in page
    # nh3 writes the added attributes in no fixed order.
    img = re.search(r'<img src="/media/a.jpg"[^>]*>', page).group(0)
    assert 'loading="lazy"' in img and 'decoding="async"' in img
    assert "图文来源：滨城女性" in page and "编辑：木南" in page and "校对：梅朵" in page
    assert activity.get_absolute_url() in page and brand.get_absolute_url() in page
    assert article.federation.get_absolute_url() in page
    assert newer.get_absolute_url() in page and older.get_absolute_url() in page
    assert "草稿邻居" not in page
    # Gallery: <picture> with WebP and JPEG renditions, sizes given, lazy.
    assert page.count("<picture>") == 2  # the chosen cover as lead photo + the other one
    assert 'type="image/webp"' in page
    assert 'loading="lazy"' in page and 'width="240"' in page and 'height="160"' in page
    assert "开班合影" in page and "孩子们在做手工" in page
    # Open Graph card for WeChat.
    assert '<meta property="og:title" content="托管班开班啦">' in page
    assert 'property="og:image" content="http://testserver/media/renditions/' in page
    assert '<meta property="og:type" content="article">' in page


def test_news_feed_is_valid_rss_with_published_articles_only(client, statuses):
    response = client.get("/feeds/news/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    titles = [item.findtext("title") for item in root.iter("item")]
    assert titles == ["公开的新闻"]
    link = root.find("channel/item/link").text
    assert link.endswith(statuses["public"].get_absolute_url())


def test_activities_page_lists_upcoming_and_past_public_activities(client):
    now = timezone.now()
    ActivityFactory(title="下周的健康讲座", starts_at=now + datetime.timedelta(days=7))
    ActivityFactory(title="上月的志愿服务", starts_at=now - datetime.timedelta(days=30))
    ActivityFactory(title="内部筹备会", is_public=False, starts_at=now + datetime.timedelta(days=1))
    page = text(client.get("/activities/"))
    assert page.index("即将举行") < page.index("下周的健康讲座") < page.index("往期活动")
    assert page.index("往期活动") < page.index("上月的志愿服务")
    assert "内部筹备会" not in page
    assert "/activities/calendar.ics" in page


def test_activities_filter_by_category(client):
    ActivityFactory(title="文艺汇演", category=Activity.Category.CULTURE)
    ActivityFactory(title="看望困难职工", category=Activity.Category.CARE)
    page = text(client.get("/activities/?category=culture"))
    assert "文艺汇演" in page and "看望困难职工" not in page


def test_activity_page_and_private_activity(client):
    activity = ActivityFactory(title="巾帼云课堂", description="线上直播")
    ArticleFactory(title="云课堂报道", activity=activity)
    ArticleFactory(title="云课堂草稿", activity=activity, status=Article.Status.DRAFT)
    page = text(client.get(activity.get_absolute_url()))
    assert "巾帼云课堂" in page and "云课堂报道" in page and "云课堂草稿" not in page
    private = ActivityFactory(is_public=False)
    assert client.get(private.get_absolute_url()).status_code == 404


def test_exemplars_need_consent_and_filter_by_honour_and_year(client):
    shown = ExemplarFactory(name="张巾帼", honour=Exemplar.Honour.RED_FLAG, year=2024)
    ExemplarFactory(name="王建功", honour=Exemplar.Honour.MERIT_STAR, year=2023)
    hidden = ExemplarFactory(name="未同意者", consent_to_publish=False, consent_recorded_on=None)
    page = text(client.get("/exemplars/"))
    assert "张巾帼" in page and "王建功" in page and "未同意者" not in page
    by_honour = text(client.get("/exemplars/?honour=red_flag"))
    assert "张巾帼" in by_honour and "王建功" not in by_honour
    by_year = text(client.get("/exemplars/?year=2023"))
    assert "王建功" in by_year and "张巾帼" not in by_year
    assert client.get(shown.get_absolute_url()).status_code == 200
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_the_exemplar_year_filter_offers_a_new_year_at_once(client):
    ExemplarFactory(name="张巾帼", year=2024)
    page = text(client.get("/exemplars/"))
    assert '<option value="2024">2024</option>' in page
    assert '<option value="2025">' not in page
    ExemplarFactory(name="新典型", year=2025)
    page = text(client.get("/exemplars/?honour=red_flag"))  # another page, same year list
    assert '<option value="2025">2025</option>' in page
    assert "新典型" in text(client.get("/exemplars/?year=2025"))
