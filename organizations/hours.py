"""When a site is open next, in words a visitor reads at a glance (今天 9:00–17:00 开放, …)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

WEEKDAYS = (
    gettext_noop("周一"),
    gettext_noop("周二"),
    gettext_noop("周三"),
    gettext_noop("周四"),
    gettext_noop("周五"),
    gettext_noop("周六"),
    gettext_noop("周日"),
)


def _weekday(n: int) -> str:
    return _(WEEKDAYS[n])


def _hm(t: datetime.time) -> str:
    return f"{t.hour}:{t.minute:02d}"


def next_opening(hours, now: datetime.datetime) -> tuple[int, datetime.time] | None:
    """(days from today, opening time) of the next period that opens after ``now``."""
    by_day: dict[int, list] = {}
    for period in hours:
        by_day.setdefault(period.weekday, []).append(period)
    today = now.weekday()
    for ahead in range(8):
        for period in sorted(by_day.get((today + ahead) % 7, []), key=lambda p: p.opens):
            if ahead or period.opens > now.time():
                return ahead, period.opens
    return None


def open_period(hours, now: datetime.datetime):
    """The period of ``hours`` that covers ``now`` (local time), or None: the same test as the
    site finder's "open now" filter in SQL (opens ≤ now < closes, on now's weekday)."""
    clock = now.time()
    for period in sorted(hours, key=lambda p: p.opens):
        if period.weekday == now.weekday() and period.opens <= clock < period.closes:
            return period
    return None


def opening_text(hours, now: datetime.datetime) -> str:
    """今天 9:00–17:00 开放 / 已闭馆，明天 9:00 开放 / 已闭馆，下周一 9:00 开放 (local time)."""
    hours = list(hours)
    if not hours:
        return ""
    period = open_period(hours, now)
    if period is not None:
        return _("今天 %(opens)s–%(closes)s 开放") % {
            "opens": _hm(period.opens),
            "closes": _hm(period.closes),
        }
    ahead = next_opening(hours, now)
    if ahead is None:
        return ""
    days, opens = ahead
    if days == 0:
        return _("今天 %(opens)s 开放") % {"opens": _hm(opens)}
    if days == 1:
        return _("已闭馆，明天 %(opens)s 开放") % {"opens": _hm(opens)}
    weekday = (now.weekday() + days) % 7
    if weekday < now.weekday() or days == 7:  # past Sunday: next week
        return _("已闭馆，下%(weekday)s %(opens)s 开放") % {
            "weekday": _weekday(weekday),
            "opens": _hm(opens),
        }
    return _("已闭馆，%(weekday)s %(opens)s 开放") % {
        "weekday": _weekday(weekday),
        "opens": _hm(opens),
    }
