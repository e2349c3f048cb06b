"""Publishing workflow: draft → submitted → published (editor) → unpublished, scheduled
publication, preview for staff only, sanitised bodies in every entry point."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Article, ArticleTransition
from activities.richtext import render_body
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def draft_of(world, **kwargs):
    kwargs = {"status": "draft", "publish_at": None, "author": world.staff_a, **kwargs}
    return ArticleFactory(federation=world.fed_a, **kwargs)


def test_full_workflow_through_the_staff_pages(client, world):
    client.force_login(world.staff_a)
    response = client.post(
        reverse("staff:article_create"),
        {
            "title": "泰达儿童之家开班",
            "body": "<p>第<strong>21</strong>期托管班开班。</p><script>alert(1)</script>",
            "federation": world.fed_a.pk,
        },
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == "draft" and article.author == world.staff_a
    assert "<strong>21</strong>" in article.body and "<script" not in article.body

    public = reverse("activities:article_detail", args=[article.pk])
    assert client.get(public).status_code == 404  # drafts are not public …
    assert client.get(reverse("staff:article_preview", args=[article.pk])).status_code == 200

    client.post(reverse("staff:article_transition", args=[article.pk, "submit"]))
    article.refresh_from_db()
    assert article.status == "submitted" and article.submitted_by == world.staff_a
    # Under review: its author can no longer edit it, and cannot publish it.
    assert client.get(reverse("staff:article_edit", args=[article.pk])).status_code == 403
    assert (
        client.post(reverse("staff:article_transition", args=[article.pk, "publish"])).status_code
        == 403
    )

    client.force_login(world.editor)
    dashboard = client.get(reverse("staff:dashboard")).content.decode()
    assert "泰达儿童之家开班" in dashboard  # waiting for review
    response = client.post(reverse("staff:article_transition", args=[article.pk, "publish"]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == "published" and article.published_by == world.editor
    client.logout()
    assert client.get(public).status_code == 200

    client.force_login(world.editor)
    client.post(reverse("staff:article_transition", args=[article.pk, "unpublish"]))
    client.logout()
    assert client.get(public).status_code == 404

    steps = list(
        ArticleTransition.objects.filter(article=article)
        .order_by("at", "pk")
        .values_list("from_status", "to_status", "user__username")
    )
    assert steps == [
        ("draft", "submitted", "staff_a"),
        ("submitted", "published", "editor"),
        ("published", "unpublished", "editor"),
    ]
    assert all(t.at is not None for t in ArticleTransition.objects.all())


def test_scheduled_publication_becomes_public_by_itself(client, world, monkeypatch):
    article = draft_of(world)
    services.article_submit(article=article, user=world.staff_a)
    at = timezone.now() + datetime.timedelta(days=2)
    client.force_login(world.editor)
    local = timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")  # typed in Beijing time
    client.post(
        reverse("staff:article_transition", args=[article.pk, "publish"]), {"publish_at": local}
    )
    article.refresh_from_db()
    assert article.status == "published"
    assert abs(article.publish_at - at) < datetime.timedelta(minutes=1)
    assert not Article.objects.published().filter(pk=article.pk).exists()
    preview = client.get(reverse("staff:article_preview", args=[article.pk])).content.decode()
    assert "定时发布" in preview and timezone.localtime(at).strftime("%Y-%m-%d %H:%M") in preview
    client.logout()
    public = reverse("activities:article_detail", args=[article.pk])
    assert client.get(public).status_code == 404

    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert client.get(public).status_code == 200


def test_times_are_shown_in_asia_shanghai(client, world):
    at = datetime.datetime(2025, 3, 8, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Beijing
    article = ArticleFactory(federation=world.fed_a, status="published", publish_at=at)
    client.force_login(world.staff_a)
    page = client.get(reverse("staff:article_preview", args=[article.pk])).content.decode()
    assert "2025-03-08 09:30" in page


def test_preview_of_unpublished_work_is_for_staff_in_scope_only(client, world):
    article = draft_of(world)
    url = reverse("staff:article_preview", args=[article.pk])
    assert client.get(url).status_code == 302
    client.force_login(world.staff_b)
    assert client.get(url).status_code == 404
    client.force_login(world.staff_a)
    assert client.get(url).status_code == 200


def test_service_rules(world):
    article = draft_of(world)
    with pytest.raises(PermissionDenied):
        services.article_publish(article=article, user=world.staff_a)
    with pytest.raises(PermissionDenied):
        services.article_submit(article=article, user=world.staff_b)  # another federation
    with pytest.raises(PermissionDenied):
        services.article_submit(article=article, user=world.viewer)
    with pytest.raises(ValidationError):
        services.article_unpublish(article=article, user=world.editor)  # not published
    services.article_submit(article=article, user=world.staff_a)
    with pytest.raises(ValidationError):
        services.article_submit(article=article, user=world.staff_a)  # twice
    services.article_return_to_draft(article=article, user=world.editor, note="请补充照片")
    article.refresh_from_db()
    assert article.status == "draft"
    assert article.transitions.first().note == "请补充照片"


def test_every_workflow_step_makes_open_forms_stale(world):
    from federation.core.locking import StaleObjectError, save_versioned

    article = draft_of(world)
    seen = article.version
    services.article_submit(article=Article.objects.get(pk=article.pk), user=world.staff_a)
    article.title = "stale edit"
    with pytest.raises(StaleObjectError):
        save_versioned(article, expected_version=seen)


@pytest.mark.parametrize(
    ("source", "forbidden", "kept"),
    [
        (
            '<p onclick="steal()">好</p><script>alert(1)</script>',
            ["onclick", "<script", "alert"],
            "<p>好</p>",
        ),
        ('<a href="javascript:alert(1)">链接</a>', ["javascript:"], "链接"),
        (
            '<a href="JaVaScRiPt&#58;alert(1)">链接</a>',
            ["javascript", "JaVaScRiPt"],
            "链接",
        ),
        ('<img src="x.png" onerror="alert(1)">', ["onerror"], '<img src="x.png">'),
        (
            "<iframe src='https://evil'></iframe><style>body{}</style>正文",
            ["iframe", "<style"],
            "正文",
        ),
        (
            '<svg onload="alert(1)"><circle r="5"></circle></svg><p>正文</p>',
            ["<svg", "onload", "circle"],
            "<p>正文</p>",
        ),
        (
            '<a href="https://www.teda.gov.cn/">泰达</a>',
            [],
            'href="https://www.teda.gov.cn/"',
        ),
    ],
)
def test_bodies_are_sanitised(source, forbidden, kept):
    html = render_body(source)
    for needle in forbidden:
        assert needle not in html
    assert kept in html


# What the editor (static/js/article-editor.js) writes for each toolbar button: the sanitiser
# keeps it byte for byte, so a reopened article shows exactly what was saved.
EDITOR_HTML = [
    "<p>第一段</p><p>第二段<br>换行</p>",
    "<h2>小标题</h2><h3>三级标题</h3>",
    "<p><strong>加粗</strong><em>斜体</em><mark>重点句子</mark></p>",
    "<blockquote><p>引用</p></blockquote>",
    "<ul><li><p>一</p></li><li><p>二</p></li></ul><ol><li><p>甲</p></li></ol>",
    '<p><a href="https://www.teda.gov.cn/" rel="noopener noreferrer nofollow">泰达</a></p>',
    "<hr>",
    '<img src="/media/photos/a.webp" alt="活动现场">',
]


@pytest.mark.parametrize("html", EDITOR_HTML)
def test_the_editors_html_is_stored_unchanged(html):
    assert render_body(html) == html


def test_a_link_without_rel_gets_the_editors_rel():
    assert render_body('<p><a href="https://a.cn/" target="_blank">a</a></p>') == (
        '<p><a href="https://a.cn/" rel="noopener noreferrer nofollow">a</a></p>'
    )


def test_admin_saves_are_sanitised_too_and_cannot_set_the_status(client, world):
    article = draft_of(world)
    client.force_login(world.staff_a)
    response = client.post(
        reverse("admin:activities_article_change", args=[article.pk]),
        {
            "title": article.title,
            "summary": "",
            "body": '<p>正文</p><img src=x onerror="alert(1)"><script>alert(2)</script>',
            "status": "published",  # read-only in the admin: ignored
            "federation": world.fed_a.pk,
            "source": "",
            "editor": "",
            "proofreader": "",
            "version_token": article.version,
            "photos-TOTAL_FORMS": 0,
            "photos-INITIAL_FORMS": 0,
            "photos-MIN_NUM_FORMS": 0,
            "photos-MAX_NUM_FORMS": 1000,
            "transitions-TOTAL_FORMS": 0,
            "transitions-INITIAL_FORMS": 0,
            "transitions-MIN_NUM_FORMS": 0,
            "transitions-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == "draft"
    assert "onerror" not in article.body and "<script" not in article.body


def test_admin_publish_action_needs_the_publish_permission(client, world):
    article = draft_of(world)
    services.article_submit(article=article, user=world.staff_a)
    changelist = reverse("admin:activities_article_changelist")
    client.force_login(world.staff_a)
    client.post(changelist, {"action": "publish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == "submitted"
    client.force_login(world.editor)
    client.post(changelist, {"action": "publish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == "published"
    assert article.transitions.first().user == world.editor


def test_publish_keeps_a_future_time_set_beforehand_and_replaces_a_past_one(world):
    future = timezone.now() + datetime.timedelta(hours=5)
    scheduled = draft_of(world, publish_at=future)
    services.article_publish(article=scheduled, user=world.editor)
    scheduled.refresh_from_db()
    assert scheduled.publish_at == future
    assert not Article.objects.published().filter(pk=scheduled.pk).exists()

    old = timezone.now() - datetime.timedelta(days=30)
    republished = ArticleFactory(federation=world.fed_a, status="unpublished", publish_at=old)
    services.article_publish(article=republished, user=world.editor)
    republished.refresh_from_db()
    assert republished.publish_at > old + datetime.timedelta(days=29)
    assert Article.objects.published().filter(pk=republished.pk).exists()


def test_plain_text_bodies_are_migrated_to_paragraphs(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("activities.migrations.0009_article_body_plain_text_to_html")
    plain = draft_of(world, body="#巾帼心向党# 活动开始\r\n第二行\r\n\r\n* 不是列表 & 1<2")
    html = draft_of(world, body="<p>已是 HTML</p>")
    version = plain.version
    migration.forwards(apps, None)
    plain.refresh_from_db()
    html.refresh_from_db()
    assert plain.body == ("<p>#巾帼心向党# 活动开始<br>第二行</p><p>* 不是列表 &amp; 1&lt;2</p>")
    assert html.body == "<p>已是 HTML</p>"
    assert plain.version == version
