"""The iCalendar feed must be accepted by phone calendars (RFC 5545)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from activities.calendar import escape_text, fold
from tests.factories import ActivityFactory, ServiceSiteFactory

pytestmark = pytest.mark.django_db


def unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def test_fold_keeps_lines_within_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "泰达妇女之家暑期托管班，欢迎职工子女报名参加；" * 10
    folded = fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
        part.encode("utf-8").decode("utf-8")  # no split character
    assert folded.replace("\r\n ", "") == line


def test_escape_text():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_calendar_feed_of_upcoming_public_activities(client):
    now = timezone.now()
    site = ServiceSiteFactory(name="泰达儿童之家（第三大街）", address="第三大街1号")
    upcoming = ActivityFactory(
        title="暑期托管班开班, 欢迎报名; 名额有限",
        starts_at=now + datetime.timedelta(days=3),
        ends_at=now + datetime.timedelta(days=3, hours=2),
        site=site,
        description="第一行\n" + "很长的说明" * 40,
    )
    ActivityFactory(title="已经结束的活动", starts_at=now - datetime.timedelta(days=3))
    ActivityFactory(
        title="不公开的活动", is_public=False, starts_at=now + datetime.timedelta(days=1)
    )

    response = client.get("/activities/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode("utf-8")

    # CRLF line endings only, folded lines of at most 75 octets.
    assert "\n" not in body.replace("\r\n", "")
    assert body.endswith("\r\n")
    for raw in body.split("\r\n"):
        assert len(raw.encode("utf-8")) <= 75

    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == 1
    event = lines[lines.index("BEGIN:VEVENT") : lines.index("END:VEVENT")]
    fields = dict(line.split(":", 1) for line in event[1:])
    assert fields["UID"] == f"activity-{upcoming.pk}@testserver"
    for name in ("DTSTAMP", "DTSTART", "DTEND"):
        stamp = datetime.datetime.strptime(fields[name], "%Y%m%dT%H%M%SZ")
        assert stamp.year >= 2000
    start = datetime.datetime.strptime(fields["DTSTART"], "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.UTC
    )
    assert start == upcoming.starts_at.replace(microsecond=0)
    assert fields["SUMMARY"] == "暑期托管班开班\\, 欢迎报名\\; 名额有限"
    assert "泰达儿童之家（第三大街）" in fields["LOCATION"]
    assert fields["DESCRIPTION"].count("\\n") >= 1
    assert fields["URL"] == f"http://testserver{upcoming.get_absolute_url()}"
    assert "已经结束的活动" not in body and "不公开的活动" not in body


def test_activity_without_end_gets_a_default_duration(client):
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=1), ends_at=None)
    lines = unfold(client.get("/activities/calendar.ics").content.decode())
    start = next(line for line in lines if line.startswith("DTSTART:"))[8:]
    end = next(line for line in lines if line.startswith("DTEND:"))[6:]
    fmt = "%Y%m%dT%H%M%SZ"
    delta = datetime.datetime.strptime(end, fmt) - datetime.datetime.strptime(start, fmt)
    assert delta == datetime.timedelta(hours=2)
    assert f"UID:activity-{activity.pk}@testserver" in lines


# The feed covers what is on now and what starts until the end of the 90th local (Beijing) day
# after today, at most 100 events. On 2026-03-01 that is up to 2026-05-30 24:00 Beijing time.
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=BEIJING)


def event_titles(client) -> list[str]:
    lines = unfold(client.get("/activities/calendar.ics").content.decode())
    return [line.removeprefix("SUMMARY:") for line in lines if line.startswith("SUMMARY:")]


def test_the_feed_ends_with_the_90th_beijing_day_after_today(client, time_machine):
    time_machine.move_to(NOW, tick=False)
    at = datetime.datetime
    ActivityFactory(
        title="开始于昨天尚未结束",
        starts_at=at(2026, 2, 28, 9, tzinfo=BEIJING),
        ends_at=at(2026, 3, 2, 17, tzinfo=BEIJING),
    )
    ActivityFactory(title="今天稍晚", starts_at=at(2026, 3, 1, 14, tzinfo=BEIJING))
    ActivityFactory(title="第90天深夜", starts_at=at(2026, 5, 30, 23, 30, tzinfo=BEIJING))
    # 2026-05-31 00:00 in Beijing is still 2026-05-30 in UTC: outside all the same.
    ActivityFactory(title="第91天零点", starts_at=at(2026, 5, 31, 0, 0, tzinfo=BEIJING))
    ActivityFactory(title="半年以后", starts_at=at(2026, 9, 1, 9, tzinfo=BEIJING))
    ActivityFactory(
        title="今天上午已结束",
        starts_at=at(2026, 3, 1, 8, tzinfo=BEIJING),
        ends_at=at(2026, 3, 1, 9, tzinfo=BEIJING),
    )

    assert event_titles(client) == ["开始于昨天尚未结束", "今天稍晚", "第90天深夜"]


def test_the_feed_holds_the_100_soonest_events(client, time_machine):
    time_machine.move_to(NOW, tick=False)
    from activities.models import Activity

    organizer = ActivityFactory(starts_at=NOW - datetime.timedelta(days=30)).organizer
    Activity.objects.bulk_create(
        Activity(
            title=f"第{n:03d}场",
            category="guidance",
            organizer=organizer,
            starts_at=NOW + datetime.timedelta(hours=n + 1),
        )
        for n in range(101)
    )
    titles = event_titles(client)
    assert len(titles) == 100
    assert titles[0] == "第000场" and titles[-1] == "第099场"
