"""The district cockpit: figures from the records and the snapshots, targets set by the district
admin, dormant federations and sites, and an xlsx holding what the page shows."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import CoverageSnapshot, CoverageTarget
from tests.factories import (
    ActivityFactory,
    EnterpriseFactory,
    FederationFactory,
    ServiceSiteFactory,
)

pytestmark = pytest.mark.django_db

SURVEYED = datetime.date(2025, 3, 1)


@pytest.fixture
def network(world):
    """泰达街: 4 surveyed, 3 covered (75 %); 西区: 4 surveyed, 1 covered (25 %); one enterprise not
    surveyed (not counted). District: 4 of 8 (50 %)."""
    for area, covered, uncovered in (("泰达街", 3, 1), ("西区", 1, 3)):
        for _i in range(covered):
            EnterpriseFactory(
                area=area,
                surveyed_on=SURVEYED,
                federation=world.fed_a,
                covered_since=SURVEYED,
                building="泰达MSD",
            )
        for _i in range(uncovered):
            EnterpriseFactory(area=area, surveyed_on=SURVEYED, building="泰达MSD")
    EnterpriseFactory(area="西区", federation=world.fed_b)
    # A past month end: 2 of 8 covered, 泰达街 2 of 4, 西区 0 of 4.
    CoverageSnapshot.objects.create(
        on=datetime.date(2025, 6, 30),
        grassroots_federations=2,
        women_groups=1,
        covered_enterprises=2,
        surveyed_enterprises=8,
        covered_of_surveyed=2,
        service_sites=0,
        by_area={"泰达街": [4, 2], "西区": [4, 0]},
    )
    return world


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_cockpit_shows_rates_by_area_trend_and_target_progress(client, network):
    year = timezone.localdate().year
    CoverageTarget.objects.create(year=year, quarter=0, area="", rate=80)
    CoverageTarget.objects.create(year=year, quarter=0, area="西区", rate=60)
    client.force_login(network.viewer)
    response = client.get(reverse("staff:cockpit"))
    assert response.status_code == 200
    page = _text(response)
    assert 'id="rate-now">50.0%' in page
    assert "4 / 8" in page
    assert f"{year}年底目标" in page
    assert "80%" in page
    assert "还差 30.0 个百分点" in page
    by_area = page.split('id="by-area"')[1].split("</table>")[0]
    assert (
        '<th scope="row">泰达街</th><td class="text-end">4</td><td class="text-end">3</td>'
        '<td class="text-end">75.0%</td><td class="text-end">—</td>'
    ) in by_area
    assert (
        '<th scope="row">西区</th><td class="text-end">4</td><td class="text-end">1</td>'
        '<td class="text-end">25.0%</td><td class="text-end">60%</td>'
    ) in by_area
    trend = page.split('id="trend"')[1].split("</table>")[0]
    assert (
        '<th scope="row">2025-06</th><td class="text-end">8</td><td class="text-end">2</td>'
        '<td class="text-end">25.0%</td>'
    ) in trend
    assert (
        '<th scope="row">今天</th><td class="text-end">8</td><td class="text-end">4</td>' in trend
    )
    # The charts are server-drawn SVG: no script, no style attribute (strict CSP).
    assert page.count('<svg class="chart"') == 4
    assert "<polyline" in page
    assert " style=" not in page
    assert "<script>" not in page


def test_dormant_federations_and_sites_are_listed(client, network):
    busy_site = ServiceSiteFactory(federation=network.fed_a, name="忙碌的妇女之家")
    ServiceSiteFactory(federation=network.fed_b, name="冷清的儿童之家")
    ActivityFactory(organizer=network.fed_a, site=busy_site)
    ActivityFactory(
        organizer=network.fed_b, starts_at=timezone.now() - datetime.timedelta(days=200)
    )
    quiet = FederationFactory(name="从未活动的楼宇妇联", parent=network.district, area="西区")
    client.force_login(network.editor)
    page = _text(client.get(reverse("staff:cockpit")))
    dormant = page.split('id="dormant"')[1].split("</section>")[0]
    assert "2 个基层妇联" in dormant
    assert "从未活动的楼宇妇联 · 西区 · 从未组织活动" in dormant
    last = timezone.localdate() - datetime.timedelta(days=200)
    assert f"网约车司机妇联 · 泰达街 · 最近活动 {last:%Y-%m-%d}" in dormant
    assert "泰达中小企业园妇联" not in dormant
    assert "1 个服务阵地" in dormant
    assert "冷清的儿童之家 · 网约车司机妇联" in dormant
    assert "忙碌的妇女之家" not in dormant
    assert quiet.pk


def test_cockpit_xlsx_holds_the_figures_of_the_page(client, network):
    CoverageTarget.objects.create(year=timezone.localdate().year, quarter=0, area="西区", rate=60)
    client.force_login(network.admin)
    response = client.get(reverse("staff:cockpit_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="cockpit-')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:4] == ["概览", "覆盖趋势", "按片区", "按领域"]
    overview = book["概览"]
    assert [c.value for c in overview[3]] == ["已摸排企业", 8]
    assert [c.value for c in overview[4]] == ["其中已覆盖", 4]
    assert [c.value for c in overview[5]] == ["覆盖率（%）", 50.0]
    areas = book["按片区"]
    assert [c.value for c in areas[1]] == [
        "名称",
        "已摸排",
        "已覆盖",
        "未覆盖",
        "覆盖率（%）",
        "年底目标（%）",
    ]
    assert [c.value for c in areas[2]] == ["泰达街", 4, 3, 1, 75.0, None]
    assert [c.value for c in areas[3]] == ["西区", 4, 1, 3, 25.0, 60]
    trend = book["覆盖趋势"]
    assert [c.value for c in trend[1]] == [
        "月份",
        "已摸排",
        "已覆盖",
        "覆盖率（%）",
        "泰达街",
        "西区",
    ]
    assert [c.value for c in trend[2]] == ["2025-06", 8, 2, 25.0, 50.0, 0.0]
    assert [c.value for c in trend[3]] == ["今天", 8, 4, 50.0, 75.0, 25.0]
    from organizations.models import ExportLog

    log = ExportLog.objects.get()
    assert (log.kind, log.user, log.file_format) == ("cockpit", network.admin, "xlsx")


def test_district_admin_sets_and_removes_a_target(client, network):
    client.force_login(network.admin)
    url = reverse("staff:cockpit_target")
    response = client.post(
        url, {"year": 2026, "quarter": 0, "area": "西区", "rate": 70}, follow=True
    )
    assert "已设置西区2026年底覆盖率目标 70%。" in _text(response)
    target = CoverageTarget.objects.get()
    assert (target.year, target.quarter, target.area, target.rate) == (2026, 0, "西区", 70)
    assert target.history.get().history_user == network.admin
    client.post(url, {"year": 2026, "quarter": 0, "area": "西区", "rate": 75})
    assert CoverageTarget.objects.get().rate == 75
    response = client.post(
        url, {"year": 2026, "quarter": 0, "area": "西区", "rate": ""}, follow=True
    )
    assert "已删除该目标。" in _text(response)
    assert not CoverageTarget.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": 2026, "quarter": 0, "area": "", "rate": 120}, "目标覆盖率应在 0 到 100 之间。"),
        ({"year": 2026, "quarter": 0, "area": "", "rate": "八十"}, "请填写 0 到 100 之间的整数。"),
        ({"year": 2026, "quarter": 7, "area": "", "rate": 80}, "选择一个有效的选项"),
        ({"year": 2026, "quarter": 1, "area": "不存在的片区", "rate": 80}, "选择一个有效的选项"),
    ],
)
def test_bad_target_input_saves_nothing_and_says_why(client, network, data, message):
    client.force_login(network.admin)
    response = client.post(reverse("staff:cockpit_target"), data, follow=True)
    page = _text(response)
    assert "目标未保存：" in page
    assert message in page
    assert not CoverageTarget.objects.exists()


def test_editor_cannot_set_targets_and_sees_no_form(client, network):
    client.force_login(network.editor)
    assert "target-form" not in _text(client.get(reverse("staff:cockpit")))
    response = client.post(
        reverse("staff:cockpit_target"), {"year": 2026, "quarter": 0, "area": "", "rate": 80}
    )
    assert response.status_code == 403
    assert not CoverageTarget.objects.exists()


@pytest.fixture
def two_federations(network):
    """On top of ``network`` (fed_a covers 3 of 泰达街 and 1 of 西区; 4 uncovered nobody follows):
    fed_a follows up one uncovered enterprise of 西区; fed_b covers 2 surveyed of 泰达街; each
    has a site and activities of its own."""
    EnterpriseFactory(area="西区", surveyed_on=SURVEYED, followed_by=network.fed_a)
    for _i in range(2):
        EnterpriseFactory(
            area="泰达街", surveyed_on=SURVEYED, federation=network.fed_b, covered_since=SURVEYED
        )
    site_a = ServiceSiteFactory(federation=network.fed_a, name="中小企业园妇女之家", area="泰达街")
    site_b = ServiceSiteFactory(federation=network.fed_b, name="司机之家", area="西区")
    ActivityFactory(organizer=network.fed_a, site=site_a, participants=12)
    for _i in range(3):
        ActivityFactory(organizer=network.fed_b, site=site_b, participants=30)
    return network


def test_grassroots_cockpit_shows_only_its_own_figures(client, two_federations):
    world = two_federations
    CoverageTarget.objects.create(year=timezone.localdate().year, quarter=0, area="", rate=80)
    client.force_login(world.staff_a)
    page = _text(client.get(reverse("staff:cockpit")))
    # fed_a: 4 covered of the 5 it covers or follows up; the district's 10 surveyed are not shown.
    assert 'id="rate-now">80.0%' in page
    assert "4 / 5" in page
    assert "本页只统计 泰达中小企业园妇联、中小企业园第一妇女小组 的记录" in page
    by_area = page.split('id="by-area"')[1].split("</table>")[0]
    assert '<th scope="row">泰达街</th><td class="text-end">3</td><td class="text-end">3</td>' in (
        by_area
    )
    assert '<th scope="row">西区</th><td class="text-end">2</td><td class="text-end">1</td>' in (
        by_area
    )
    sites = page.split('id="sites"')[1].split("</table>")[0]
    assert "泰达街" in sites and "西区" not in sites
    per_month = page.split('id="per-month"')[1].split("</table>")[0]
    assert per_month.count('<td class="text-end">1 / 12</td>') == 2  # its category and the total
    assert "3 / 90" not in per_month
    # No district-wide figures and nothing of the district's to set.
    assert "年底目标" not in page
    assert 'id="year-target"' not in page
    assert 'id="target-form"' not in page
    # Its own quarterly report only: no choice of federation.
    assert 'id="quarterly-form"' in page
    assert 'id="report-federation"' not in page
    assert "2025-06" not in page  # the district's monthly snapshot


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?federation={b}",
        "?federations={b}",
        "?scope=district",
        "?federation_id={b}&area=西区",
    ],
)
def test_grassroots_cockpit_ignores_any_parameter(client, two_federations, query):
    world = two_federations
    client.force_login(world.staff_b)
    url = reverse("staff:cockpit") + query.format(b=world.fed_a.pk)
    page = _text(client.get(url))
    # fed_b: 2 of 2 whatever the query asks for; fed_a's figures never appear.
    assert 'id="rate-now">100.0%' in page
    assert "2 / 2" in page
    assert "泰达中小企业园妇联" not in page
    assert "中小企业园妇女之家" not in page
    response = client.get(reverse("staff:cockpit_export") + query.format(b=world.fed_a.pk))
    overview = openpyxl.load_workbook(io.BytesIO(response.content))["概览"]
    assert [c.value for c in overview[1]][0] == "网约车司机妇联"
    assert [c.value for c in overview[3]] == ["已摸排企业", 2]
    assert [c.value for c in overview[4]] == ["其中已覆盖", 2]


def test_grassroots_staff_cannot_set_targets_and_get_only_their_own_report(client, two_federations):
    client.force_login(two_federations.staff_a)
    response = client.post(
        reverse("staff:cockpit_target"), {"year": 2026, "quarter": 0, "area": "", "rate": 90}
    )
    assert response.status_code == 403
    assert not CoverageTarget.objects.exists()
    response = client.get(reverse("staff:quarterly_report") + "?quarter=2025Q1")
    title = openpyxl.load_workbook(io.BytesIO(response.content))["说明"]["A1"].value
    assert title == "泰达中小企业园妇联2025年第1季度工作台账"
