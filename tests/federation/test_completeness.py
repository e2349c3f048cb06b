"""The staff dashboard's completeness to-do list: per federation of the user's scope, what is
missing (contact, site hours and coordinates, an activity this quarter, article covers), each
item a link that fixes it."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ActivityFactory, ArticleFactory, CoverPhotoFactory, ServiceSiteFactory

pytestmark = pytest.mark.django_db
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def _quarter_start() -> datetime.datetime:
    today = timezone.now().astimezone(BEIJING).date()
    month = {1: 1, 2: 1, 3: 1, 4: 4, 5: 4, 6: 4, 7: 7, 8: 7, 9: 7, 10: 10, 11: 10, 12: 10}
    return datetime.datetime(today.year, month[today.month], 1, tzinfo=BEIJING)


@pytest.fixture
def todo_world(world):
    for federation in (world.fed_a, world.fed_b):
        federation.contact_name = "王丽"
        federation.contact_phone = "022-66290000"
        federation.save()
    placed = {"latitude": "39.0300", "longitude": "117.7100"}
    ServiceSiteFactory(
        federation=world.fed_a, name="完整的妇女之家", hours_note="每天 9:00-17:00", **placed
    )
    hourless = ServiceSiteFactory(federation=world.fed_a, name="缺时间的儿童之家", **placed)
    unplaced = ServiceSiteFactory(
        federation=world.fed_b, name="没坐标的司机之家", hours_note="全天"
    )
    ActivityFactory(organizer=world.fed_a, starts_at=_quarter_start() + datetime.timedelta(hours=1))
    # 23:30 Beijing time on the eve of the quarter is last quarter: the group is still idle.
    ActivityFactory(
        organizer=world.group_a, starts_at=_quarter_start() - datetime.timedelta(minutes=30)
    )
    coverless = ArticleFactory(federation=world.fed_a, title="没有封面的新闻")
    covered = ArticleFactory(federation=world.fed_a, title="有封面的新闻")
    CoverPhotoFactory(article=covered)
    ArticleFactory(federation=world.fed_a, title="草稿没有封面", status="draft")
    world.hourless, world.unplaced, world.coverless = hourless, unplaced, coverless
    return world


def _todo(client, user) -> str:
    client.force_login(user)
    page = client.get(reverse("staff:dashboard")).content.decode()
    return re.sub(r"\s+", " ", page.split('id="todo"')[1].split("</section>")[0])


def test_grassroots_staff_see_the_to_do_list_of_their_own_federations(client, todo_world):
    w = todo_world
    todo = _todo(client, w.staff_a)
    assert "2 个组织有待办事项" in todo
    a = todo.split(f'data-federation="{w.fed_a.pk}">')[1].split("</ul>")[0]
    assert re.findall(r"<li>(.*?)</li>", a) == [
        f'阵地“缺时间的儿童之家”没有开放时间：<a href="/staff/sites/{w.hourless.pk}/edit/">'
        "填写开放时间</a>",
        f'已发布的“没有封面的新闻”没有封面照片：<a href="/staff/articles/{w.coverless.pk}/photos/">'
        "设置封面</a>",
    ]
    group = todo.split(f'data-federation="{w.group_a.pk}">')[1].split("</ul>")[0]
    assert re.findall(r"<li>(.*?)</li>", group) == [
        "缺少联系人或联系电话："
        f'<a href="/admin/organizations/federation/{w.group_a.pk}/change/">填写联系人</a>',
        "本季度（北京时间）还没有活动："
        f'<a href="/staff/activities/new/?organizer={w.group_a.pk}">登记活动</a>',
    ]
    assert "网约车司机妇联" not in todo
    assert "没坐标的司机之家" not in todo


def test_district_roles_see_every_federation_with_something_to_do(client, todo_world):
    w = todo_world
    todo = _todo(client, w.editor)
    assert "3 个组织有待办事项" in todo
    b = todo.split(f'data-federation="{w.fed_b.pk}">')[1].split("</ul>")[0]
    assert re.findall(r"<li>(.*?)</li>", b) == [
        f'阵地“没坐标的司机之家”没有坐标：<a href="/staff/sites/{w.unplaced.pk}/edit/">标注位置</a>',
        "本季度（北京时间）还没有活动："
        f'<a href="/staff/activities/new/?organizer={w.fed_b.pk}">登记活动</a>',
    ]
    # The district federation itself is not a to-do of the network.
    assert f'data-federation="{w.district.pk}"' not in todo


def test_a_complete_federation_has_nothing_to_do(client, todo_world):
    w = todo_world
    w.unplaced.latitude, w.unplaced.longitude = "39.1", "117.6"
    w.unplaced.save()
    ActivityFactory(organizer=w.fed_b, starts_at=timezone.now() - datetime.timedelta(minutes=5))
    todo = _todo(client, w.staff_b)
    assert "0 个组织有待办事项" in todo
    assert "资料齐全，没有待办事项。" in todo


def test_the_idle_link_opens_the_activity_form_with_the_organizer_chosen(client, todo_world):
    client.force_login(todo_world.staff_a)
    page = client.get(
        reverse("staff:activity_create") + f"?organizer={todo_world.group_a.pk}"
    ).content.decode()
    assert re.search(rf'<option value="{todo_world.group_a.pk}" selected>', page)
