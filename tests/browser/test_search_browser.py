"""Pinyin search from the header box on a phone (issue 12, item 4)."""

from __future__ import annotations

import pytest

from tests.factories import FederationFactory, ServiceSiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_initials_in_the_header_box_find_the_federation(live_server, page):
    FederationFactory(name="凯莱英医药集团妇联")
    for i in range(22):
        ServiceSiteFactory(name=f"泰达托管驿站{i:02d}")
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox").first.fill("kly")
    page.get_by_role("button", name="搜索").first.click()
    page.wait_for_url("**/search/?q=kly")
    assert page.locator("#results-federations .item-title").all_inner_texts() == [
        "凯莱英医药集团妇联"
    ]
    page.get_by_role("searchbox").first.fill("tuoguan")
    page.get_by_role("button", name="搜索").first.click()
    page.get_by_role("link", name="查看全部 22 条").click()
    page.wait_for_url("**type=sites")
    assert page.locator("#results-sites .item").count() == 20
    page.get_by_role("link", name="下一页").click()
    assert page.locator("#results-sites .item").count() == 2
