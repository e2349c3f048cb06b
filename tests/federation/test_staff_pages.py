"""Staff pages: the dashboard's figures and to-do lists, filters as forms, scope of every form."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from organizations.models import OpeningHours, ServiceSite
from tests.factories import ActivityFactory, ArticleFactory, EnterpriseFactory, ServiceSiteFactory

pytestmark = pytest.mark.django_db


def figure(page, name):
    import re

    match = re.search(rf'data-figure="{name}">(\d+)<', page)
    assert match, name
    return int(match.group(1))


def test_dashboard_figures_are_computed_from_the_users_scope(client, world):
    ServiceSiteFactory.create_batch(2, federation=world.fed_a)
    ServiceSiteFactory(federation=world.group_a)
    ServiceSiteFactory(federation=world.fed_b)
    ServiceSiteFactory(federation=world.fed_a, is_active=False)
    EnterpriseFactory.create_batch(3, federation=world.fed_a)
    EnterpriseFactory(federation=world.fed_b)
    now = timezone.now()
    ActivityFactory(organizer=world.fed_a, participants=30, starts_at=now)
    ActivityFactory(organizer=world.group_a, participants=12, starts_at=now)
    ActivityFactory(organizer=world.fed_b, participants=500, starts_at=now)
    ArticleFactory(federation=world.fed_a)
    ArticleFactory(federation=world.fed_a, status="submitted", publish_at=None)

    client.force_login(world.staff_a)
    page = client.get(reverse("staff:dashboard")).content.decode()
    assert figure(page, "sites") == 3
    assert figure(page, "enterprises") == 3
    assert figure(page, "activities") == 2
    assert figure(page, "participants") == 42
    assert figure(page, "federations") == 1 and figure(page, "women_groups") == 1
    assert figure(page, "published") == 1 and figure(page, "submitted") == 1

    client.force_login(world.editor)
    page = client.get(reverse("staff:dashboard")).content.decode()
    assert figure(page, "sites") == 4
    assert figure(page, "participants") == 542


def test_dashboard_lists_what_is_incomplete(client, world):
    no_coordinates = ServiceSiteFactory(federation=world.fed_a, name="缺坐标的阵地")
    OpeningHours.objects.create(site=no_coordinates, weekday=0, opens="09:00", closes="17:00")
    complete = ServiceSiteFactory(
        federation=world.fed_a, name="完整的阵地", latitude="39.03", longitude="117.71"
    )
    OpeningHours.objects.create(site=complete, weekday=0, opens="09:00", closes="17:00")
    ServiceSiteFactory(
        federation=world.fed_a, name="缺时间的阵地", latitude="39.03", longitude="117.71"
    )
    past = timezone.now() - datetime.timedelta(days=5)
    ActivityFactory(organizer=world.fed_a, title="没有新闻的活动", starts_at=past)
    reported = ActivityFactory(organizer=world.fed_a, title="已报道的活动", starts_at=past)
    ArticleFactory(federation=world.fed_a, activity=reported)
    world.fed_a.contact_name, world.fed_a.contact_phone = "王", "022-1"
    world.fed_a.save()

    client.force_login(world.staff_a)
    page = client.get(reverse("staff:dashboard")).content.decode()
    # The to-do card only (the dormant card lists every site without recent activity).
    page = page[page.index('id="incomplete-title"') : page.index('id="dormant-title"')]
    assert "缺坐标的阵地" in page and "缺时间的阵地" in page and "完整的阵地" not in page
    assert "2 个阵地缺少坐标或开放时间" in page
    assert "没有新闻的活动" in page and "已报道的活动" not in page
    assert "1 个妇联组织缺少联系人或电话" in page  # the women's group; A now has a contact

    incomplete = client.get(reverse("staff:site_list"), {"incomplete": "on"}).content.decode()
    assert "缺坐标的阵地" in incomplete and "完整的阵地" not in incomplete


def test_list_filters_are_forms_and_stay_in_scope(client, world):
    ArticleFactory(federation=world.fed_a, title="甲的草稿", status="draft", publish_at=None)
    ArticleFactory(federation=world.fed_a, title="甲的已发布")
    ArticleFactory(federation=world.fed_b, title="乙的已发布")
    client.force_login(world.staff_a)
    url = reverse("staff:article_list")
    page = client.get(url).content.decode()
    assert "甲的草稿" in page and "甲的已发布" in page and "乙的已发布" not in page
    page = client.get(url, {"status": "draft"}).content.decode()
    assert "甲的草稿" in page and "甲的已发布" not in page
    page = client.get(url, {"q": "已发布"}).content.decode()
    assert "甲的已发布" in page and "甲的草稿" not in page
    # Another federation is not even a choice in the filter.
    form = client.get(url).context["filter"].form
    assert set(form.fields["federation"].queryset) == {world.fed_a, world.group_a}
    assert "全部" in page


def test_staff_create_only_in_their_scope(client, world):
    client.force_login(world.staff_a)
    response = client.post(
        reverse("staff:site_create"),
        {
            "name": "越权的阵地",
            "kind": "women_home",
            "federation": world.fed_b.pk,
            "address": "某路1号",
            "is_active": "on",
            "hours-TOTAL_FORMS": 0,
            "hours-INITIAL_FORMS": 0,
            "hours-MIN_NUM_FORMS": 0,
            "hours-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 200 and "federation" in response.context["form"].errors
    assert not ServiceSite.objects.filter(name="越权的阵地").exists()

    response = client.post(
        reverse("staff:site_create"),
        {
            "name": "小组的阵地",
            "kind": "micro_home",
            "federation": world.group_a.pk,
            "address": "某路2号",
            "is_active": "on",
            "hours-TOTAL_FORMS": 1,
            "hours-INITIAL_FORMS": 0,
            "hours-MIN_NUM_FORMS": 0,
            "hours-MAX_NUM_FORMS": 1000,
            "hours-0-weekday": 5,
            "hours-0-opens": "10:00",
            "hours-0-closes": "09:00",
        },
    )
    assert response.status_code == 200  # closes before it opens: a clear error, input kept
    assert "关门时间须晚于开门时间" in response.content.decode()
    assert "小组的阵地" in response.content.decode()


def test_activity_create_sets_creator_and_records_history(client, world):
    client.force_login(world.staff_a)
    response = client.post(
        reverse("staff:activity_create"),
        {
            "title": "巾帼云课堂",
            "category": "empowerment",
            "format": "online",
            "organizer": world.fed_a.pk,
            "starts_at": "2025-03-08T09:30",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.created_by == world.staff_a
    assert timezone.localtime(activity.starts_at).strftime("%H:%M") == "09:30"  # Beijing time
    assert activity.history.get().history_user == world.staff_a


def test_viewer_reads_but_cannot_write(client, world):
    client.force_login(world.viewer)
    assert client.get(reverse("staff:article_list")).status_code == 200
    assert client.post(reverse("staff:activity_create"), {}).status_code == 403


def test_photo_caption_edit_and_list(client, world, png_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from activities.images import clean_image
    from activities.services import photo_add

    article = ArticleFactory(federation=world.fed_a, status="draft", publish_at=None)
    photo = photo_add(
        article=article,
        image=clean_image(SimpleUploadedFile("a.png", png_bytes(), "image/png")),
        user=world.staff_a,
    )
    version = article.version
    client.force_login(world.staff_a)
    response = client.post(
        reverse("staff:photo_edit", args=[photo.pk]), {"caption": "志愿者合影", "position": 3}
    )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.caption, photo.position) == ("志愿者合影", 3)
    article.refresh_from_db()
    assert article.version == version + 1  # an open article form would now be stale
    assert "志愿者合影" in client.get(reverse("staff:photo_list")).content.decode()
    record = photo.history.latest()
    assert record.history_user == world.staff_a and record.caption == "志愿者合影"
    client.force_login(world.staff_b)
    assert "志愿者合影" not in client.get(reverse("staff:photo_list")).content.decode()


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("staff:article_list", lambda w: ArticleFactory(federation=w.fed_a)),
        ("staff:activity_list", lambda w: ActivityFactory(organizer=w.fed_a)),
        (
            "staff:site_list",
            lambda w: OpeningHours.objects.create(
                site=ServiceSiteFactory(federation=w.fed_a),
                weekday=1,
                opens="09:00",
                closes="17:00",
            ),
        ),
    ],
)
def test_staff_lists_do_not_query_per_row(
    client, world, django_assert_max_num_queries, url_name, make
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.staff_a)
    make(world)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(url_name))
    for _ in range(5):
        make(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(url_name))
