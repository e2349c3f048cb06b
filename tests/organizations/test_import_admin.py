"""The admin's import pages: template, upload → preview → confirm, error sheet, pagination."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from organizations.models import Enterprise, ImportJob
from tests.factories import EnterpriseFactory, FederationFactory, make_credit_code
from tests.organizations.import_helpers import db_snapshot, enterprise_row, staff_of, xlsx_bytes

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/organizations/enterprise/import/"


def post_file(client, data, name="list.xlsx", **extra):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data), **extra})


def test_import_page_offers_the_template_with_the_issues_chinese_headers(admin_client):
    page = admin_client.get(IMPORT_URL)
    assert page.status_code == 200
    template_url = reverse("admin:organizations_enterprise_import_template")
    assert template_url in page.content.decode()
    response = admin_client.get(template_url)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [cell.value for cell in workbook.worksheets[0][1]]
    assert headers == [
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
    assert workbook.worksheets[0]["A2"].number_format == "@"
    for kind in ("federation", "servicesite"):
        response = admin_client.get(reverse(f"admin:organizations_{kind}_import_template"))
        assert response.status_code == 200 and response.content.startswith(b"PK")


def test_changelist_shows_import_and_export_buttons(admin_client):
    page = admin_client.get("/admin/organizations/enterprise/").content.decode()
    assert IMPORT_URL in page and "/admin/organizations/enterprise/export/" in page


def test_upload_preview_confirm(admin_client, district):
    EnterpriseFactory(credit_code=make_credit_code(1), name="旧名")
    data = xlsx_bytes([enterprise_row(1, name="新名"), enterprise_row(2), enterprise_row(3)])
    before = db_snapshot()
    response = post_file(admin_client, data)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/import/{job.pk}/")
    page = admin_client.get(response.url).content.decode()
    assert job.status == "previewed" and (job.new_count, job.updated_count) == (2, 1)
    assert "确认导入" in page and "企业名称：旧名 → 新名" in page
    assert db_snapshot() == before
    response = admin_client.post(
        reverse("admin:organizations_enterprise_process_import"), {"job": job.pk}
    )
    job.refresh_from_db()
    assert job.status == "applied"
    assert (
        Enterprise.objects.count() == 3
        and Enterprise.objects.get(credit_code=make_credit_code(1)).name == "新名"
    )
    # The enterprise's page names the import that last changed it.
    enterprise = Enterprise.objects.get(credit_code=make_credit_code(2))
    change = admin_client.get(
        reverse("admin:organizations_enterprise_change", args=[enterprise.pk])
    )
    assert f"#{job.pk}" in change.content.decode()
    # Confirming twice does nothing more.
    admin_client.post(reverse("admin:organizations_enterprise_process_import"), {"job": job.pk})
    assert Enterprise.history.count() == 1 + 3


def test_invalid_file_shows_errors_and_offers_an_error_sheet(admin_client, district):
    rows = [
        enterprise_row(1),
        enterprise_row(2, employees=5, female=6),
        enterprise_row(3, federation="无"),
    ]
    before = db_snapshot()
    response = post_file(admin_client, xlsx_bytes(rows))
    page = admin_client.get(response.url).content.decode()
    assert "确认导入" not in page and "女职工人数（6）不能大于职工人数（5）" in page
    job = ImportJob.objects.get()
    assert job.status == "invalid" and job.invalid_count == 2
    sheet = admin_client.get(reverse("admin:organizations_enterprise_import_errors", args=[job.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(sheet.streaming_content)))
    values = list(workbook.active.values)
    assert values[0][:3] == ("原行号", "错误原因", "统一社会信用代码")
    assert [row[0] for row in values[1:]] == [3, 4]
    assert "女职工人数" in values[1][1] and values[1][2] == make_credit_code(2)
    # Confirming an invalid job is impossible.
    admin_client.post(reverse("admin:organizations_enterprise_process_import"), {"job": job.pk})
    assert db_snapshot() == before


def test_a_file_checked_in_the_background_also_gets_its_error_sheet(
    admin_client, district, settings
):
    settings.IMPORT_BACKGROUND_ROWS = 2
    rows = [enterprise_row(1), enterprise_row(2, employees=5, female=6), enterprise_row(3)]
    post_file(admin_client, xlsx_bytes(rows))
    job = ImportJob.objects.get()
    assert job.background and job.status == "invalid"  # the ImmediateBackend ran the task
    sheet = admin_client.get(reverse("admin:organizations_enterprise_import_errors", args=[job.pk]))
    values = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(sheet.streaming_content))).active.values
    )
    assert [row[0] for row in values[1:]] == [3]
    assert "女职工人数" in values[1][1] and values[1][2] == make_credit_code(2)


def test_preview_is_paginated(admin_client, district, settings):
    settings.IMPORT_PREVIEW_PAGE_SIZE = 10
    post_file(admin_client, xlsx_bytes([enterprise_row(n) for n in range(1, 26)]))
    job = ImportJob.objects.get()
    url = reverse("admin:organizations_enterprise_import_job", args=[job.pk])
    first = admin_client.get(url).content.decode()
    assert first.count('class="row-new"') == 10 and "第 1 / 3 页，共 25 行" in first
    last = admin_client.get(url + "?page=3").content.decode()
    assert last.count('class="row-new"') == 5


def test_gbk_csv_upload_through_the_admin(admin_client, district):
    from tests.organizations.import_helpers import csv_text

    data = csv_text([enterprise_row(1, name="泰达（天津）科技有限公司")]).encode("gbk")
    response = post_file(admin_client, data, "名单.csv")
    admin_client.post(
        reverse("admin:organizations_enterprise_process_import"),
        {"job": ImportJob.objects.get().pk},
    )
    assert (
        response.status_code == 302 and Enterprise.objects.get().name == "泰达（天津）科技有限公司"
    )


def test_staff_see_only_their_own_jobs_and_import_only_their_scope(client, district):
    park = FederationFactory(name="泰达中小企业园妇联", parent=district)
    other = FederationFactory(name="网约车司机妇联", parent=district)
    EnterpriseFactory(credit_code=make_credit_code(5), federation=other, name="别家")
    staff = staff_of(park)
    client.force_login(staff)
    post_file(client, xlsx_bytes([enterprise_row(5, federation=park.name)]))
    job = ImportJob.objects.get()
    assert job.status == "invalid" and "不在您的管理范围内" in str(job.errors)
    assert Enterprise.objects.get(credit_code=make_credit_code(5)).federation == other
    someone = staff_of(other, "staff2")
    client.force_login(someone)
    assert (
        client.get(reverse("admin:organizations_enterprise_import_job", args=[job.pk])).status_code
        == 404
    )


def test_cancel_from_the_preview(admin_client, district):
    post_file(admin_client, xlsx_bytes([enterprise_row(1)]))
    job = ImportJob.objects.get()
    admin_client.post(reverse("admin:organizations_enterprise_import_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "cancelled" and job.stored_file == "" and Enterprise.objects.count() == 0


def test_import_history_is_visible_in_the_admin(admin_client, district):
    post_file(admin_client, xlsx_bytes([enterprise_row(1)]), "名单一.xlsx")
    page = admin_client.get(reverse("admin:organizations_importjob_changelist")).content.decode()
    assert "名单一.xlsx" in page


def test_large_upload_runs_in_the_background_with_a_progress_page(
    admin_client, admin_user, district, settings
):
    settings.IMPORT_BACKGROUND_ROWS = 2
    post_file(admin_client, xlsx_bytes([enterprise_row(n) for n in range(1, 5)]))
    job = ImportJob.objects.get()
    assert job.background and job.status == "previewed"  # the ImmediateBackend ran the task
    running = ImportJob.objects.create(
        kind="enterprise",
        user=admin_user,
        file_name="big.xlsx",
        status=ImportJob.Status.PREVIEWING,
        total_rows=50000,
        processed_rows=12500,
        background=True,
    )
    page = admin_client.get(reverse("admin:organizations_enterprise_import_job", args=[running.pk]))
    content = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in content
    assert 'value="25"' in content and "12500 / 50000" in content


def test_oversized_upload_is_refused_by_the_form(admin_client, district, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    page = admin_client.post(IMPORT_URL, {"file": SimpleUploadedFile("big.csv", b"a,b\n" * 100)})
    assert page.status_code == 200 and "文件太大" in page.content.decode()
    assert not ImportJob.objects.exists()


def test_huge_request_body_is_refused_before_it_is_read(admin_client, district, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    data = b"a,b\n" * 100_000
    response = admin_client.post(IMPORT_URL, {"file": SimpleUploadedFile("huge.csv", data)})
    assert response.status_code == 302 and response.url == IMPORT_URL
    assert not ImportJob.objects.exists()


def test_import_record_page_links_to_the_import(admin_client, district):
    post_file(admin_client, xlsx_bytes([enterprise_row(1)]))
    job = ImportJob.objects.get()
    page = admin_client.get(
        reverse("admin:organizations_importjob_change", args=[job.pk])
    ).content.decode()
    assert reverse("admin:organizations_enterprise_import_job", args=[job.pk]) in page


# --- IMPORT_KEEP_DAYS: files and per-row data go, the summary stays ----------------------------

UPLOADED = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def cleanup() -> str:
    out = io.StringIO()
    call_command("import_cleanup", stdout=out)
    return out.getvalue().strip()


def test_an_invalid_jobs_files_and_rows_are_kept_keep_days_then_only_its_summary(
    admin_client, district, settings, time_machine
):
    assert settings.IMPORT_KEEP_DAYS == 7
    time_machine.move_to(UPLOADED, tick=False)
    post_file(
        admin_client, xlsx_bytes([enterprise_row(1), enterprise_row(2, employees=5, female=6)])
    )
    job = ImportJob.objects.get()
    stored, sheet = job.stored_file, job.error_file
    job_url = reverse("admin:organizations_enterprise_import_job", args=[job.pk])
    errors_url = reverse("admin:organizations_enterprise_import_errors", args=[job.pk])
    assert (
        job.status == "invalid" and default_storage.exists(stored) and default_storage.exists(sheet)
    )

    time_machine.move_to(UPLOADED + datetime.timedelta(days=7, minutes=-1), tick=False)
    assert cleanup() == "已清理 0 个导入记录的文件和逐行数据（保留 7 天）。"
    assert default_storage.exists(stored) and admin_client.get(errors_url).status_code == 200

    time_machine.move_to(UPLOADED + datetime.timedelta(days=7, minutes=1), tick=False)
    assert cleanup() == "已清理 1 个导入记录的文件和逐行数据（保留 7 天）。"
    assert not default_storage.exists(stored) and not default_storage.exists(sheet)
    job.refresh_from_db()
    assert (job.status, job.invalid_count, job.new_count) == ("invalid", 1, 1)
    assert (job.stored_file, job.error_file, job.errors, job.preview_rows) == ("", "", [], [])
    page = admin_client.get(job_url).content.decode()
    assert (
        "上传的文件、错误表和逐行明细已按保留期限（7 天）于 2026-03-09 删除，本记录只保留汇总。"
        in page
    )
    assert "女职工人数（6）不能大于职工人数（5）" not in page and "下载错误表" not in page
    assert admin_client.get(errors_url).status_code == 404
    # Once is enough: the next run finds nothing left.
    assert cleanup() == "已清理 0 个导入记录的文件和逐行数据（保留 7 天）。"


def test_a_preview_left_waiting_expires_after_keep_days_not_after_a_day(
    admin_client, district, settings, time_machine
):
    settings.IMPORT_KEEP_DAYS = 2
    time_machine.move_to(UPLOADED, tick=False)
    post_file(admin_client, xlsx_bytes([enterprise_row(1)]))
    job = ImportJob.objects.get()
    stored = job.stored_file
    assert job.status == "previewed"

    time_machine.move_to(UPLOADED + datetime.timedelta(hours=25), tick=False)
    assert cleanup() == "已清理 0 个导入记录的文件和逐行数据（保留 2 天）。"
    job.refresh_from_db()
    assert job.status == "previewed" and default_storage.exists(stored)

    time_machine.move_to(UPLOADED + datetime.timedelta(days=2, minutes=1), tick=False)
    assert cleanup() == "已清理 1 个导入记录的文件和逐行数据（保留 2 天）。"
    job.refresh_from_db()
    assert job.status == "expired" and not default_storage.exists(stored)
    assert job.message == "预览后 2 天内未确认，已过期，数据库未做任何修改。"
    admin_client.post(reverse("admin:organizations_enterprise_process_import"), {"job": job.pk})
    assert not Enterprise.objects.exists()
    page = admin_client.get(reverse("admin:organizations_enterprise_import_job", args=[job.pk]))
    assert "已过期" in page.content.decode()


def test_an_applied_jobs_preview_rows_are_kept_from_its_last_step(
    admin_client, district, time_machine
):
    time_machine.move_to(UPLOADED, tick=False)
    post_file(admin_client, xlsx_bytes([enterprise_row(1), enterprise_row(2)]))
    job = ImportJob.objects.get()
    # Confirmed five days after the upload: the days count from the import, not the upload.
    time_machine.move_to(UPLOADED + datetime.timedelta(days=5), tick=False)
    admin_client.post(reverse("admin:organizations_enterprise_process_import"), {"job": job.pk})
    job_url = reverse("admin:organizations_enterprise_import_job", args=[job.pk])
    time_machine.move_to(UPLOADED + datetime.timedelta(days=11), tick=False)
    assert cleanup() == "已清理 0 个导入记录的文件和逐行数据（保留 7 天）。"
    assert make_credit_code(2) in admin_client.get(job_url).content.decode()

    time_machine.move_to(UPLOADED + datetime.timedelta(days=12, minutes=1), tick=False)
    assert cleanup() == "已清理 1 个导入记录的文件和逐行数据（保留 7 天）。"
    job.refresh_from_db()
    assert (job.status, job.new_count, job.preview_rows) == ("applied", 2, [])
    page = admin_client.get(job_url).content.decode()
    assert make_credit_code(2) not in page and "已导入：新增 2 条" in page
    assert "于 2026-03-14 删除" in page
    assert Enterprise.objects.count() == 2
