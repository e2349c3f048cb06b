"""Activities on a phone (issue 12, item 3): a month calendar, 加入日历 per activity, how to join
an online activity, each date once."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from activities.models import Activity
from tests.factories import ActivityFactory, ServiceSiteFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=TZ)


@time_machine.travel(at(2026, 12, 2, 10, 0), tick=False)
def test_the_month_grid_marks_today_and_links_days_with_activities(client):
    ActivityFactory(title="健康讲座", starts_at=at(2026, 12, 8, 14, 30))
    ActivityFactory(title="亲子阅读", starts_at=at(2026, 12, 8, 9, 0))
    ActivityFactory(title="下月的活动", starts_at=at(2027, 1, 3, 9, 0))
    ActivityFactory(title="不公开", starts_at=at(2026, 12, 9, 9, 0), is_public=False)
    # 00:30 in Beijing is the evening before in UTC: it counts on Beijing's day.
    ActivityFactory(title="凌晨的活动", starts_at=at(2026, 12, 15, 0, 30))
    html = client.get("/activities/").content.decode()
    grid = html.split('<table class="month">')[1].split("</table>")[0]
    assert "2026年12月" in html
    assert re.search(r'<td class=" today" aria-current="date">2</td>', grid)
    assert grid.count("<tr>") == 6  # the header and five weeks (Monday first: 1 Dec is a Tuesday)
    assert grid.count('class="dot"') == 2
    assert 'href="?day=2026-12-15#day-activities"' in grid and "day=2026-12-14" not in grid
    assert 'href="?day=2026-12-08#day-activities"' in grid and '<span class="dot">2</span>' in grid
    assert "day=2026-12-09" not in grid  # the private one is not counted
    day = client.get("/activities/", {"day": "2026-12-08"}).content.decode()
    listing = day.split('id="day-activities"')[1].split("</ul>")[0]
    assert listing.index("亲子阅读") < listing.index("健康讲座")
    january = client.get("/activities/", {"month": "2027-01"}).content.decode()
    assert "2027年1月" in january and 'href="?day=2027-01-03#day-activities"' in january


@time_machine.travel(at(2026, 12, 2, 10, 0), tick=False)
@pytest.mark.parametrize("month", ["2026-13", "26-12", "abc", "1999-01", "2026-1"])
def test_a_bad_month_is_dropped(client, month):
    response = client.get("/activities/", {"month": month})
    assert response.status_code == 200
    assert response.context["month"] == datetime.date(2026, 12, 1)


def test_add_to_calendar_is_one_event_with_the_page_link(client):
    activity = ActivityFactory(
        title="线上云课堂：家庭教育",
        format=Activity.Format.ONLINE,
        starts_at=at(2026, 12, 10, 19, 30),
        ends_at=at(2026, 12, 10, 21, 0),
        join_url="https://meeting.example.cn/j/123456789",
        join_info="腾讯会议号 123 456 789",
    )
    ActivityFactory(title="另一个活动")
    html = client.get(activity.get_absolute_url()).content.decode()
    assert f'href="/activities/{activity.pk}/event.ics" id="add-to-calendar">加入日历</a>' in html
    response = client.get(f"/activities/{activity.pk}/event.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode().replace("\r\n ", "")
    assert body.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:线上云课堂：家庭教育" in body
    assert "DTSTART:20261210T113000Z" in body and "DTEND:20261210T130000Z" in body
    assert f"URL:http://testserver/activities/{activity.pk}/" in body
    assert "https://meeting.example.cn/j/123456789" in body


def test_an_online_activity_says_how_to_join_with_a_qr_code(client):
    activity = ActivityFactory(
        format=Activity.Format.ONLINE,
        join_url="https://meeting.example.cn/j/123456789",
        join_info="腾讯会议号 123 456 789",
    )
    html = client.get(activity.get_absolute_url()).content.decode()
    join = html.split('id="activity-join"')[1].split("</section>")[0]
    assert "腾讯会议号 123 456 789" in join
    assert 'href="https://meeting.example.cn/j/123456789"' in join
    assert f'src="/activities/{activity.pk}/join-qr.svg"' in join
    qr = client.get(f"/activities/{activity.pk}/join-qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    offline = ActivityFactory(format=Activity.Format.OFFLINE)
    assert client.get(f"/activities/{offline.pk}/join-qr.svg").status_code == 404
    bare = ActivityFactory(format=Activity.Format.ONLINE)
    assert "参与方式请咨询主办妇联" in client.get(bare.get_absolute_url()).content.decode()


def test_each_date_once(client):
    site = ServiceSiteFactory(name="泰达妇女之家")
    activity = ActivityFactory(
        site=site, starts_at=at(2026, 12, 10, 9, 0), ends_at=at(2026, 12, 10, 11, 30)
    )
    html = client.get(activity.get_absolute_url()).content.decode()
    facts = html.split('<dl class="facts">')[1].split("</dl>")[0]
    assert facts.count("2026年12月10日") == 1
    assert "11:30" in facts


def test_past_activities_are_counted_and_paged_exactly(client):
    from django.utils import timezone

    now = timezone.now()
    day = datetime.timedelta(days=1)
    for n in range(20):
        ActivityFactory(title=f"往期{n:02d}", starts_at=now - day * (n + 2))
    ActivityFactory(title="昨天已结束", starts_at=now - day, ends_at=now - day / 2)
    ActivityFactory(title="进行中", starts_at=now - 2 * day, ends_at=now + day)
    ActivityFactory(title="即将举行", starts_at=now + day)

    first = client.get("/activities/")
    assert first.context["paginator"].count == 21
    assert first.context["paginator"].num_pages == 2
    assert [a.title for a in first.context["upcoming"]] == ["进行中", "即将举行"]
    second = client.get("/activities/?page=2")
    assert [a.title for a in second.context["object_list"]] == ["往期19"]

    ActivityFactory(title="新补录的往期", starts_at=now - 30 * day)  # a save: counted at once
    assert client.get("/activities/").context["paginator"].count == 22
