"""Small things staff noticed (issue 10, item 9): a scheduled article is not labelled 已发布,
history times are Beijing time without microseconds, a browser's CRLF line endings are no change,
form errors show once, and authors delete their own drafts (activities without news too)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Activity, Article
from organizations.models import ServiceSite
from tests.factories import ActivityFactory, ArticleFactory

pytestmark = pytest.mark.django_db
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def scheduled(world):
    at = datetime.datetime(2031, 3, 8, 9, 30, tzinfo=BEIJING)
    return ArticleFactory(title="三八节定时稿", federation=world.fed_a, publish_at=at)


def test_a_scheduled_article_says_when_it_goes_public_wherever_staff_see_its_status(
    client, world, scheduled
):
    label = "定时发布（北京时间 2031-03-08 09:30）"
    client.force_login(world.editor)
    pages = {
        "list": reverse("staff:article_list"),
        "preview": reverse("staff:article_preview", args=[scheduled.pk]),
        "dashboard": reverse("staff:dashboard"),
        "admin list": reverse("admin:activities_article_changelist"),
        "admin form": reverse("admin:activities_article_change", args=[scheduled.pk]),
    }
    for name, url in pages.items():
        page = client.get(url).content.decode()
        assert label in page, name
    listing = client.get(reverse("staff:article_list")).content.decode()
    assert 'align-self-start">已发布<' not in listing
    # Not counted among the published figures either.
    dashboard = client.get(reverse("staff:dashboard")).content.decode()
    assert 'data-figure="published">0<' in dashboard


def test_a_public_article_is_still_labelled_published(client, world):
    ArticleFactory(title="已公开", federation=world.fed_a)
    client.force_login(world.editor)
    assert 'align-self-start">已发布<' in client.get(reverse("staff:article_list")).content.decode()


def test_history_shows_times_in_beijing_time_to_the_minute(client, world, scheduled):
    client.force_login(world.editor)
    scheduled.publish_at = datetime.datetime(2031, 3, 9, 8, 0, 0, 123456, tzinfo=datetime.UTC)
    services.article_save(article=scheduled, user=world.editor)
    page = client.get(reverse("staff:history", args=["article", scheduled.pk])).content.decode()
    assert "2031-03-08 09:30" in page  # old value, Beijing time
    assert "2031-03-09 16:00" in page  # 08:00 UTC is 16:00 in Beijing
    assert "123456" not in page and "+00:00" not in page


def test_a_browser_save_of_unchanged_text_records_no_change(client, world):
    site = ServiceSite.objects.create(
        name="园区妇女之家",
        kind="women_home",
        federation=world.fed_a,
        address="第三大街 1 号",
        services="政策咨询\n心理疏导\n托管服务",
        is_online=True,
        online_url="https://example.cn/home",
    )
    client.force_login(world.staff_a)
    url = reverse("staff:site_edit", args=[site.pk])
    form = client.get(url).context["form"]
    data = {
        name: ("" if value is None else value)
        for name, value in ((n, form[n].value()) for n in form.fields)
    }
    data = {k: v for k, v in data.items() if v is not False}
    # What a browser sends for the textarea: CRLF line breaks (HTML's form encoding).
    data["services"] = "政策咨询\r\n心理疏导\r\n托管服务"
    data["hours_note"] = "工作日"
    data.update({"hours-TOTAL_FORMS": "0", "hours-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    site.refresh_from_db()
    assert site.services == "政策咨询\n心理疏导\n托管服务"
    page = client.get(reverse("staff:history", args=["site", site.pk])).content.decode()
    assert "服务内容" not in page.split("修改记录", 2)[-1]


def test_a_form_error_is_shown_once(client, world):
    activity = ActivityFactory(organizer=world.fed_a, created_by=world.staff_a)
    client.force_login(world.staff_a)
    url = reverse("staff:activity_edit", args=[activity.pk])
    form = client.get(url).context["form"]
    stale = form["version_token"].value() - 1 if "version_token" in form.fields else 0
    data = {n: ("" if form[n].value() is None else form[n].value()) for n in form.fields}
    data = {k: v for k, v in data.items() if v is not False}
    data["version_token"] = stale
    page = client.post(url, data).content.decode()
    assert page.count('id="form-errors"') == 1


# --- deleting own drafts and activities --------------------------------------------------------
def _draft(world, **kwargs):
    return ArticleFactory(
        title="我的草稿",
        federation=world.fed_a,
        author=world.staff_a,
        status="draft",
        publish_at=None,
        **kwargs,
    )


def test_an_author_deletes_her_own_draft_after_confirming(client, world):
    draft = _draft(world)
    client.force_login(world.staff_a)
    preview = client.get(reverse("staff:article_preview", args=[draft.pk])).content.decode()
    assert 'id="delete-article"' in preview
    url = reverse("staff:article_delete", args=[draft.pk])
    confirm = client.get(url).content.decode()
    assert "确定要删除“我的草稿”吗？" in confirm
    assert Article.objects.filter(pk=draft.pk).exists()  # a GET deletes nothing
    response = client.post(url, follow=True)
    assert "草稿“我的草稿”已删除。" in response.content.decode()
    assert not Article.objects.filter(pk=draft.pk).exists()
    (record,) = Article.history.filter(id=draft.pk, history_type="-")
    assert record.history_user == world.staff_a


@pytest.mark.parametrize(
    ("who", "case", "status"),
    [
        ("staff_b", "own draft of A", 404),  # another federation's
        ("staff_a", "someone else's draft", 403),
        ("staff_a", "submitted", 403),
        ("staff_a", "once published", 403),
        ("viewer", "own draft of A", 403),
        ("editor", "submitted", 200),  # district roles may delete any article
    ],
)
def test_who_may_delete_which_article(client, world, who, case, status):
    article = _draft(world)
    if case == "someone else's draft":
        Article.objects.filter(pk=article.pk).update(author=world.editor)
    elif case == "submitted":
        services.article_submit(article=article, user=world.staff_a)
    elif case == "once published":
        services.article_submit(article=article, user=world.staff_a)
        services.article_publish(article=Article.objects.get(pk=article.pk), user=world.editor)
        services.article_unpublish(article=Article.objects.get(pk=article.pk), user=world.editor)
        services.article_save(article=Article.objects.get(pk=article.pk), user=world.editor)
        Article.objects.filter(pk=article.pk).update(status="draft")
    client.force_login(getattr(world, who))
    url = reverse("staff:article_delete", args=[article.pk])
    assert client.get(url).status_code == status
    client.post(url)
    assert Article.objects.filter(pk=article.pk).exists() == (status != 200)


def test_staff_delete_their_own_activity_without_published_news(client, world):
    mine = ActivityFactory(title="我的活动", organizer=world.fed_a, created_by=world.staff_a)
    with_news = ActivityFactory(organizer=world.fed_a, created_by=world.staff_a)
    ArticleFactory(federation=world.fed_a, activity=with_news)  # published
    theirs = ActivityFactory(organizer=world.fed_a, created_by=world.editor)
    client.force_login(world.staff_a)
    edit = client.get(reverse("staff:activity_edit", args=[mine.pk])).content.decode()
    assert 'id="delete-activity"' in edit
    for refused in (with_news, theirs):
        edit = client.get(reverse("staff:activity_edit", args=[refused.pk])).content.decode()
        assert 'id="delete-activity"' not in edit
        assert client.post(reverse("staff:activity_delete", args=[refused.pk])).status_code == 403
    response = client.post(reverse("staff:activity_delete", args=[mine.pk]), follow=True)
    assert "活动“我的活动”已删除。" in response.content.decode()
    assert set(Activity.objects.values_list("pk", flat=True)) == {with_news.pk, theirs.pk}
    assert Activity.history.filter(id=mine.pk, history_type="-").get().history_user == (
        world.staff_a
    )


def test_scheduled_label_is_computed_now(world):
    article = ArticleFactory(
        federation=world.fed_a, publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert article.status_label == "已发布"
