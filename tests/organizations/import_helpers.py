"""Building spreadsheets in tests, and a snapshot of the database to prove nothing changed."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.contrib.auth.models import Group, Permission

from federation.core.roles import FEDERATION_STAFF, VIEWER
from organizations.models import Enterprise, Federation, ServiceSite
from tests.factories import make_credit_code

HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "所属领域",
    "行业",
    "地址",
    "所在楼宇或园区",
    "职工人数",
    "女职工人数",
    "是否建立党组织",
    "覆盖妇联",
    "联系人",
    "联系电话",
]


def enterprise_row(n: int, **overrides) -> list[Any]:
    row = {
        "code": make_credit_code(n),
        "name": f"泰达导入测试{n}有限公司",
        "sector": "新经济组织",
        "industry": "软件",
        "address": f"第三大街{n}号",
        "building": "泰达中小企业园",
        "employees": 100,
        "female": 40,
        "party": "否",
        "federation": "",
        "contact": "王女士",
        "phone": "13812345678",
    }
    row.update(overrides)
    return list(row.values())


def xlsx_bytes(
    rows: list[list[Any]],
    headers: list[str] | None = HEADERS,
    *,
    title: str = "企业名单",
    extra_sheets: dict[str, list[list[Any]]] | None = None,
    before: list[list[Any]] = (),
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in before:
        sheet.append(row)
    if headers is not None:
        sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for name, sheet_rows in (extra_sheets or {}).items():
        other = workbook.create_sheet(name)
        for row in sheet_rows:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(rows: list[list[Any]], headers: list[str] = HEADERS) -> str:
    lines = [",".join(headers)]
    for row in rows:
        lines.append(",".join("" if v is None else str(v) for v in row))
    return "\r\n".join(lines) + "\r\n"


def xls_bytes(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("企业名单")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for col, header in enumerate(headers):
        sheet.write(0, col, header)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if hasattr(value, "isoformat"):
                sheet.write(r, col, value, date_style)
            elif value is not None:
                sheet.write(r, col, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def db_snapshot() -> dict:
    """Every enterprise, federation and site with every field value, for before/after comparison."""
    return {
        "enterprises": list(Enterprise.objects.order_by("pk").values()),
        "federations": list(Federation.objects.order_by("pk").values()),
        "sites": list(ServiceSite.objects.order_by("pk").values()),
        "history": Enterprise.history.count()
        + Federation.history.count()
        + ServiceSite.history.count(),
    }


def make_user(
    username: str, *, role: str | None = None, federation=None, superuser=False, perms=()
):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username=username,
        password="pw-123456",
        is_staff=True,
        is_superuser=superuser,
        federation=federation,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    for dotted in perms:
        app_label, codename = dotted.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return get_user_model().objects.get(pk=user.pk)


def staff_of(federation, username="staff"):
    return make_user(username, role=FEDERATION_STAFF, federation=federation)


def importer_without_contacts(username="noncontact"):
    """A district-level user who may import enterprises but not see personal data."""
    return make_user(
        username,
        role=VIEWER,
        perms=("organizations.add_enterprise", "organizations.change_enterprise"),
    )
