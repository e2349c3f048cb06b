"""Importing the lists admins really have (issue 11): blank cells, codes, limits."""

from __future__ import annotations

import io

import openpyxl
import pytest

from organizations.importing import jobs
from organizations.importing.specs import ENTERPRISE
from organizations.importing.writers import template_bytes
from organizations.models import Enterprise, ImportJob
from tests.factories import EnterpriseFactory, FederationFactory, make_credit_code
from tests.organizations.import_helpers import HEADERS, csv_text, db_snapshot, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def park(district):
    return FederationFactory(name="泰达中小企业园妇联", parent=district)


def run(tmp_path, data: bytes, name="list.xlsx", **kwargs):
    path = tmp_path / name
    path.write_bytes(data)
    return jobs.import_file(kind=kwargs.pop("kind", "enterprise"), path=str(path), **kwargs)


def messages(plan) -> list[str]:
    return [str(error) for error in plan.errors]


def stored(park, **overrides):
    values = {
        "credit_code": make_credit_code(5),
        "name": "泰达存量科技有限公司",
        "sector": Enterprise.Sector.NEW_ECONOMIC,
        "industry": "软件",
        "address": "第三大街5号",
        "building": "泰达中小企业园",
        "employees": 120,
        "female_employees": 50,
        "has_party_org": True,
        "federation": park,
        "contact_name": "李女士",
        "contact_phone": "13800000005",
    }
    values.update(overrides)
    return EnterpriseFactory(**values)


# --- blank cells keep stored values; （清空） clears ---------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_blank_cells_keep_every_stored_value(tmp_path, park, file_format):
    # The reproduction from the issue: the template's headers, only code, name and federation.
    existing = stored(park)
    row = [
        existing.credit_code,
        "泰达存量科技有限公司",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        park.name,
        "",
        "",
    ]
    if file_format == "csv":
        data, name = csv_text([row]).encode("utf-8"), "list.csv"
    else:
        data, name = xlsx_bytes([[v or None for v in row]]), "list.xlsx"
    before = db_snapshot()
    job, plan = run(tmp_path, data, name)
    assert plan.is_valid, messages(plan)
    assert (job.new_count, job.updated_count, job.unchanged_count) == (0, 0, 1)
    assert db_snapshot() == before
    existing.refresh_from_db()
    assert (existing.sector, existing.industry, existing.address, existing.building) == (
        "economic",
        "软件",
        "第三大街5号",
        "泰达中小企业园",
    )
    assert (existing.employees, existing.female_employees, existing.has_party_org) == (
        120,
        50,
        True,
    )
    assert (existing.contact_name, existing.contact_phone) == ("李女士", "13800000005")


def test_the_clear_marker_clears_and_the_preview_shows_labels_old_to_new(tmp_path, park):
    existing = stored(park)
    row = [
        existing.credit_code,
        "",  # name blank: kept
        "新社会组织",
        "（清空）",
        "(清空)",  # half-width parentheses work too
        "",
        "（清空）",
        "（清空）",
        "（清空）",
        "（清空）",
        "",
        "",
    ]
    job, plan = run(tmp_path, csv_text([row]).encode("utf-8"), "list.csv")
    assert plan.is_valid, messages(plan)
    assert job.updated_count == 1
    existing.refresh_from_db()
    assert existing.name == "泰达存量科技有限公司"
    assert existing.sector == "social"
    assert (existing.industry, existing.address, existing.building) == ("", "", "泰达中小企业园")
    assert (existing.employees, existing.female_employees) == (None, None)
    assert existing.has_party_org is False
    assert existing.federation is None
    assert existing.contact_phone == "13800000005"
    detail = job.preview_rows[0][4]
    assert "所属领域：新经济组织 → 新社会组织" in detail
    assert "地址：第三大街5号 → （空）" in detail
    assert "职工人数：120 → （空）" in detail
    assert "是否建立党组织：是 → 否" in detail
    assert "覆盖妇联：泰达中小企业园妇联 → （空）" in detail
    assert "economic" not in detail and "social" not in detail


def test_a_required_column_cannot_be_cleared_and_a_new_record_needs_it(tmp_path, park):
    existing = stored(park)
    rows = [
        [existing.credit_code, "（清空）"] + [""] * 10,
        [make_credit_code(6), ""] + [""] * 10,
    ]
    before = db_snapshot()
    job, plan = run(tmp_path, csv_text(rows).encode("utf-8"), "list.csv")
    assert job.status == ImportJob.Status.INVALID
    assert messages(plan) == [
        "第 2 行，“企业名称”列：必填列不能清空。",
        "第 3 行，“企业名称”列：必填，不能为空。",
    ]
    assert db_snapshot() == before


def test_new_records_take_defaults_for_blank_cells(tmp_path, park):
    row = [make_credit_code(7), "泰达新建科技有限公司"] + [""] * 10
    job, plan = run(tmp_path, csv_text([row]).encode("utf-8"), "list.csv")
    assert plan.is_valid, messages(plan)
    created = Enterprise.objects.get(credit_code=make_credit_code(7))
    assert (created.sector, created.address, created.employees, created.federation) == (
        "",
        "",
        None,
        None,
    )
    assert created.has_party_org is False


def test_the_template_says_blank_keeps_and_how_to_clear():
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes(ENTERPRISE)))
    notes = [c for row in workbook["填写说明"].iter_rows(values_only=True) for c in row if c]
    assert any("留空的单元格不会修改已有的数据" in n and "“（清空）”" in n for n in notes)
    assert [str(c.header) for c in ENTERPRISE.columns] == HEADERS
