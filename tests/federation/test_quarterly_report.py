"""The quarterly report (季度工作台账): the workbook of 2025Q3 opened and read cell by cell, against
a history written by hand, with records on both sides of the quarter's end in Beijing time."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from activities.models import Activity, Exemplar
from federation.staff.reports import Quarter, QuarterError, parse_quarter, quarterly_report_xlsx
from organizations.models import Enterprise, Federation, ServiceSite
from tests.factories import (
    ActivityFactory,
    BrandFactory,
    BrandSessionFactory,
    EnterpriseFactory,
    ExemplarFactory,
    FederationFactory,
    ServiceSiteFactory,
)

pytestmark = pytest.mark.django_db
BJ = zoneinfo.ZoneInfo("Asia/Shanghai")
Q3 = Quarter(2025, 3)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BJ)


def _dated(model, pk, when, kind=None):
    rows = model.history.filter(id=pk)
    if kind:
        rows = rows.filter(history_type=kind)
    assert rows.update(history_date=when)


def _cover(enterprise, federation, since, when):
    enterprise.federation, enterprise.covered_since = federation, since
    enterprise.save()
    _dated(Enterprise, enterprise.pk, when, "~")


@pytest.fixture
def history(world):
    Federation.history.update(history_date=at(2025, 1, 1, 9))
    late = FederationFactory(
        name="十月成立的楼宇妇联", kind=Federation.Kind.BUILDING, parent=world.district
    )
    _dated(Federation, late.pk, at(2025, 10, 5, 9))
    firms = []
    for i in range(4):
        firm = EnterpriseFactory(name=f"季度测试企业{i}", surveyed_on=datetime.date(2025, 3, 1))
        _dated(Enterprise, firm.pk, at(2025, 3, 1, 10), "+")
        firms.append(firm)
    _cover(firms[0], world.fed_a, datetime.date(2025, 8, 15), at(2025, 8, 15, 10))
    # 23:30 on 30 September in Beijing is still the third quarter (15:30 UTC).
    _cover(firms[1], world.fed_b, datetime.date(2025, 9, 30), at(2025, 9, 30, 23, 30))
    # 00:30 on 1 October in Beijing is 16:30 UTC on 30 September: the fourth quarter.
    _cover(firms[2], world.fed_a, datetime.date(2025, 10, 1), at(2025, 10, 1, 0, 30))
    _cover(firms[3], world.fed_a, datetime.date(2025, 11, 3), at(2025, 11, 3, 9))
    old_site = ServiceSiteFactory(federation=world.fed_a, kind=ServiceSite.Kind.WOMEN_HOME)
    _dated(ServiceSite, old_site.pk, at(2025, 2, 1, 9))
    new_site = ServiceSiteFactory(federation=world.fed_a, kind=ServiceSite.Kind.CHILDREN_HOME)
    _dated(ServiceSite, new_site.pk, at(2025, 11, 1, 9))
    for when, category, people in (
        (at(2025, 6, 30, 23, 59), Activity.Category.GUIDANCE, 99),
        (at(2025, 7, 1, 0, 0), Activity.Category.CARE, 12),
        (at(2025, 9, 30, 23, 30), Activity.Category.GUIDANCE, 30),
        (at(2025, 10, 1, 0, 10), Activity.Category.GUIDANCE, 77),
    ):
        ActivityFactory(
            organizer=world.fed_a, starts_at=when, category=category, participants=people
        )
    brand = BrandFactory(name="泰好帮")
    BrandSessionFactory(
        brand=brand, starts_on=datetime.date(2025, 8, 1), participants=40, families=3
    )
    BrandSessionFactory(brand=brand, starts_on=datetime.date(2025, 10, 1), participants=50)
    in_time = ExemplarFactory(year=2025, honour=Exemplar.Honour.RED_FLAG)
    _dated(Exemplar, in_time.pk, at(2025, 9, 1, 9))
    late_one = ExemplarFactory(year=2025, honour=Exemplar.Honour.RED_FLAG)
    _dated(Exemplar, late_one.pk, at(2025, 10, 10, 9))
    return world


def _rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _book(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_quarterly_workbook_cells(history):
    book = _book(quarterly_report_xlsx(Q3, generated_at=at(2025, 10, 8, 9, 30)))
    assert book.sheetnames == [
        "说明",
        "组织建设",
        "覆盖情况",
        "服务阵地",
        "活动开展",
        "品牌活动",
        "先进典型",
        "各基层妇联",
    ]
    assert _rows(book["说明"])[:4] == [
        ["天津经开区妇联2025年第3季度工作台账", None],
        ["统计期间", "2025-07-01 至 2025-09-30（北京时间）"],
        ["截止时点", "2025-09-30 24:00（北京时间）"],
        ["生成时间", "2025-10-08 09:30"],
    ]
    assert _rows(book["组织建设"]) == [
        ["组建形式", "基层妇联数"],
        ["单建妇联", 2],
        ["联合妇联", 0],
        ["楼宇妇联", 0],
        ["网上妇联", 0],
        ["行业/新就业群体妇联", 0],
        ["园区/产业基地妇联", 0],
        ["岛屿式妇联", 0],
        ["基层妇联合计", 2],
        ["妇女小组", 1],
    ]
    coverage = _rows(book["覆盖情况"])
    assert [row[:2] for row in coverage[:6]] == [
        ["指标", "数值"],
        ["季末已摸排企业", 4],
        ["季末已摸排且已覆盖", 2],
        ["季末覆盖率（%）", 50.0],
        ["季末覆盖企业总数", 2],
        ["本季度新增覆盖企业", 2],
    ]
    assert [row[0] for row in coverage[7:]] == ["企业名称", "季度测试企业0", "季度测试企业1"]
    assert coverage[8][2:] == ["新经济组织", None, "泰达中小企业园妇联", "2025-08-15"]
    assert coverage[9][4:] == ["网约车司机妇联", "2025-09-30"]
    assert _rows(book["服务阵地"])[:3] == [["阵地类型", "数量"], ["妇女之家", 1], ["儿童之家", 0]]
    assert _rows(book["服务阵地"])[-1] == ["合计", 1]
    assert _rows(book["活动开展"]) == [
        ["活动类别", "场次", "参与人次"],
        ["思想引领类", 1, 30],
        ["迫切需求类", 0, 0],
        ["赋能提升类", 0, 0],
        ["志愿服务", 0, 0],
        ["文艺交流", 0, 0],
        ["走访慰问", 1, 12],
        ["合计", 2, 42],
    ]
    assert _rows(book["品牌活动"]) == [
        ["品牌", "期数", "参与人次", "帮助家庭", "服务企业", "孵化托管班", "牵手成功"],
        ["泰好帮", 1, 40, 3, 0, 0, 0],
    ]
    assert ["三八红旗手", 1, 0, 1] in _rows(book["先进典型"])
    federations = _rows(book["各基层妇联"])
    assert federations[0] == [
        "基层妇联",
        "组建形式",
        "片区",
        "本季度新增覆盖",
        "本季度活动场次",
        "参与人次",
    ]
    assert ["泰达中小企业园妇联", "单建妇联", "泰达街", 1, 2, 42] in federations
    assert ["网约车司机妇联", "单建妇联", "泰达街", 1, 0, 0] in federations


def test_the_snapshot_of_the_quarter_end_is_what_the_report_reads(history):
    from organizations.snapshots import rebuild_snapshots

    rebuild_snapshots(until=datetime.date(2025, 12, 31))
    book = _book(quarterly_report_xlsx(Q3))
    assert _rows(book["覆盖情况"])[2][:2] == ["季末已摸排且已覆盖", 2]
    assert _rows(book["组织建设"])[-2] == ["基层妇联合计", 2]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-3", "季度“2025-3”无法识别，请按“年份Q季度”填写，例如 2026Q3。"),
        ("2025Q5", "季度“2025Q5”无法识别，请按“年份Q季度”填写，例如 2026Q3。"),
        ("2025Q4", "2025年第4季度尚未结束（截至北京时间 2025-12-31 24:00），还不能生成台账。"),
    ],
)
def test_a_malformed_or_unfinished_quarter_is_refused(value, message):
    with pytest.raises(QuarterError) as error:
        parse_quarter(value, now=at(2025, 12, 31, 23, 0))
    assert str(error.value) == message
    assert parse_quarter("2025Q4", now=at(2026, 1, 1, 0, 0)) == Quarter(2025, 4)


def test_the_command_writes_the_workbook(history, tmp_path):
    target = tmp_path / "台账.xlsx"
    call_command("quarterly_report", "2025Q3", output=str(target))
    assert _rows(_book(target.read_bytes())["活动开展"])[-1] == ["合计", 2, 42]
    assert not list(tmp_path.glob("*.part"))
    call_command("quarterly_report", "2025Q3", dir=str(tmp_path))
    assert (tmp_path / "quarterly-2025Q3.xlsx").is_file()
    with pytest.raises(CommandError, match="季度“2025年3季”无法识别"):
        call_command("quarterly_report", "2025年3季", output=str(tmp_path / "x.xlsx"))


def test_cockpit_downloads_the_report_and_explains_a_bad_quarter(client, history):
    client.force_login(history.viewer)
    response = client.get(reverse("staff:quarterly_report"), {"quarter": "2025Q3"})
    assert response["Content-Disposition"] == 'attachment; filename="quarterly-2025Q3.xlsx"'
    assert _rows(_book(response.content)["品牌活动"])[1] == ["泰好帮", 1, 40, 3, 0, 0, 0]
    from organizations.models import ExportLog

    log = ExportLog.objects.get()
    assert (log.kind, log.user, log.filters, log.with_personal_data) == (
        "quarterly",
        history.viewer,
        "2025Q3",
        False,
    )
    assert log.get_kind_display() == "季度工作台账"
    response = client.get(reverse("staff:quarterly_report"), {"quarter": "下季度"}, follow=True)
    assert "季度“下季度”无法识别" in response.content.decode()


def test_one_federations_workbook_holds_only_its_own_figures(history):
    BrandSessionFactory(
        brand=BrandFactory(name="巾帼科创营"),
        starts_on=datetime.date(2025, 9, 1),
        participants=8,
        federation=history.fed_a,
    )
    book = _book(
        quarterly_report_xlsx(Q3, generated_at=at(2025, 10, 8, 9, 30), federation=history.fed_a)
    )
    assert _rows(book["说明"])[0] == ["泰达中小企业园妇联2025年第3季度工作台账", None]
    forms = _rows(book["组织建设"])
    assert forms[1] == ["单建妇联", 1]
    assert forms[-2:] == [["基层妇联合计", 1], ["妇女小组", 1]]
    coverage = _rows(book["覆盖情况"])
    assert [row[:2] for row in coverage[1:6]] == [
        ["季末已摸排企业", 1],
        ["季末已摸排且已覆盖", 1],
        ["季末覆盖率（%）", 100.0],
        ["季末覆盖企业总数", 1],
        ["本季度新增覆盖企业", 1],
    ]
    assert [row[0] for row in coverage[7:]] == ["企业名称", "季度测试企业0"]
    assert _rows(book["服务阵地"])[-1] == ["合计", 1]
    assert _rows(book["活动开展"])[-1] == ["合计", 2, 42]
    # Only the session fed_a ran itself; the district's 泰好帮 session is not its own.
    assert _rows(book["品牌活动"])[1:] == [["巾帼科创营", 1, 8, 0, 0, 0, 0]]
    assert _rows(book["各基层妇联"])[1:] == [["泰达中小企业园妇联", "单建妇联", "泰达街", 1, 2, 42]]


def test_grassroots_staff_get_their_own_report_whatever_they_ask(client, history):
    from organizations.models import ExportLog

    client.force_login(history.staff_b)
    response = client.get(
        reverse("staff:quarterly_report"), {"quarter": "2025Q3", "federation": history.fed_a.pk}
    )
    name = f"quarterly-2025Q3-{history.fed_b.pk}.xlsx"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    book = _book(response.content)
    assert _rows(book["说明"])[0][0] == "网约车司机妇联2025年第3季度工作台账"
    assert [row[0] for row in _rows(book["覆盖情况"])[7:]] == ["企业名称", "季度测试企业1"]
    assert _rows(book["活动开展"])[-1] == ["合计", 0, 0]
    log = ExportLog.objects.get()
    assert (log.kind, log.user, log.filters) == (
        "quarterly",
        history.staff_b,
        "2025Q3 网约车司机妇联",
    )


def test_district_roles_choose_a_federation_and_a_bad_choice_is_explained(client, history):
    client.force_login(history.editor)
    response = client.get(
        reverse("staff:quarterly_report"), {"quarter": "2025Q3", "federation": history.fed_a.pk}
    )
    assert _rows(_book(response.content)["说明"])[0][0] == "泰达中小企业园妇联2025年第3季度工作台账"
    page = client.get(reverse("staff:cockpit")).content.decode()
    assert f'<option value="{history.fed_b.pk}">网约车司机妇联</option>' in page
    for bad in ("abc", "999999", str(history.group_a.pk)):
        response = client.get(
            reverse("staff:quarterly_report"), {"quarter": "2025Q3", "federation": bad}, follow=True
        )
        assert "所选基层妇联不存在或已撤销，请重新选择。" in response.content.decode()
        assert "attachment" not in response.get("Content-Disposition", "")


def test_kept_reports_are_listed_downloaded_and_logged(client, history, settings, tmp_path):
    from organizations.models import ExportLog

    settings.REPORTS_DIR = tmp_path
    call_command("quarterly_report", "2025Q3", dir=str(tmp_path))
    (tmp_path / "quarterly-2025Q2.xlsx").write_bytes(b"PK older")
    (tmp_path / "notes.txt").write_text("not a report")
    (tmp_path / "quarterly-2025Q3.xlsx.part").write_bytes(b"half")
    client.force_login(history.viewer)
    page = client.get(reverse("staff:kept_reports")).content.decode()
    table = page.split('id="kept-reports"')[1].split("</table>")[0]
    names = [line.split('">')[1].split("<")[0] for line in table.split("<a href=")[1:]]
    assert names == ["quarterly-2025Q3.xlsx", "quarterly-2025Q2.xlsx"]
    assert "2025年第3季度" in table
    response = client.get(reverse("staff:kept_report_download", args=["quarterly-2025Q3.xlsx"]))
    assert response["Content-Disposition"] == 'attachment; filename="quarterly-2025Q3.xlsx"'
    assert _rows(_book(response.content)["活动开展"])[-1] == ["合计", 2, 42]
    log = ExportLog.objects.get()
    assert (log.kind, log.user, log.filters) == (
        "quarterly",
        history.viewer,
        "quarterly-2025Q3.xlsx（保留文件）",
    )
    for name in ("notes.txt", "quarterly-2025Q3.xlsx.part", "quarterly-2024Q1.xlsx"):
        assert client.get(reverse("staff:kept_report_download", args=[name])).status_code == 404
    assert ExportLog.objects.count() == 1
    client.force_login(history.staff_a)
    assert client.get(reverse("staff:kept_reports")).status_code == 403
