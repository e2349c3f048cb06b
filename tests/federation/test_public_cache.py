"""Anonymous pages come from the cache; publishing or changing content refreshes them."""

from __future__ import annotations

import datetime
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone, translation

from activities.models import Article
from activities.views import ArticleListView
from federation.web.cache import current_generation, lock_key, page_timeout
from tests.factories import (
    ArticleFactory,
    ExemplarFactory,
    FederationFactory,
    ServiceSiteFactory,
)

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
    ArticleFactory(
        title="定时发布的新闻", publish_at=timezone.now() + datetime.timedelta(seconds=2)
    )
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


# --- Stampede protection: one visitor re-renders, the others get the previous copy ---


def anonymous_get(path):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def hold_lock(path, timeout=30):
    """Act as another visitor who is re-rendering ``path`` right now."""
    with translation.override("zh-hans"):
        key = lock_key(anonymous_get(path), current_generation())
    assert cache.add(key, "another-visitor", timeout=timeout)
    return key


def test_one_visitor_renders_while_the_others_get_the_previous_copy(client, monkeypatch):
    ArticleFactory(title="昨天的新闻")
    assert client.get("/news/")["X-Page-Cache"] == "miss"
    ArticleFactory(title="刚发布的新闻")  # the cached list is now out of date

    renders = []
    concurrent = []
    original = ArticleListView.get_context_data

    def render_while_another_visitor_arrives(self, **kwargs):
        renders.append(self.request)
        if len(concurrent) == 0:
            # A second visitor asks for the page while this request holds the lock.
            with translation.override("zh-hans"):
                concurrent.append(ArticleListView.as_view()(anonymous_get("/news/")))
        return original(self, **kwargs)

    monkeypatch.setattr(ArticleListView, "get_context_data", render_while_another_visitor_arrives)
    first = client.get("/news/")
    assert first["X-Page-Cache"] == "miss"
    assert "刚发布的新闻" in first.content.decode()

    other = concurrent[0]
    assert other["X-Page-Cache"] == "stale"
    assert "昨天的新闻" in other.content.decode()
    assert "刚发布的新闻" not in other.content.decode()
    assert len(renders) == 1  # the second visitor did not render the page

    # The lock holder is done: everyone now gets the new list from the cache.
    after = client.get("/news/")
    assert after["X-Page-Cache"] == "hit"
    assert "刚发布的新闻" in after.content.decode()
    assert len(renders) == 1


def test_without_a_previous_copy_every_visitor_renders(client):
    ArticleFactory(title="冷启动的新闻")
    key = hold_lock("/news/")
    response = client.get("/news/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"
    assert "冷启动的新闻" in response.content.decode()
    assert cache.get(key) == "another-visitor"  # another visitor's lock is left alone


def test_the_previous_copy_is_served_only_until_the_lock_expires(client):
    ArticleFactory(title="旧列表")
    client.get("/news/")
    ArticleFactory(title="新列表里的新闻")
    hold_lock("/news/", timeout=1)  # a visitor who started rendering and never finished
    assert client.get("/news/")["X-Page-Cache"] == "stale"
    time.sleep(1.2)
    response = client.get("/news/")
    assert response["X-Page-Cache"] == "miss"
    assert "新列表里的新闻" in response.content.decode()


def test_an_unpublished_article_is_gone_at_once_even_with_a_previous_copy(client):
    article = ArticleFactory(title="需要撤回的新闻")
    for path in ("/", "/news/", f"/news/{article.pk}/"):
        assert "需要撤回的新闻" in client.get(path).content.decode()

    article.status = Article.Status.UNPUBLISHED
    article.save()
    for path in ("/", "/news/", f"/news/{article.pk}/"):
        hold_lock(path)  # someone else is re-rendering: the old copies must still not be served

    assert client.get(f"/news/{article.pk}/").status_code == 404
    for path in ("/", "/news/"):
        response = client.get(path)
        assert response["X-Page-Cache"] == "miss"
        assert "需要撤回的新闻" not in response.content.decode()


def test_a_withdrawn_exemplar_and_a_deleted_site_are_gone_at_once(client):
    exemplar = ExemplarFactory(name="撤回同意的典型")
    site = ServiceSiteFactory(name="即将撤销的妇女之家")
    paths = ("/exemplars/", f"/exemplars/{exemplar.pk}/", "/sites/", f"/sites/{site.pk}/")
    for path in paths:
        assert client.get(path).status_code == 200

    exemplar.consent_to_publish = False
    exemplar.save()
    site.delete()
    for path in paths:
        hold_lock(path)

    assert client.get(f"/exemplars/{exemplar.pk}/").status_code == 404
    assert client.get(f"/sites/{site.pk}/").status_code == 404
    assert "撤回同意的典型" not in client.get("/exemplars/").content.decode()
    assert "即将撤销的妇女之家" not in client.get("/sites/").content.decode()


def test_logged_in_users_never_get_the_previous_copy(client, django_user_model):
    ArticleFactory(title="登录前的新闻")
    client.get("/news/")
    ArticleFactory(title="登录后才看到的新闻")
    hold_lock("/news/")
    assert client.get("/news/")["X-Page-Cache"] == "stale"
    client.force_login(django_user_model.objects.create_user(username="editor", password="pw-1"))
    response = client.get("/news/")
    assert "X-Page-Cache" not in response
    assert "登录后才看到的新闻" in response.content.decode()


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
