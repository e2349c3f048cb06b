"""The admin's import in a real browser: upload → preview → confirm."""

from __future__ import annotations

import os

import pytest

from organizations.models import Enterprise, ImportJob
from tests.factories import EnterpriseFactory, make_credit_code
from tests.organizations.import_helpers import enterprise_row, xlsx_bytes

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM}"
    ),
]


@pytest.fixture
def import_page(browser):
    """A desktop-sized Chromium context on the session's browser (a second Playwright driver in
    the same process fails: "Sync API inside the asyncio loop")."""
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def login(context, live_server, user):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_admin_upload_preview_confirm(import_page, live_server, admin_user, district, tmp_path):
    EnterpriseFactory(credit_code=make_credit_code(1), name="旧名称")
    path = tmp_path / "企业名单.xlsx"
    path.write_bytes(
        xlsx_bytes([enterprise_row(1, name="新名称"), enterprise_row(2), enterprise_row(3)])
    )
    login(import_page, live_server, admin_user)
    page = import_page.new_page()

    page.goto(f"{live_server.url}/admin/organizations/enterprise/")
    page.click("a.import_link")
    assert page.url.endswith("/admin/organizations/enterprise/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("#import-form input[type=submit]")

    page.wait_for_selector("#import-summary")
    assert page.inner_text("#count-new") == "2"
    assert page.inner_text("#count-update") == "1"
    assert "企业名称：旧名称 → 新名称" in page.inner_text("#preview-rows")
    assert Enterprise.objects.count() == 1  # the preview wrote nothing

    page.click("#confirm-import")
    page.wait_for_selector("#job-status")
    assert page.inner_text("#job-status") == "已导入"
    assert Enterprise.objects.count() == 3
    assert Enterprise.objects.get(credit_code=make_credit_code(1)).name == "新名称"
    assert ImportJob.objects.get().status == "applied"


def test_admin_refuses_an_invalid_file_and_offers_the_error_sheet(
    import_page, live_server, admin_user, district, tmp_path
):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx_bytes([enterprise_row(1), enterprise_row(1)]))
    login(import_page, live_server, admin_user)
    page = import_page.new_page()
    page.goto(f"{live_server.url}/admin/organizations/enterprise/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("#import-form input[type=submit]")
    page.wait_for_selector("#row-errors")
    assert "重复出现（第 2、3 行）" in page.inner_text("#row-errors")
    assert page.locator("#confirm-import").count() == 0
    with page.expect_download() as download:
        page.click("#download-errors")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Enterprise.objects.count() == 0
