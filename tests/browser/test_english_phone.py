"""English at 375 px (issue 12, item 7): the nav, the search box and an article fit the phone."""

from __future__ import annotations

import pytest

from tests.visitor_data import build_visitor_portal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_english_nav_search_and_article_fit_375px(live_server, page):
    data = build_visitor_portal()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    for path in ("/", data["articles"][0].get_absolute_url(), "/sites/", "/search/?q=kly"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375, path
    links = page.get_by_role("navigation", name="Main navigation").get_by_role("link")
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(links.count()))}
    assert len(tops) <= 2, tops  # two rows of links at most (it was three)
    placeholder = page.locator("#header-q").get_attribute("placeholder")
    fits = page.evaluate(
        """(text) => { const input = document.getElementById('header-q');
        const style = getComputedStyle(input); const c = document.createElement('canvas').getContext('2d');
        c.font = style.font; return c.measureText(text).width <= input.clientWidth - 18; }""",
        placeholder,
    )
    assert fits, placeholder
