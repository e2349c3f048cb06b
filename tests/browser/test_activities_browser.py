"""The month calendar and 加入日历 on a phone (issue 12, item 3)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import ActivityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_calendar_month_day_and_add_to_calendar(live_server, page):
    today = timezone.localdate()
    soon = timezone.localtime().replace(hour=19, minute=0, second=0, microsecond=0)
    if soon.date().day > 26:  # stay inside this month's grid
        soon -= datetime.timedelta(days=3)
    ActivityFactory(title="巾帼云课堂", starts_at=soon + datetime.timedelta(days=1))
    page.goto(live_server.url + "/activities/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert page.locator("table.month td[aria-current=date]").inner_text().strip() == str(today.day)
    day = (soon + datetime.timedelta(days=1)).date()
    page.locator(f'table.month a[href*="day={day.isoformat()}"]').click()
    page.wait_for_url(f"**day={day.isoformat()}*")
    page.locator("#day-activities").get_by_role("link", name="巾帼云课堂").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="加入日历").click()
    path = download.value.path()
    with open(path, encoding="utf-8", newline="") as ics:
        text = ics.read()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and "SUMMARY:巾帼云课堂" in text
    assert download.value.suggested_filename.endswith(".ics")
