"""Every published page at 375 px: no sideways scroll, no tag shown as text (issue 12, item 5),
no Content Security Policy violation."""

from __future__ import annotations

import re

import pytest

from tests.visitor_data import LONG_ACTIVITY, build_visitor_portal, every_public_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = "() => document.documentElement.scrollWidth"
LITERAL_TAG = re.compile(r"</?(p|br|div|span|strong|b|em|a|img|h[1-6]|section)\b[^>]*>", re.I)


def test_every_published_page_fits_375px_without_literal_tags(live_server, page):
    build_visitor_portal()
    # The open-now list too: its cards' state is computed apart from the plain list's query.
    paths = [*every_public_page(), "/sites/?open_now=on"]
    assert len(paths) >= 17
    wide = []
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    for path in paths:
        page.goto(live_server.url + path, wait_until="domcontentloaded")
        width = page.evaluate(WIDTH)
        if width > 375:
            wide.append((path, width))
        text = page.locator("body").inner_text()
        assert not LITERAL_TAG.search(text), (path, LITERAL_TAG.search(text).group())
    assert wide == []
    assert violations == []


def test_the_long_activity_tag_wraps_inside_the_article(live_server, page):
    data = build_visitor_portal()
    page.goto(live_server.url + data["articles"][0].get_absolute_url())
    tag = page.get_by_role("link", name=f"活动：{LONG_ACTIVITY}")
    box = tag.bounding_box()
    assert box["x"] + box["width"] <= 375
    assert box["height"] > 30  # two lines or more, not one line running off the screen


def test_the_hundred_events_fold_into_years(live_server, page):
    data = build_visitor_portal()
    page.goto(live_server.url + data["love"].get_absolute_url())
    assert page.locator("#brand-sessions details[open]").count() == 1
    assert page.get_by_text("第112场", exact=True).is_visible()
    assert not page.get_by_text("第1场", exact=True).is_visible()  # 2016, folded
    page.get_by_text("2016年").click()
    assert page.get_by_text("第1场", exact=True).is_visible()
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 6000, height  # it was a 14,109 px table
