"""Anonymous pages come from the cache; publishing or changing content refreshes them."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone

from activities.models import Article
from federation.cache import current_generation, page_timeout
from tests.factories import ArticleFactory, FederationFactory, ServiceSiteFactory

pytestmark = pytest.mark.django_db


def test_second_anonymous_visit_is_served_from_the_cache(client):
    ArticleFactory(title="第一篇新闻")
    first = client.get("/news/")
    assert first["X-Page-Cache"] == "miss"
    second = client.get("/news/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "第一篇新闻" in second.content.decode()


def test_publishing_an_article_refreshes_the_cached_pages(client):
    draft = ArticleFactory(title="待发布的好消息", status=Article.Status.DRAFT)
    assert "待发布的好消息" not in client.get("/").content.decode()
    assert client.get("/")["X-Page-Cache"] == "hit"

    draft.status = Article.Status.PUBLISHED
    draft.publish_at = timezone.now() - datetime.timedelta(minutes=1)
    draft.save()

    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "待发布的好消息" in response.content.decode()
    assert "待发布的好消息" in client.get("/news/").content.decode()


def test_unpublishing_and_deleting_refresh_the_cached_pages(client):
    article = ArticleFactory(title="即将撤回的新闻")
    other = ArticleFactory(title="即将删除的新闻")
    assert "即将撤回的新闻" in client.get("/news/").content.decode()
    article.status = Article.Status.UNPUBLISHED
    article.save()
    other.delete()
    page = client.get("/news/").content.decode()
    assert "即将撤回的新闻" not in page
    assert "即将删除的新闻" not in page
    assert client.get(f"/news/{article.pk}/").status_code == 404


def test_changing_a_site_refreshes_the_site_pages(client):
    site = ServiceSiteFactory(name="旧名称妇女之家")
    assert "旧名称妇女之家" in client.get("/sites/").content.decode()
    site.name = "新名称妇女之家"
    site.save()
    assert "新名称妇女之家" in client.get("/sites/").content.decode()


def test_a_scheduled_article_appears_when_its_time_comes(client):
    ArticleFactory(title="定时发布的新闻", publish_at=timezone.now() + datetime.timedelta(seconds=2))
    assert "定时发布的新闻" not in client.get("/news/").content.decode()
    assert client.get("/news/")["X-Page-Cache"] == "hit"
    # The page was cached for no longer than the time left before the article goes public.
    assert page_timeout(current_generation()) <= 2
    time.sleep(2.2)
    assert "定时发布的新闻" in client.get("/news/").content.decode()


def test_cache_lifetime_is_bounded_by_the_next_scheduled_article(settings):
    settings.PUBLIC_CACHE_TIMEOUT = 300
    assert 0 < page_timeout(current_generation()) <= 300
    ArticleFactory(publish_at=timezone.now() + datetime.timedelta(seconds=90))
    assert page_timeout(current_generation()) <= 90


def test_logged_in_users_never_get_a_cached_page(client, django_user_model):
    federation = FederationFactory(name="改名前的妇联")
    assert "改名前的妇联" in client.get("/federations/").content.decode()
    # A bulk update sends no signal: anonymous visitors still get the cached page …
    type(federation).objects.filter(pk=federation.pk).update(name="改名后的妇联")
    assert "改名前的妇联" in client.get("/federations/").content.decode()
    # … but a logged-in user sees the database, and her page is not stored for others.
    user = django_user_model.objects.create_user(username="staff", password="pw-123456")
    client.force_login(user)
    response = client.get("/federations/")
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]
    assert "改名后的妇联" in response.content.decode()
    client.logout()
    assert "改名前的妇联" in client.get("/federations/").content.decode()


def test_cache_key_includes_query_string_and_language(client):
    ArticleFactory(title="分页测试")
    assert client.get("/news/")["X-Page-Cache"] == "miss"
    assert client.get("/news/?year=2020")["X-Page-Cache"] == "miss"
    chinese = client.get("/about/")
    client.cookies["django_language"] = "en"
    english = client.get("/about/")
    assert english["X-Page-Cache"] == "miss"
    assert 'lang="en"' in english.content.decode()
    assert 'lang="zh-hans"' in chinese.content.decode()


def test_cache_can_be_switched_off(client, settings):
    settings.PUBLIC_CACHE_ENABLED = False
    client.get("/about/")
    assert "X-Page-Cache" not in client.get("/about/")


def test_a_page_cached_while_an_unpublish_commits_is_not_served_after_it(
    client, django_capture_on_commit_callbacks
):
    """A visitor whose request renders between the save and the commit reads the old row (still
    published) and stores it: after the commit that page must not be served."""
    article = ArticleFactory(title="即将撤回的稿件")
    with django_capture_on_commit_callbacks(execute=True):
        article.status = Article.Status.DRAFT
        article.save()
        client.get("/news/")  # stored under the generation the save set, before the commit
    assert client.get("/news/")["X-Page-Cache"] == "miss"
