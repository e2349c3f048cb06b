"""The review loop: an editor sends an article back with a reason, the author is told (in the
portal) and sees the reason; authors are told when their article is published."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Article
from federation.models import Notification
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(world):
    article = ArticleFactory(
        title="三八节活动",
        federation=world.fed_a,
        author=world.staff_a,
        status="draft",
        publish_at=None,
    )
    return services.article_submit(article=article, user=world.staff_a)


def test_send_back_with_a_reason_tells_the_author(client, world, submitted):
    client.force_login(world.editor)
    url = reverse("staff:article_send_back", args=[submitted.pk])
    response = client.post(url, {"reason": "  请补充\n活动现场照片  "}, follow=True)
    assert "已退回修改，作者会收到通知。" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "draft"
    assert submitted.transitions.first().note == "请补充 活动现场照片"
    (notification,) = Notification.objects.all()
    assert notification.recipient == world.staff_a
    assert notification.message == "《三八节活动》被退回修改：请补充 活动现场照片"
    assert notification.url == f"/staff/articles/{submitted.pk}/"

    client.force_login(world.staff_a)
    dashboard = client.get(reverse("staff:dashboard")).content.decode()
    assert "1 条未读" in dashboard
    assert "退回修改：请补充 活动现场照片" in dashboard
    preview = client.get(reverse("staff:article_preview", args=[submitted.pk])).content.decode()
    assert 'id="send-back-reason"' in preview and "请补充 活动现场照片" in preview

    client.post(reverse("staff:notifications_read"))
    assert "0 条未读" in client.get(reverse("staff:dashboard")).content.decode()
    assert Notification.objects.get().read_at is not None


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", "请写明退回修改的原因。"),
        ("   ", "请写明退回修改的原因。"),
        ("长" * 301, "退回原因最多 300 字。"),
    ],
)
def test_send_back_without_a_valid_reason_changes_nothing(client, world, submitted, reason, error):
    client.force_login(world.editor)
    url = reverse("staff:article_send_back", args=[submitted.pk])
    response = client.post(url, {"reason": reason}, follow=True)
    assert error in response.content.decode()
    assert Article.objects.get(pk=submitted.pk).status == "submitted"
    assert not Notification.objects.exists()


def test_only_editors_send_back(client, world, submitted):
    client.force_login(world.staff_a)
    url = reverse("staff:article_send_back", args=[submitted.pk])
    assert client.post(url, {"reason": "自己退回"}).status_code == 403
    assert Article.objects.get(pk=submitted.pk).status == "submitted"


def test_the_author_is_told_when_published_or_scheduled(world, submitted):
    services.article_publish(article=submitted, user=world.editor)
    assert Notification.objects.get().message == "《三八节活动》已发布。"

    other = ArticleFactory(
        title="儿童之家",
        federation=world.fed_a,
        author=world.staff_a,
        status="draft",
        publish_at=None,
    )
    at = timezone.make_aware(datetime.datetime(2099, 3, 8, 1, 30), datetime.UTC)
    services.article_publish(article=other, user=world.editor, publish_at=at)
    assert Notification.objects.first().message == (
        "《儿童之家》已审核通过，将于 2099-03-08 09:30（北京时间）自动公开。"
    )


def test_an_editor_publishing_their_own_article_gets_no_notification(world):
    own = ArticleFactory(
        federation=world.fed_a, author=world.editor, status="draft", publish_at=None
    )
    services.article_publish(article=own, user=world.editor)
    assert not Notification.objects.exists()


def test_the_review_page_shows_a_text_diff_against_the_published_version(client, world):
    article = ArticleFactory(
        title="巾帼建功",
        body="<p>活动圆满成功。</p><h2>回顾</h2>",
        federation=world.fed_a,
        author=world.staff_a,
        status="draft",
        publish_at=None,
    )
    services.article_publish(
        article=article,
        user=world.editor,
    )
    Article.objects.filter(pk=article.pk).update(
        published_by=world.editor, publish_at=timezone.now() - datetime.timedelta(days=1)
    )
    services.article_unpublish(article=Article.objects.get(pk=article.pk), user=world.editor)
    article = Article.objects.get(pk=article.pk)
    article.body = "<p>活动<strong>圆满</strong>结束。</p><h2>回顾</h2><p>新段</p>"
    services.article_save(article=article, user=world.staff_a)
    services.article_submit(article=Article.objects.get(pk=article.pk), user=world.staff_a)
    client.force_login(world.editor)
    html = client.get(reverse("staff:article_preview", args=[article.pk])).content.decode()
    section = html[
        html.index('id="review-diff"') : html.index("</section>", html.index('id="review-diff"'))
    ]
    assert (
        '<div class="text-diff"><span>活动圆满</span><del>成功</del><ins>结束</ins>'
        "<span>。\n回顾</span><ins>\n新段</ins></div>"
    ) in section
    assert "<strong>" not in section and "&lt;p&gt;" not in section
    assert "标题" not in section.split("</h2>", 1)[1]
