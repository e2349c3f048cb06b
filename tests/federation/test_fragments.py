"""Pieces of public pages each process keeps (federation.web.fragments): with the page cache off,
so every request renders, an edit still shows on the very next page; each language and header
section has its own piece; a list whose cards are kept reads no photo."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity, Article
from federation.web import fragments
from tests.factories import (
    ActivityFactory,
    ArticleFactory,
    CoverPhotoFactory,
    FederationFactory,
    OpeningHoursFactory,
    ServiceSiteFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _every_request_renders(settings):
    settings.PUBLIC_CACHE_ENABLED = False


def test_a_kept_card_is_reused_and_an_edit_shows_on_the_next_render(client):
    article = ArticleFactory(title="三八节志愿服务")
    assert "三八节志愿服务" in client.get("/news/").content.decode()
    assert len(fragments.store) > 0  # the cards, the header and the footer were kept

    article.title = "三八节志愿服务（更新）"
    article.save()
    page = client.get("/news/").content.decode()
    assert "三八节志愿服务（更新）" in page
    assert "三八节志愿服务</a>" not in page


def test_a_federation_renamed_shows_on_the_cards_of_its_articles(client):
    federation = FederationFactory(name="泰达街第一妇联", short_name="")
    ArticleFactory(federation=federation)
    assert "泰达街第一妇联" in client.get("/news/").content.decode()
    federation.name = "泰达街第二妇联"
    federation.save()
    page = client.get("/news/").content.decode()
    assert "泰达街第二妇联" in page
    assert "泰达街第一妇联" not in page


def test_an_unpublished_article_leaves_every_list_at_once(client):
    article = ArticleFactory(title="即将撤回的新闻")
    assert "即将撤回的新闻" in client.get("/").content.decode()
    assert "即将撤回的新闻" in client.get("/news/").content.decode()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.UNPUBLISHED)
    # No signal was sent (a bulk write): the list query no longer returns it, so no card shows.
    assert "即将撤回的新闻" not in client.get("/news/").content.decode()


def test_each_language_gets_its_own_card(client):
    ActivityFactory(title="亲子阅读会", category=Activity.Category.GUIDANCE)
    chinese = client.get("/activities/").content.decode()
    assert "思想引领" in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/activities/").content.decode()
    assert "亲子阅读会" in english
    assert "思想引领" not in english


def test_the_header_marks_the_section_of_each_page(client):
    assert 'href="/news/" aria-current="page"' in client.get("/news/").content.decode()
    sites = client.get("/sites/").content.decode()
    assert 'href="/sites/" aria-current="page"' in sites
    assert 'href="/news/" aria-current="page"' not in sites
    home = client.get("/").content.decode()
    assert 'aria-current="page"' not in home


def test_a_list_whose_cards_are_kept_reads_no_photo(client):
    CoverPhotoFactory(article=ArticleFactory(title="有封面的新闻"))
    first = client.get("/news/").content.decode()
    assert "<picture>" in first

    with CaptureQueriesContext(connection) as queries:
        again = client.get("/news/").content.decode()
    assert again == first
    assert not [q for q in queries if "activities_photo" in q["sql"]]


def test_a_cover_from_another_article_is_never_shown(client):
    own = ArticleFactory(title="本文")
    other_photo = CoverPhotoFactory(article=ArticleFactory(title="别的文章"))
    Article.objects.filter(pk=own.pk).update(cover_photo=other_photo)
    page = client.get("/news/").content.decode()
    cards = {card.split("</li>")[0] for card in page.split('<li class="item">')[1:]}
    (own_card,) = [card for card in cards if "本文</a>" in card]
    (other_card,) = [card for card in cards if "别的文章</a>" in card]
    assert "<picture>" not in own_card
    assert "<picture>" in other_card  # the photo is public: only on its own article's card


def test_every_public_page_is_the_same_with_its_pieces_kept(client, time_machine):
    from tests.visitor_data import build_visitor_portal, every_public_page

    time_machine.move_to(datetime.datetime(2026, 3, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    build_visitor_portal()
    for path in every_public_page():
        fragments.store.clear()
        rendered = client.get(path).content.decode()  # every piece rendered, then kept
        assert len(fragments.store) > 0, path
        assert client.get(path).content.decode() == rendered, path  # every piece from the store


def test_without_a_timeout_nothing_is_kept(client, settings):
    settings.PUBLIC_CACHE_TIMEOUT = 0
    ArticleFactory()
    client.get("/news/")
    assert len(fragments.store) == 0


def test_each_filter_choice_gets_its_own_form(client):
    chosen = client.get("/news/?category=guidance").content.decode()
    assert '<option value="guidance" selected>' in chosen
    plain = client.get("/news/").content.decode()
    select = plain.split('name="category"')[1].split("</select>")[0]
    assert '<option value="guidance">' in select
    assert "selected" not in select.replace('<option value="" selected>', "")


def test_the_count_follows_the_content(client):
    ArticleFactory(activity=ActivityFactory(category=Activity.Category.GUIDANCE))
    assert "共 1 篇" in client.get("/news/").content.decode()
    ArticleFactory()
    assert "共 2 篇" in client.get("/news/").content.decode()
    assert "共 1 篇" in client.get("/news/?category=guidance").content.decode()
    assert "共 1 篇" in client.get("/news/?category=guidance&page=1").content.decode()


def test_a_signed_in_user_sees_the_database_itself(client, django_user_model):
    federation = FederationFactory(name="改名前的妇联")
    assert "改名前的妇联" in client.get("/federations/").content.decode()
    type(federation).objects.filter(pk=federation.pk).update(name="改名后的妇联")  # no signal
    client.force_login(django_user_model.objects.create_user(username="staff", password="pw-1"))
    assert "改名后的妇联" in client.get("/federations/").content.decode()


def test_an_article_published_on_schedule_is_the_newer_one_on_time(client, time_machine):
    morning = datetime.datetime(2025, 3, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to(morning, tick=False)
    older = ArticleFactory(title="已发布的新闻", publish_at=morning - datetime.timedelta(hours=1))
    ArticleFactory(title="定时发布的新闻", publish_at=morning + datetime.timedelta(seconds=90))
    assert "定时发布的新闻" not in client.get(f"/news/{older.pk}/").content.decode()
    time_machine.shift(89)
    assert "定时发布的新闻" not in client.get(f"/news/{older.pk}/").content.decode()
    time_machine.shift(1)
    # No save happened: the kept article piece (with its newer/older links) ended on time.
    assert "定时发布的新闻" in client.get(f"/news/{older.pk}/").content.decode()


def test_a_public_article_keeps_its_piece_until_the_next_save(client):
    article = ArticleFactory(title="公开的新闻", body="<p>第一版正文</p>")
    assert "第一版正文" in client.get(f"/news/{article.pk}/").content.decode()
    Article.objects.filter(pk=article.pk).update(body="<p>第二版正文</p>")  # no signal
    # The public page keeps its piece until the next change …
    assert "第一版正文" in client.get(f"/news/{article.pk}/").content.decode()
    # … which is what any save is.
    Article.objects.get(pk=article.pk).save()
    assert "第二版正文" in client.get(f"/news/{article.pk}/").content.decode()


def test_a_request_reads_the_content_state_once_and_again_after_its_own_save():
    from django.core.cache import cache
    from django.core.signals import request_finished, request_started

    from federation.web.cache import GENERATION_KEY, current_generation, public_cache_refresh

    request_started.send(sender=None)
    try:
        first = current_generation()
        cache.set(GENERATION_KEY, "saved-by-another-process")
        assert current_generation() == first  # one state for the whole render
        public_cache_refresh()  # a save in this request
        assert current_generation() not in (first, "saved-by-another-process")
    finally:
        request_finished.send(sender=None)
    cache.set(GENERATION_KEY, "saved-later")
    assert current_generation() == "saved-later"  # outside a request: read each time


def test_search_results_whose_cards_are_kept_read_only_their_keys(client):
    ArticleFactory(title="托管新闻")
    FederationFactory(name="托管妇联")
    first = client.get("/search/?q=托管").content.decode()
    assert "托管新闻</a>" in first and "托管妇联</a>" in first

    with CaptureQueriesContext(connection) as queries:
        again = client.get("/search/?q=托管").content.decode()
    assert again == first
    # One query per group (its keys and count); no card's row is read (by key: IN, no LIKE).
    assert [q["sql"] for q in queries if " IN (" in q["sql"] and "LIKE" not in q["sql"]] == []
    assert len(queries) == 5

    ArticleFactory(title="托管新闻二")  # a new result is read, and shown
    assert "托管新闻二</a>" in client.get("/search/?q=托管").content.decode()


def test_the_news_feed_keeps_each_description_until_the_article_changes(client):
    article = ArticleFactory(title="托管班开班", summary="", body="<p>第一版<b>正文</b></p>")
    assert "第一版正文" in client.get("/feeds/news/").content.decode()

    article.body = "<p>第二版正文</p>"
    article.save()
    feed = client.get("/feeds/news/").content.decode()
    assert "第二版正文" in feed and "第一版" not in feed


def test_the_activity_list_whose_cards_are_kept_reads_only_their_keys(client):
    now = timezone.now()
    ActivityFactory(title="往期讲座", starts_at=now - datetime.timedelta(days=3))
    ActivityFactory(title="下周讲座", starts_at=now + datetime.timedelta(days=7))
    first = client.get("/activities/").content.decode()
    assert "往期讲座</a>" in first and "下周讲座</a>" in first

    with CaptureQueriesContext(connection) as queries:
        again = client.get("/activities/").content.decode()
    assert again == first
    assert not [q for q in queries if '"activities_activity"."title"' in q["sql"]]

    ActivityFactory(title="新的讲座", starts_at=now + datetime.timedelta(days=8))
    assert "新的讲座</a>" in client.get("/activities/").content.decode()


def test_the_site_finder_reads_opening_hours_only_when_a_minute_is_new(client, time_machine):
    shanghai = ZoneInfo("Asia/Shanghai")
    site = ServiceSiteFactory(name="泰达妇女之家")
    OpeningHoursFactory(site=site, weekday=0, opens=datetime.time(9), closes=datetime.time(17))
    OpeningHoursFactory(site=site, weekday=1, opens=datetime.time(9), closes=datetime.time(17))
    time_machine.move_to(datetime.datetime(2026, 3, 9, 16, 59, 10, tzinfo=shanghai), tick=False)
    assert "今天 9:00–17:00 开放" in client.get("/sites/").content.decode()

    time_machine.move_to(datetime.datetime(2026, 3, 9, 16, 59, 50, tzinfo=shanghai), tick=False)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/sites/").content.decode()
    assert "今天 9:00–17:00 开放" in page
    # The site's row still says whether it is open now; its periods are not read again.
    assert not [q for q in queries if q["sql"].startswith('SELECT "organizations_openinghours"')]

    time_machine.move_to(datetime.datetime(2026, 3, 9, 17, 0, 0, tzinfo=shanghai), tick=False)
    page = client.get("/sites/").content.decode()
    assert "已闭馆，明天 9:00 开放" in page and "今天 9:00–17:00 开放" not in page


@pytest.mark.parametrize(
    ("path", "card_column"),
    [
        ("/", '"activities_article"."summary"'),
        ("/news/", '"activities_article"."summary"'),
        ("/federations/", '"organizations_federation"."area"'),
    ],
)
def test_a_list_whose_cards_are_kept_reads_only_their_keys(client, path, card_column):
    federation = FederationFactory(name="云圣智能妇联", area="泰达街")
    ArticleFactory(title="托管班开班", summary="暑期托管", federation=federation)
    first = client.get(path).content.decode()
    assert "云圣智能妇联" in first

    with CaptureQueriesContext(connection) as queries:
        again = client.get(path).content.decode()
    assert again == first
    assert not [q for q in queries if card_column in q["sql"]]


def test_an_article_page_whose_pieces_are_kept_reads_only_its_title_and_time(client):
    article = ArticleFactory(title="托管班开班", body="<p>正文第一段</p>")
    first = client.get(article.get_absolute_url()).content.decode()
    assert "正文第一段" in first

    with CaptureQueriesContext(connection) as queries:
        again = client.get(article.get_absolute_url()).content.decode()
    assert again == first
    assert not [q for q in queries if '"activities_article"."body"' in q["sql"]]

    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_the_sitemap_counts_follow_the_content(client):
    first = ArticleFactory(title="第一篇")
    assert first.get_absolute_url() in client.get("/sitemap-news.xml").content.decode()
    second = ArticleFactory(title="第二篇")
    sitemap = client.get("/sitemap-news.xml").content.decode()
    assert first.get_absolute_url() in sitemap and second.get_absolute_url() in sitemap
