"""Importing the lists admins really have (issue 11): blank cells, codes, limits."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.db import connection as django_connection

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


# --- credit codes: no false "scientific notation", unverified codes as accepted warnings ------


def code_row(code, name="泰达代码测试有限公司"):
    return [code, name] + [""] * 10


def test_a_code_with_an_e_is_a_code_not_excel_scientific_notation(tmp_path, park):
    code = "91231281E686154767"  # a genuine code: its check character 7 is right
    job, plan = run(tmp_path, csv_text([code_row(code)]).encode("utf-8"), "list.csv")
    assert plan.is_valid and not plan.warnings, messages(plan)
    assert Enterprise.objects.get().credit_code == code
    job, plan = run(tmp_path, csv_text([code_row("9.14403E+17")]).encode("utf-8"), "list.csv")
    assert job.status == ImportJob.Status.INVALID
    assert "是 Excel 的科学计数法" in messages(plan)[0]


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("120116000012345", "可能是 2015 年以前的工商注册号"),
        ("91350100M000012004", "按 GB 32100 第18位应为 J），格式像早期试点代码"),
    ],
)
def test_old_registration_numbers_and_pilot_codes_are_warnings_stored_once_accepted(
    tmp_path, park, code, hint
):
    data = csv_text([code_row(code)]).encode("utf-8")
    before = db_snapshot()
    job, plan = run(tmp_path, data, "list.csv")
    assert plan.is_valid
    assert len(job.warnings) == 1 and hint in job.warnings[0]["message"]
    assert job.warnings[0]["row"] == 2
    assert job.status == ImportJob.Status.CANCELLED and db_snapshot() == before
    job, plan = run(tmp_path, data, "list.csv", accept_unverified=True)
    assert job.status == ImportJob.Status.APPLIED and job.new_count == 1
    stored_code = Enterprise.objects.get()
    assert (stored_code.credit_code, stored_code.credit_code_unverified) == (code, True)
    # Re-importing the same list changes nothing.
    job, plan = run(tmp_path, data, "list.csv", accept_unverified=True)
    assert (job.new_count, job.updated_count, job.unchanged_count) == (0, 0, 1)


def test_a_resident_id_number_is_refused_and_kept_nowhere(tmp_path, park, settings):
    resident_id = "120101199003071234"
    rows = [code_row(make_credit_code(1), "泰达甲公司"), code_row(resident_id, "泰达乙公司")]
    before = db_snapshot()
    job, plan = run(tmp_path, xlsx_bytes(rows))
    assert job.status == ImportJob.Status.INVALID and db_snapshot() == before
    assert messages(plan) == [
        "第 3 行，“统一社会信用代码”列：该值的格式像居民身份证号（个人信息），"
        "不是统一社会信用代码：已拒绝，导入记录和错误表中都不保留该值。请填写企业的统一社会信用代码。"
    ]
    job.refresh_from_db()
    record = str([job.errors, job.preview_rows, job.notices, job.warnings, job.message])
    assert resident_id not in record
    with open(settings.MEDIA_ROOT / job.error_file, "rb") as handle:
        sheet = openpyxl.load_workbook(handle)
    values = list(sheet.active.values)
    assert [row[0] for row in values[1:]] == [3]
    assert values[1][2:4] == ("（已隐去：疑似身份证号）", "泰达乙公司")
    assert resident_id not in str(values)


def test_an_over_long_code_gets_one_chinese_message(tmp_path, park):
    job, plan = run(tmp_path, csv_text([code_row("91120116000000001XX")]).encode(), "list.csv")
    assert messages(plan) == [
        "第 2 行，“统一社会信用代码”列：统一社会信用代码应为18位，当前为19位。"
    ]


def test_the_admin_marks_unverified_codes_and_saves_them_only_when_ticked(admin_client, park):
    enterprise = EnterpriseFactory(
        credit_code="120116000012345", name="泰达旧号有限公司", credit_code_unverified=True
    )
    page = admin_client.get("/admin/organizations/enterprise/?credit_code_unverified__exact=1")
    assert "泰达旧号有限公司" in page.content.decode()
    change_url = f"/admin/organizations/enterprise/{enterprise.pk}/change/"
    form = {
        "credit_code": "91350100M000012004",
        "name": "泰达旧号有限公司",
        "version_token": enterprise.version,
        "needs": [],
    }
    response = admin_client.post(change_url, form)
    assert response.status_code == 200
    assert "若营业执照上确是此代码，请勾选“代码未核验”后保存" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.credit_code == "120116000012345"
    response = admin_client.post(change_url, {**form, "credit_code_unverified": "on"})
    assert response.status_code == 302, re.findall(
        r"errorlist[^>]*>(.*?)</ul>", response.content.decode()
    )
    enterprise.refresh_from_db()
    assert (enterprise.credit_code, enterprise.credit_code_unverified) == (
        "91350100M000012004",
        True,
    )
    form["version_token"] = enterprise.version
    response = admin_client.post(
        change_url, {**form, "credit_code": "120101199003071234", "credit_code_unverified": "on"}
    )
    assert "格式像居民身份证号" in response.content.decode()


def test_the_admin_confirms_unverified_codes_only_with_the_box_ticked(admin_client, park):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = csv_text([code_row("120116000012345")]).encode("utf-8")
    response = admin_client.post(
        "/admin/organizations/enterprise/import/",
        {"file": SimpleUploadedFile("list.csv", data)},
    )
    job = ImportJob.objects.get()
    page = admin_client.get(response.url).content.decode()
    assert "未核验的代码" in page and 'name="accept_unverified"' in page
    confirm = "/admin/organizations/enterprise/process_import/"
    response = admin_client.post(confirm, {"job": job.pk}, follow=True)
    assert "有 1 个代码未通过校验" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED and not Enterprise.objects.exists()
    admin_client.post(confirm, {"job": job.pk, "accept_unverified": "1"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED
    assert Enterprise.objects.get().credit_code_unverified is True


# --- bounded cost: rows counted by streaming, row and cell-text limits ------------------------


def rewrite_sheet(data: bytes, change) -> bytes:
    """The same xlsx with its first sheet's XML passed through ``change``."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                content = change(content)
            target.writestr(info, content)
    return out.getvalue()


def sheet_xml(data: bytes) -> bytes:
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(data))
    name = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
    return archive.read(name)


def write_only_xlsx(rows) -> bytes:
    """As openpyxl's write-only mode (and the portal's own export) writes: no <dimension>."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("企业名单")
    sheet.append(HEADERS[:2])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def five_rows():
    return [[make_credit_code(n), f"泰达行数测试{n}有限公司"] for n in range(1, 6)]


def test_a_lying_dimension_drops_no_row(tmp_path, park):
    data = xlsx_bytes(five_rows(), HEADERS[:2])
    lying = rewrite_sheet(
        data, lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:B2"', xml)
    )
    assert b'<dimension ref="A1:B2"' in sheet_xml(lying)
    job, plan = run(tmp_path, lying)
    assert plan.is_valid, messages(plan)
    assert job.new_count == 5 and Enterprise.objects.count() == 5


def test_a_sheet_without_dimension_is_parsed_once_when_opened(monkeypatch):
    """openpyxl would parse such a sheet whole at opening only to find it has no size."""
    from openpyxl.worksheet import _reader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    from organizations.importing.readers import open_table

    original = ReadOnlyWorksheet.__dict__["_get_size"]
    scans = []
    real = _reader.WorkSheetParser.parse_dimensions
    monkeypatch.setattr(
        _reader.WorkSheetParser,
        "parse_dimensions",
        lambda self: scans.append(1) or real(self),
    )
    table = open_table(io.BytesIO(write_only_xlsx(five_rows())), "list.xlsx", None)
    try:
        assert [number for number, _values in table.rows()] == [1, 2, 3, 4, 5, 6]
    finally:
        table.close()
    assert scans == []
    # openpyxl itself is left as it was for anyone else.
    assert ReadOnlyWorksheet.__dict__["_get_size"] is original


def test_a_missing_dimension_is_counted_and_a_large_file_goes_to_the_worker(
    admin_client, park, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = write_only_xlsx(five_rows())
    assert b"<dimension" not in sheet_xml(data)
    settings.IMPORT_BACKGROUND_ROWS = 4
    admin_client.post(
        "/admin/organizations/enterprise/import/",
        {"file": SimpleUploadedFile("list.xlsx", data)},
    )
    job = ImportJob.objects.get()
    assert job.background is True  # the ImmediateBackend ran the queued preview
    assert (job.status, job.new_count) == (ImportJob.Status.PREVIEWED, 5)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_row_limit_stops_the_reading(tmp_path, park, settings, file_format):
    settings.IMPORT_MAX_ROWS = 4
    rows = five_rows()
    if file_format == "csv":
        data, name = csv_text(rows, HEADERS[:2]).encode("utf-8"), "list.csv"
    else:
        data, name = write_only_xlsx(rows), "list.xlsx"
    before = db_snapshot()
    job, plan = run(tmp_path, data, name)
    assert messages(plan) == [
        "表格超过 4 行的上限，已停止读取，未做任何修改。请拆分成多个文件分批导入。"
    ]
    assert job.status == ImportJob.Status.INVALID and db_snapshot() == before
    settings.IMPORT_MAX_ROWS = 5
    job, plan = run(tmp_path, data, name)
    assert plan.is_valid and job.new_count == 5


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_file_far_above_the_row_limit_is_refused_before_parsing(
    tmp_path, park, settings, file_format
):
    settings.IMPORT_MAX_ROWS = 10
    rows = [[make_credit_code(n), "泰达"] for n in range(1, 1100)]
    if file_format == "csv":
        data, name = csv_text(rows, HEADERS[:2]).encode("utf-8"), "list.csv"
    else:
        data, name = write_only_xlsx(rows), "list.xlsx"
    job, plan = run(tmp_path, data, name)
    assert messages(plan) == [
        "表格超过 10 行的上限，已停止读取，未做任何修改。请拆分成多个文件分批导入。"
    ]
    assert not plan.rows


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_cell_text_limit_stops_the_reading(tmp_path, park, settings, file_format):
    settings.IMPORT_MAX_CELL_BYTES = 1024 * 1024
    # Chinese text counts in UTF-8 bytes: 3 bytes a character.
    rows = [[make_credit_code(n), "泰" * 30_000] for n in range(1, 21)]
    if file_format == "csv":
        data, name = csv_text(rows, HEADERS[:2]).encode("utf-8"), "list.csv"
    else:
        data, name = write_only_xlsx(rows), "list.xlsx"
    job, plan = run(tmp_path, data, name)
    assert messages(plan) == [
        "表格内容超过 1 MB 的上限（读到第 13 行时），已停止读取，未做任何修改。请拆分成多个文件分批导入。"
    ]
    assert not Enterprise.objects.exists()


# --- jobs always end: heartbeat, cancel in every state, clean-up ------------------------------


def upload_job(data, name="list.csv", user=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return jobs.import_job_upload(
        kind="enterprise", upload=SimpleUploadedFile(name, data), file_name=name, user=user
    )


@pytest.mark.parametrize("status", ["queued", "previewing", "applying", "previewed"])
def test_cancel_works_in_every_state_that_is_not_final(park, admin_user, settings, status):
    job = upload_job(csv_text([code_row(make_credit_code(1))]).encode(), user=admin_user)
    stored_file = job.stored_file
    ImportJob.objects.filter(pk=job.pk).update(status=status)
    assert jobs.import_job_cancel(job=job, user=admin_user) is True
    job.refresh_from_db()
    assert (job.status, job.message) == ("cancelled", "已取消，数据库未做任何修改。")
    assert job.stored_file == "" and not (settings.MEDIA_ROOT / stored_file).exists()
    # A task that starts afterwards finds it cancelled and does nothing.
    assert jobs.preview_import.call(job.pk) == "cancelled"
    assert jobs.apply_import.call(job.pk) == "cancelled"
    assert not Enterprise.objects.exists()
    # A finished job cannot be cancelled.
    assert jobs.import_job_cancel(job=job, user=admin_user) is False


def test_a_cancel_during_the_apply_rolls_everything_back(park, admin_user, monkeypatch):
    job = upload_job(
        csv_text([code_row(make_credit_code(n)) for n in range(1, 4)]).encode(), user=admin_user
    )
    assert job.status == "previewed"
    real = jobs.Heartbeat.check

    def cancelled_meanwhile(self):
        # What a cancel from another request does while the rows are being written.
        ImportJob.objects.filter(pk=self.job_id).update(status="cancelled")
        real(self)

    monkeypatch.setattr(jobs.Heartbeat, "check", cancelled_meanwhile)
    job = jobs.import_job_confirm(job=job, user=admin_user)
    assert job.status == "cancelled"
    assert not Enterprise.objects.exists() and Enterprise.history.count() == 0


def test_a_silent_job_ends_failed_and_its_upload_is_deleted(park, admin_user, settings):
    from datetime import timedelta

    from django.utils import timezone

    job = upload_job(csv_text([code_row(make_credit_code(1))]).encode(), user=admin_user)
    stored_file = job.stored_file
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(status="applying", heartbeat_at=now)
    settings.IMPORT_HEARTBEAT_SECONDS = 300
    assert jobs.import_jobs_fail_stale(now=now + timedelta(seconds=299)) == 0
    assert jobs.import_jobs_fail_stale(now=now + timedelta(seconds=301)) == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.get_status_display() == "导入失败，未做修改"
    assert job.message == (
        "后台任务中断：超过 5 分钟没有进展（任务进程被终止或数据库连接中断），未做任何修改。请重新上传。"
    )
    assert job.stored_file == "" and not (settings.MEDIA_ROOT / stored_file).exists()
    # A job queued with no worker running ends too.
    queued = upload_job(csv_text([code_row(make_credit_code(2))]).encode(), user=admin_user)
    ImportJob.objects.filter(pk=queued.pk).update(status="queued")
    settings.IMPORT_QUEUED_MINUTES = 60
    assert jobs.import_jobs_fail_stale(now=queued.created_at + timedelta(minutes=61)) == 1
    queued.refresh_from_db()
    assert queued.status == "failed" and "排队超过 60 分钟仍未开始" in queued.message


def test_apply_progress_counts_written_rows(park, admin_user, monkeypatch):
    seen = []
    real = jobs.Heartbeat.beat

    def record(self, **fields):
        seen.append(fields.get("processed_rows"))
        real(self, **fields)

    monkeypatch.setattr(jobs.engine, "WRITE_SLICE", 2)
    monkeypatch.setattr(jobs.Heartbeat, "beat", record)
    job = upload_job(
        csv_text([code_row(make_credit_code(n)) for n in range(1, 6)]).encode(), user=admin_user
    )
    seen.clear()
    job = jobs.import_job_confirm(job=job, user=admin_user)
    assert job.status == "applied" and job.processed_rows == 5
    # Re-planned (5 checked), then written in slices of 2.
    assert seen == [5, 2, 4, 5]


@pytest.mark.skipif(
    django_connection.vendor != "postgresql",
    reason="a second process (the task worker) needs a database server: PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_apply_leaves_nothing_and_the_job_ends_failed(
    park, admin_user, settings, tmp_path
):
    import os
    import signal
    import subprocess
    import sys
    import time
    from datetime import timedelta

    from django.conf import settings as live
    from django.db import connection

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.IMPORT_BACKGROUND_ROWS = 10
    rows = [code_row(make_credit_code(n), f"泰达进程测试{n}有限公司") for n in range(1, 30_001)]
    job = upload_job(csv_text(rows).encode(), user=admin_user)
    assert job.status == "queued"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "federation.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(live.MEDIA_ROOT),
        "REDIS_URL": "",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--no-reload",  # one process: the autoreloader's parent would leave its child running
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:

        def wait_for(condition, timeout=120):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                job.refresh_from_db()
                if condition(job):
                    return
                time.sleep(0.05)
            raise AssertionError(f"job stayed {job.status} ({job.processed_rows} rows)")

        wait_for(lambda j: j.status == "previewed")
        job = jobs.import_job_confirm(job=job, user=admin_user)
        confirmed = job.heartbeat_at
        # Killed once it reports progress from the apply (re-planning or writing).
        wait_for(lambda j: j.status == "applying" and j.heartbeat_at > confirmed)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    # The killed worker's server session ends once PostgreSQL notices (it rolls back first).
    with connection.cursor() as cursor:
        for _attempt in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.05)
    job.refresh_from_db()
    assert job.status == "applying"
    assert not Enterprise.objects.exists()  # PostgreSQL rolled back the open transaction
    last = job.heartbeat_at
    assert jobs.import_jobs_fail_stale(now=last + timedelta(seconds=10)) == 0
    later = last + timedelta(seconds=settings.IMPORT_HEARTBEAT_SECONDS + 1)
    assert jobs.import_jobs_fail_stale(now=later) == 1
    job.refresh_from_db()
    assert job.status == "failed" and "后台任务中断" in job.message
    assert not Enterprise.objects.exists() and job.stored_file == ""


# --- the mapping step: synonyms, contents, header row, remembered choices ---------------------


def test_tax_list_headers_are_recognised_by_their_synonyms(tmp_path, park):
    headers = ["纳税人识别号", "纳税人名称", "注册地址", "所属行业"]
    rows = [[make_credit_code(1), "泰达税务测试有限公司", "第一大街1号", "制造业"]]
    job, plan = run(tmp_path, csv_text(rows, headers).encode("gbk"), "tax.csv")
    assert plan.is_valid, messages(plan)
    created = Enterprise.objects.get()
    assert (created.credit_code, created.name, created.address, created.industry) == (
        make_credit_code(1),
        "泰达税务测试有限公司",
        "第一大街1号",
        "制造业",
    )
    assert job.mapping["columns"] == [
        ["纳税人识别号", "credit_code"],
        ["纳税人名称", "name"],
        ["注册地址", "address"],
        ["所属行业", "industry"],
    ]


def test_the_code_column_is_found_by_its_contents_under_a_wrong_header(tmp_path, park):
    headers = ["序号", "代码匹配", "企业名称", "备注"]
    rows = [[n, make_credit_code(n), f"泰达内容测试{n}有限公司", "无"] for n in range(1, 6)]
    job, plan = run(tmp_path, csv_text(rows, headers).encode(), "list.csv")
    assert plan.is_valid, messages(plan)
    assert (
        "“代码匹配”列的内容是统一社会信用代码：按该列导入（可在“列的对应”中修改）。" in plan.notices
    )
    assert job.new_count == 5 and plan.ignored == ["序号", "备注"]


def test_unknown_headers_name_what_was_seen(tmp_path, park):
    headers = ["编号", "单位", "位置"]
    job, plan = run(tmp_path, csv_text([["1", "泰达", "一街"]], headers).encode(), "list.csv")
    assert messages(plan) == [
        "找不到表头：前 20 行中没有认得的列名（如“统一社会信用代码”）。"
        "请在“列的对应”中指定表头所在的行，或下载导入模板对照填写。"
    ]
    job, plan = run(
        tmp_path,
        csv_text([["1", "泰达", "一街"]], ["统一社会信用代码", "单位", "位置"]).encode(),
        "list.csv",
    )
    assert messages(plan) == [
        "缺少必填列：企业名称。第 1 行的列名是：统一社会信用代码、单位、位置。"
        "请在“列的对应”中选择对应的列，或下载导入模板对照填写。"
    ]


def test_command_line_map_and_header_row(tmp_path, park, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    lines = [
        "泰达经开区企业名单（2024年）,,",
        "填表说明：本表由各园区汇总,,",
        "编号,单位,位置",
        f"{make_credit_code(1)},泰达映射测试一有限公司,一街1号",
        f"{make_credit_code(2)},泰达映射测试二有限公司,一街2号",
    ]
    path = tmp_path / "list.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_enterprises", str(path))
    assert not Enterprise.objects.exists()
    call_command(
        "import_enterprises",
        str(path),
        "--header-row",
        "3",
        "--map",
        "编号=统一社会信用代码",
        "--map",
        "单位=name",
        "--map",
        "位置=地址",
    )
    assert sorted(Enterprise.objects.values_list("name", "address")) == [
        ("泰达映射测试一有限公司", "一街1号"),
        ("泰达映射测试二有限公司", "一街2号"),
    ]
    with pytest.raises(CommandError, match="没有“邮编”这个字段"):
        call_command("import_enterprises", str(path), "--map", "位置=邮编")


def test_the_admin_chooses_columns_and_the_choice_is_remembered(admin_client, park):
    from django.core.files.uploadedfile import SimpleUploadedFile

    headers = ["统一社会信用代码", "单位", "位置"]

    def upload(n):
        data = csv_text([[make_credit_code(n), f"泰达记住测试{n}有限公司", "二街"]], headers)
        admin_client.post(
            "/admin/organizations/enterprise/import/",
            {"file": SimpleUploadedFile("list.csv", data.encode())},
        )
        return ImportJob.objects.order_by("-pk").first()

    job = upload(1)
    assert job.status == "invalid"
    page = admin_client.get(f"/admin/organizations/enterprise/import/{job.pk}/").content.decode()
    assert 'name="col_1"' in page and "（忽略此列）" in page
    admin_client.post(
        f"/admin/organizations/enterprise/import/{job.pk}/mapping/",
        {"header_row": "1", "col_0": "credit_code", "col_1": "name", "col_2": "address"},
    )
    job.refresh_from_db()
    assert job.status == "previewed" and job.new_count == 1
    assert job.mapping["chosen"] is True
    second = upload(2)
    assert second.status == "previewed", second.errors
    assert "已按上次为同样表头选择的列对应读取。" in second.notices
    admin_client.post("/admin/organizations/enterprise/process_import/", {"job": second.pk})
    assert Enterprise.objects.get().address == "二街"


# --- 仅导入无误的行, the error sheet that re-imports, repeated codes -----------------------------


def full_row(n, **overrides):
    from tests.organizations.import_helpers import enterprise_row

    return enterprise_row(n, **overrides)


def test_skip_invalid_applies_the_valid_rows_and_the_error_sheet_reimports_once_fixed(
    tmp_path, park, settings
):
    rows = [
        full_row(1),
        full_row(2, employees=5, female=6),
        full_row(3),
        full_row(4, code="无"),
        full_row(5),
    ]
    job, plan = run(tmp_path, xlsx_bytes(rows), skip_invalid=True)
    assert job.status == ImportJob.Status.APPLIED
    assert (job.new_count, job.skipped_count, job.invalid_count) == (3, 2, 0)
    assert job.message == (
        "已导入：新增 3 条，更新 0 条，未变化 0 条。跳过 2 行（见错误表，改正后可重新上传）。"
    )
    assert sorted(Enterprise.objects.values_list("credit_code", flat=True)) == sorted(
        make_credit_code(n) for n in (1, 3, 5)
    )
    with open(settings.MEDIA_ROOT / job.error_file, "rb") as handle:
        sheet = openpyxl.load_workbook(handle)
    values = [list(row) for row in sheet.active.values]
    assert values[0][:3] == ["原行号", "错误原因", "统一社会信用代码"]
    assert [row[0] for row in values[1:]] == [3, 5]
    assert "女职工人数（6）不能大于职工人数（5）" in values[1][1]
    assert values[2][2] == "无"
    # Fixed in the sheet itself (reason columns left in place), then uploaded again.
    fixed = openpyxl.Workbook()
    fixed.active.append(values[0])
    fixed.active.append(values[1][:8] + [6, 5] + values[1][10:])
    fixed.active.append(values[2][:2] + [make_credit_code(4)] + values[2][3:])
    buffer = io.BytesIO()
    fixed.save(buffer)
    job, plan = run(tmp_path, buffer.getvalue())
    assert plan.is_valid, messages(plan)
    assert (job.new_count, job.skipped_count) == (2, 0)
    assert plan.ignored == []
    assert Enterprise.objects.count() == 5
    assert Enterprise.objects.get(credit_code=make_credit_code(2)).female_employees == 5


@pytest.mark.parametrize(
    ("keep", "name", "skipped_row"), [("first", "第一次", 4), ("last", "第二次", 3)]
)
def test_a_repeated_code_keeps_the_first_or_the_last_row(tmp_path, park, keep, name, skipped_row):
    rows = [full_row(1), full_row(3, name="第一次"), full_row(3, name="第二次")]
    job, plan = run(tmp_path, xlsx_bytes(rows), duplicates=keep)
    assert job.status == ImportJob.Status.APPLIED, messages(plan)
    assert (job.new_count, job.skipped_count) == (2, 1)
    assert Enterprise.objects.get(credit_code=make_credit_code(3)).name == name
    kept = 7 - skipped_row
    assert messages(plan) == [
        f"第 {skipped_row} 行，“统一社会信用代码”列：“{make_credit_code(3)}”在文件中重复出现："
        f"按选择只导入第 {kept} 行，此行未导入。"
    ]


def test_a_refused_repeated_code_still_reports_the_rows_other_errors(tmp_path, park):
    rows = [full_row(3, name="第一次"), full_row(3, name="第二次", employees=5, female=6)]
    before = db_snapshot()
    job, plan = run(tmp_path, xlsx_bytes(rows))
    assert job.status == ImportJob.Status.INVALID and db_snapshot() == before
    assert messages(plan) == [
        f"第 2 行，“统一社会信用代码”列：“{make_credit_code(3)}”在文件中重复出现（第 2、3 行）：每条记录只能出现一次。",
        "第 3 行，“女职工人数”列：女职工人数（6）不能大于职工人数（5）。",
        f"第 3 行，“统一社会信用代码”列：“{make_credit_code(3)}”在文件中重复出现（第 2、3 行）：每条记录只能出现一次。",
    ]


def test_the_admin_imports_only_the_valid_rows_when_asked(admin_client, park):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = [full_row(1), full_row(2, employees=5, female=6)]
    admin_client.post(
        "/admin/organizations/enterprise/import/",
        {"file": SimpleUploadedFile("list.xlsx", xlsx_bytes(rows)), "skip_invalid": "on"},
    )
    job = ImportJob.objects.get()
    assert job.status == "previewed" and job.skip_invalid and job.skipped_count == 1
    page = admin_client.get(f"/admin/organizations/enterprise/import/{job.pk}/").content.decode()
    assert "有 1 行不会导入" in page and 'id="download-errors"' in page
    admin_client.post("/admin/organizations/enterprise/process_import/", {"job": job.pk})
    job.refresh_from_db()
    assert job.status == "applied"
    assert list(Enterprise.objects.values_list("credit_code", flat=True)) == [make_credit_code(1)]


# --- export commands and the round trip --------------------------------------------------------


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_command_export_reimports_as_all_unchanged_with_letter_and_pilot_codes(
    tmp_path, park, file_format, capsys
):
    from django.core.management import call_command

    stored(park, credit_code="91231281E686154767", name="泰达字母代码有限公司")
    stored(
        park,
        credit_code="91350100M000012004",
        name="泰达试点代码有限公司",
        credit_code_unverified=True,
    )
    stored(
        park,
        credit_code="120116000012345",
        name="泰达旧注册号有限公司",
        credit_code_unverified=True,
    )
    stored(park, credit_code=make_credit_code(9), name="泰达数字代码有限公司", address="")
    path = tmp_path / f"export.{file_format}"
    call_command("export_enterprises", str(path), "--with-contacts")
    assert "已导出 4 条" in capsys.readouterr().out
    before = db_snapshot()
    job, plan = jobs.import_file(kind="enterprise", path=str(path))
    assert plan.is_valid and not plan.warnings, messages(plan)
    assert (job.new_count, job.updated_count, job.unchanged_count) == (0, 0, 4)
    assert job.status == ImportJob.Status.APPLIED
    assert db_snapshot() == before


def test_command_export_without_contacts_and_for_federations_and_sites(tmp_path, park):
    from django.core.management import call_command

    from tests.factories import ServiceSiteFactory

    stored(park)
    ServiceSiteFactory(federation=park)
    call_command("export_enterprises", str(tmp_path / "e.xlsx"))
    headers = next(openpyxl.load_workbook(tmp_path / "e.xlsx").active.values)
    assert "联系电话" not in headers and headers[0] == "统一社会信用代码"
    for command, kind in (("federations", "federation"), ("sites", "site")):
        path = tmp_path / f"{command}.csv"
        call_command(f"export_{command}", str(path))
        job, plan = jobs.import_file(kind=kind, path=str(path))
        assert plan.is_valid, messages(plan)
        assert job.new_count == 0 and job.updated_count == 0
