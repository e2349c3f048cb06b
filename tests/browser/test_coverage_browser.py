"""In a real browser: the district filters the coverage worklist and gives an enterprise to a
grassroots federation; its staff log a visit (已建立); the district confirms the coverage; the
worklist and the public /stats/ change."""

from __future__ import annotations

import datetime

import pytest

from tests.browser.test_staff_publishing import log_in, log_out
from tests.factories import EnterpriseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def covered_figure(page, base) -> str:
    page.goto(f"{base}/stats/")
    return page.inner_text("#by-sector tfoot")


def test_assign_visit_confirm_and_the_public_figures_change(live_server, page, world):
    surveyed = datetime.date(2025, 3, 1)
    EnterpriseFactory(name="泰达西区智能制造有限公司", area="西区", surveyed_on=surveyed)
    EnterpriseFactory(name="泰达街咨询有限公司", area="泰达街", surveyed_on=surveyed)
    base = live_server.url
    assert "0%" in covered_figure(page, base)

    log_in(page, base, "editor")
    page.goto(f"{base}/staff/cockpit/")
    assert page.inner_text("#rate-now") == "0.0%"
    page.goto(f"{base}/staff/coverage/")
    assert "共 2 家" in page.inner_text("#coverage-count")
    page.select_option("select[name=area]", "西区")
    page.click("form[method=get] button[type=submit]")
    page.wait_for_url("**/staff/coverage/?*area=*")
    assert "共 1 家" in page.inner_text("#coverage-count")
    page.check("input[name=enterprise]")
    page.fill("#coverage-bulk input[name=federation]", world.fed_a.name)
    page.click("#coverage-bulk button[value=assign]")
    page.wait_for_load_state()
    assert "已将 1 家企业分派给泰达中小企业园妇联跟进。" in page.content()
    page.locator(".navbar-toggler").click()
    log_out(page)

    log_in(page, base, "staff_a")
    page.goto(f"{base}/staff/coverage/")
    page.click("text=记录走访")
    page.fill("input[name=visited_on]", "2025-07-01")
    page.check("input[name=contact_made]")
    page.select_option("select[name=outcome]", "established")
    page.fill("textarea[name=note]", "企业同意建立妇联")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/staff/coverage/")
    assert "已提请区妇联确认覆盖" in page.content()
    page.locator(".navbar-toggler").click()
    log_out(page)

    log_in(page, base, "editor")
    page.goto(f"{base}/staff/coverage/?state=confirm")
    assert "共 1 家" in page.inner_text("#coverage-count")
    page.click("text=确认由泰达中小企业园妇联覆盖")
    page.wait_for_load_state()
    assert "已将 1 家企业纳入泰达中小企业园妇联覆盖。" in page.content()
    page.goto(f"{base}/staff/coverage/")
    assert "共 1 家" in page.inner_text("#coverage-count")
    assert "泰达西区智能制造有限公司" not in page.inner_text("main")
    page.goto(f"{base}/staff/cockpit/")
    assert page.inner_text("#rate-now") == "50.0%"
    assert "西区 1 1 100.0% —" in " ".join(page.inner_text("#by-area").split())
    page.locator(".navbar-toggler").click()
    log_out(page)

    assert "50%" in covered_figure(page, base)


def test_the_cockpit_breaks_no_csp_rule_and_draws_its_charts(live_server, page, world):
    from organizations.models import CoverageSnapshot, CoverageTarget
    from tests.browser.test_article_editor import watch

    EnterpriseFactory(area="西区", surveyed_on=datetime.date(2025, 3, 1), federation=world.fed_a)
    EnterpriseFactory(area="西区", surveyed_on=datetime.date(2025, 3, 1))
    CoverageSnapshot.objects.create(
        on=datetime.date(2025, 6, 30),
        grassroots_federations=2,
        women_groups=1,
        covered_enterprises=0,
        surveyed_enterprises=2,
        covered_of_surveyed=0,
        service_sites=0,
        by_area={"西区": [2, 0]},
    )
    CoverageTarget.objects.create(year=datetime.date.today().year, area="西区", rate=80)
    errors = watch(page)
    base = live_server.url
    log_in(page, base, "admin")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base}/staff/cockpit/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    assert [e for e in errors if "Content Security Policy" in e] == []
    assert page.locator("svg.chart").count() == 4
    # The line is drawn with its colour from the stylesheet (no inline style).
    stroke = page.eval_on_selector("svg.chart polyline", "e => getComputedStyle(e).stroke")
    assert stroke == "rgb(200, 16, 46)"
    assert page.locator("svg.chart line.target").count() == 1
    page.select_option("#target-form select[name=area]", "西区")
    page.fill("#target-form input[name=rate]", "85")
    page.click("#target-form button[type=submit]")
    page.wait_for_load_state()
    assert "已设置西区" in page.content()
    assert "85%" in page.inner_text("#by-area")
