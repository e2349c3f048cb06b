"""The import engine on the spreadsheets people really have; refused files change nothing."""

from __future__ import annotations

import datetime
import io
import signal
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.models import DBTaskResult

from organizations.importing import jobs
from organizations.models import Enterprise, Federation, ImportJob, ServiceSite
from tests.factories import EnterpriseFactory, FederationFactory, make_credit_code
from tests.organizations.import_helpers import (
    HEADERS,
    csv_text,
    db_snapshot,
    enterprise_row,
    importer_without_contacts,
    staff_of,
    xls_bytes,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def federations(district):
    return (
        FederationFactory(name="泰达中小企业园妇联", parent=district),
        FederationFactory(name="网约车司机妇联", parent=district),
    )


def run(
    tmp_path,
    data: bytes,
    name="list.xlsx",
    *,
    kind="enterprise",
    user=None,
    sheet="",
    dry_run=False,
):
    path = tmp_path / name
    path.write_bytes(data)
    return jobs.import_file(kind=kind, path=str(path), user=user, sheet_name=sheet, dry_run=dry_run)


def messages(plan) -> list[str]:
    return [str(error) for error in plan.errors]


def assert_refused(tmp_path, data, name="list.xlsx", *, expect: str, **kwargs):
    before = db_snapshot()
    job, plan = run(tmp_path, data, name, **kwargs)
    assert not plan.is_valid
    assert any(expect in message for message in messages(plan)), messages(plan)
    assert job.status == ImportJob.Status.INVALID
    assert db_snapshot() == before
    return job, plan


# --- a good file, its re-import and updates -----------------------------------------------------


def test_valid_xlsx_creates_every_row_with_normalised_values_history_and_last_import(
    tmp_path, federations
):
    park = federations[0]
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in make_credit_code(2).lower())
    rows = [
        enterprise_row(
            1,
            employees="1,200",
            female=" 520 ",
            party="是",
            federation=park.name,
            phone=13812345678,
        ),
        enterprise_row(
            2, code=f" {fullwidth} ", sector="", employees=12.0, female=None, contact=""
        ),
    ]
    job, plan = run(tmp_path, xlsx_bytes(rows))
    assert plan.is_valid, messages(plan)
    assert (job.status, job.new_count, job.updated_count, job.unchanged_count) == (
        "applied",
        2,
        0,
        0,
    )
    first = Enterprise.objects.get(credit_code=make_credit_code(1))
    assert (first.employees, first.female_employees, first.has_party_org) == (1200, 520, True)
    assert first.federation == park
    assert first.contact_phone == "13812345678"
    assert first.sector == Enterprise.Sector.NEW_ECONOMIC
    assert first.last_import == job
    second = Enterprise.objects.get(credit_code=make_credit_code(2))
    assert (second.employees, second.female_employees, second.sector) == (12, None, "")
    assert first.history.count() == 1
    assert first.history.first().history_change_reason == f"表格导入 #{job.pk}"


def test_second_import_of_the_same_file_changes_nothing(tmp_path, federations):
    data = xlsx_bytes([enterprise_row(n, federation=federations[0].name) for n in range(1, 6)])
    run(tmp_path, data)
    before = db_snapshot()
    job, plan = run(tmp_path, data)
    assert (job.new_count, job.updated_count, job.unchanged_count) == (0, 0, 5)
    assert db_snapshot() == before


def test_existing_code_updates_only_changed_rows_and_keeps_columns_the_file_lacks(
    tmp_path, federations
):
    existing = EnterpriseFactory(
        credit_code=make_credit_code(7),
        name="旧名称",
        contact_name="李女士",
        contact_phone="022-1",
        employees=100,
        female_employees=40,
    )
    other = EnterpriseFactory(
        credit_code=make_credit_code(8), name="不变公司", employees=100, female_employees=40
    )
    headers = ["统一社会信用代码", "企业名称", "职工人数", "女职工人数"]
    data = xlsx_bytes(
        [[existing.credit_code, "新名称", 100, 40], [other.credit_code, "不变公司", 100, 40]],
        headers,
    )
    job, plan = run(tmp_path, data)
    assert (job.new_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    existing.refresh_from_db()
    assert existing.name == "新名称"
    assert (existing.contact_name, existing.contact_phone) == ("李女士", "022-1")
    assert existing.version == 2
    assert existing.last_import == job
    assert existing.history.first().name == "新名称"
    other.refresh_from_db()
    assert other.last_import is None and other.version == 1
    assert "企业名称：旧名称 → 新名称" in job.preview_rows[0][4]


def test_dates_compare_as_dates_so_unchanged_sites_stay_unchanged(tmp_path, federations):
    headers = ["名称", "类型", "主办妇联", "地址", "建立日期"]
    rows = [
        [
            "泰达妇女之家",
            "妇女之家",
            federations[0].name,
            "第三大街1号",
            datetime.datetime(2024, 3, 8),
        ]
    ]
    job, _plan = run(tmp_path, xlsx_bytes(rows, headers), kind="site")
    assert job.new_count == 1
    assert ServiceSite.objects.get().established_on == datetime.date(2024, 3, 8)
    job, _plan = run(tmp_path, xlsx_bytes(rows, headers), kind="site")
    assert (job.new_count, job.updated_count, job.unchanged_count) == (0, 0, 1)


def test_import_keeps_the_pinyin_search_keys_in_step(tmp_path, federations):
    headers = ["名称", "类型", "主办妇联", "地址", "服务内容"]
    row = ["泰达妇女之家", "妇女之家", federations[0].name, "第三大街1号", "暑期托管"]
    run(tmp_path, xlsx_bytes([row], headers), kind="site")
    assert ServiceSite.objects.get().search_pinyin == "taidafunvzhijia tdfnzj shuqituoguan sqtg"
    row[4] = "亲子阅读"
    job, _plan = run(tmp_path, xlsx_bytes([row], headers), kind="site")
    assert job.updated_count == 1
    assert ServiceSite.objects.get().search_pinyin == "taidafunvzhijia tdfnzj qinziyuedu qzyd"


# --- rows that are refused -----------------------------------------------------------------------


def test_wrong_check_character_deep_in_a_file_is_written_only_once_accepted(tmp_path, federations):
    rows = [enterprise_row(n) for n in range(1, 301)]
    bad = make_credit_code(250)
    rows[249][0] = bad[:17] + ("0" if bad[17] != "0" else "1")
    job, plan = run(tmp_path, xlsx_bytes(rows))
    assert plan.is_valid
    assert [str(w) for w in plan.warnings] == [
        f"第 251 行，“统一社会信用代码”列：校验位不符：按 GB 32100 第18位应为 {bad[17]}，"
        f"实际为 {rows[249][0][17]}；可能是录入错误，也可能是早期颁发的代码，请与营业执照核对。"
    ]
    assert job.status == ImportJob.Status.CANCELLED
    assert "有 1 个代码未通过校验" in job.message
    assert Enterprise.objects.count() == 0


def test_duplicate_code_in_one_file_is_an_error_on_both_rows(tmp_path, federations):
    EnterpriseFactory(credit_code=make_credit_code(3), name="原名")
    rows = [enterprise_row(1), enterprise_row(3, name="第一次"), enterprise_row(3, name="第二次")]
    _job, plan = assert_refused(tmp_path, xlsx_bytes(rows), expect="重复出现（第 3、4 行）")
    assert [e.row for e in plan.errors] == [3, 4]
    assert Enterprise.objects.get(credit_code=make_credit_code(3)).name == "原名"


def test_code_that_excel_turned_into_a_number_says_its_digits_are_lost(tmp_path, federations):
    assert_refused(
        tmp_path, xlsx_bytes([enterprise_row(1, code=9.14403001922038e17)]), expect="无法恢复"
    )
    assert_refused(
        tmp_path,
        csv_text([enterprise_row(1, code="9.14403001922038E+17")]).encode(),
        "list.csv",
        expect="科学计数法",
    )


def test_missing_required_column_is_refused(tmp_path, federations):
    headers = [h for h in HEADERS if h != "企业名称"]
    rows = [[v for h, v in zip(HEADERS, enterprise_row(1)) if h != "企业名称"]]
    assert_refused(tmp_path, xlsx_bytes(rows, headers), expect="缺少必填列：企业名称")


def test_female_employees_above_employees_is_refused(tmp_path, federations):
    assert_refused(
        tmp_path,
        xlsx_bytes([enterprise_row(1, employees=10, female=11)]),
        expect="“女职工人数”列：女职工人数（11）不能大于职工人数（10）",
    )


def test_unknown_federation_is_refused(tmp_path, federations):
    assert_refused(
        tmp_path,
        xlsx_bytes([enterprise_row(1, federation="不存在的妇联")]),
        expect="妇联“不存在的妇联”不存在",
    )


def test_fractional_number_in_an_integer_column_is_refused_not_truncated(tmp_path, federations):
    assert_refused(
        tmp_path, xlsx_bytes([enterprise_row(1, employees=120.5)]), expect="应为整数，不能是 120.5"
    )


def test_formula_without_cached_value_is_reported_not_emptied(tmp_path, federations):
    assert_refused(
        tmp_path, xlsx_bytes([enterprise_row(1, employees="=SUM(1,2)")]), expect="公式没有计算结果"
    )


def test_another_federations_enterprise_is_an_error_never_a_silent_move(tmp_path, federations):
    park, drivers = federations
    theirs = EnterpriseFactory(credit_code=make_credit_code(5), name="别家企业", federation=drivers)
    staff = staff_of(park)
    rows = [
        enterprise_row(1, federation=park.name),
        enterprise_row(5, name="改名", federation=park.name),
    ]
    assert_refused(tmp_path, xlsx_bytes(rows), user=staff, expect="不在您的管理范围内")
    theirs.refresh_from_db()
    assert (theirs.name, theirs.federation) == ("别家企业", drivers)
    # Naming another federation as the covering one is refused as well.
    assert_refused(
        tmp_path,
        xlsx_bytes([enterprise_row(2, federation=drivers.name)]),
        user=staff,
        expect="须填写本妇联",
    )
    # Their own list imports.
    job, plan = run(tmp_path, xlsx_bytes([enterprise_row(1, federation=park.name)]), user=staff)
    assert (
        job.status == "applied"
        and Enterprise.objects.get(credit_code=make_credit_code(1)).federation == park
    )


def test_staff_cannot_change_their_federations_place_in_the_network_by_import(
    tmp_path, federations
):
    """The same rule as the admin and the staff profile page: level, kind, parent and the active
    flag are the district's to change."""
    park, _drivers = federations
    headers = ["名称", "层级", "组建形式", "上级组织", "地址"]
    staff = staff_of(park)
    moved = [[park.name, "基层妇联", "网上妇联", park.parent.name, ""]]
    assert_refused(
        tmp_path,
        xlsx_bytes(moved, headers),
        kind="federation",
        user=staff,
        expect="“组建形式”只能由区妇联修改。",
    )
    park.refresh_from_db()
    assert park.kind == "single"
    # Other columns of their own federation import.
    job, plan = run(
        tmp_path,
        xlsx_bytes([[park.name, "基层妇联", "单建妇联", park.parent.name, "第三大街8号"]], headers),
        kind="federation",
        user=staff,
    )
    assert job.status == "applied", messages(plan)
    park.refresh_from_db()
    assert (park.kind, park.address) == ("single", "第三大街8号")


# --- files as they come ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_encodings_are_detected_without_asking(tmp_path, federations, encoding):
    name = "𠀀泰达科技有限公司" if encoding != "gbk" else "泰达科技（天津）有限公司"
    data = csv_text([enterprise_row(1, name=name, federation=federations[0].name)]).encode(encoding)
    job, plan = run(tmp_path, data, "list.csv")
    assert plan.is_valid, messages(plan)
    enterprise = Enterprise.objects.get()
    assert enterprise.name == name
    assert enterprise.federation == federations[0]


def test_xls_file_fixes_phone_floats_and_reads_dates(tmp_path, federations):
    headers = ["名称", "类型", "主办妇联", "地址", "对外服务电话", "建立日期"]
    rows = [
        [
            "泰达儿童之家",
            "儿童之家",
            federations[0].name,
            "第五大街2号",
            2265432100.0,
            datetime.date(2023, 6, 1),
        ]
    ]
    job, plan = run(tmp_path, xls_bytes(rows, headers), "sites.xls", kind="site")
    assert plan.is_valid, messages(plan)
    site = ServiceSite.objects.get()
    assert site.public_phone == "2265432100"
    assert site.established_on == datetime.date(2023, 6, 1)
    data = xls_bytes([enterprise_row(1, phone=13812345678.0, employees=50.0, female=20.0)])
    job, plan = run(tmp_path, data, "list.xls")
    assert plan.is_valid, messages(plan)
    enterprise = Enterprise.objects.get()
    assert (enterprise.contact_phone, enterprise.employees) == ("13812345678", 50)


def test_named_sheet_is_read_and_a_missing_sheet_is_reported(tmp_path, federations):
    data = xlsx_bytes(
        [["说明"]],
        headers=None,
        title="说明",
        extra_sheets={"二季度": [HEADERS, enterprise_row(9)]},
    )
    job, plan = run(tmp_path, data, sheet="二季度")
    assert plan.is_valid, messages(plan)
    assert Enterprise.objects.get().credit_code == make_credit_code(9)
    assert_refused(tmp_path, data, sheet="三季度", expect="找不到工作表“三季度”")


def test_title_rows_above_the_header_and_english_aliases_and_unknown_columns(tmp_path, federations):
    headers = ["Credit Code", "Name", "Employees", "备注（内部）"]
    data = xlsx_bytes(
        [[make_credit_code(4), "Alias Co", 10, "x"]], headers, before=[["2024年企业名单"], []]
    )
    job, plan = run(tmp_path, data)
    assert plan.is_valid, messages(plan)
    assert job.ignored_columns == ["备注（内部）"]
    assert Enterprise.objects.get().name == "Alias Co"


def test_merged_cells_take_the_top_left_value_and_are_reported(tmp_path, federations):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for n in (1, 2, 3):
        sheet.append(enterprise_row(n, building="泰达MSD" if n == 1 else None))
    sheet.merge_cells("F2:F4")
    buffer = io.BytesIO()
    workbook.save(buffer)
    job, plan = run(tmp_path, buffer.getvalue())
    assert plan.is_valid, messages(plan)
    assert set(Enterprise.objects.values_list("building", flat=True)) == {"泰达MSD"}
    assert any("F2:F4" in notice for notice in job.notices)


def test_zip_bomb_is_rejected_before_parsing(tmp_path, federations):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (12 * 1024 * 1024))
    assert len(buffer.getvalue()) < 200_000
    assert_refused(tmp_path, buffer.getvalue(), expect="压缩炸弹")


@pytest.mark.parametrize(
    ("name", "data", "expect"),
    [
        ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "不是有效的 Excel 文件"),
        ("list.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "不是表格文件"),
        ("doc.xlsx", None, "不是 Excel"),
        ("empty.csv", b"", "文件是空的"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(tmp_path, federations, name, data, expect):
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        data = buffer.getvalue()
    assert_refused(tmp_path, data, name, expect=expect)


def test_personal_columns_are_ignored_for_users_without_view_contact(tmp_path, federations):
    existing = EnterpriseFactory(
        credit_code=make_credit_code(1), contact_name="李女士", contact_phone="022-1"
    )
    user = importer_without_contacts()
    job, plan = run(
        tmp_path,
        xlsx_bytes([enterprise_row(1, name=existing.name, contact="张", phone="1")]),
        user=user,
    )
    assert plan.is_valid, messages(plan)
    assert any("联系人" in column for column in job.ignored_columns)
    existing.refresh_from_db()
    assert (existing.contact_name, existing.contact_phone) == ("李女士", "022-1")


def test_federations_list_creates_parents_before_their_groups(tmp_path, district):
    headers = ["名称", "层级", "组建形式", "上级组织", "地址"]
    rows = [
        ["泰达妇女小组一", "妇女小组", "", "泰达新园区妇联", ""],
        ["泰达新园区妇联", "基层妇联", "园区/产业基地妇联", district.name, "第九大街1号"],
    ]
    job, plan = run(tmp_path, xlsx_bytes(rows, headers), kind="federation")
    assert plan.is_valid, messages(plan)
    group = Federation.objects.get(name="泰达妇女小组一")
    assert group.parent.name == "泰达新园区妇联" and group.parent.parent == district


# --- preview, confirm, storage ----------------------------------------------------------------------


def upload(data, name="list.xlsx", user=None, **kwargs):
    return jobs.import_job_upload(
        kind="enterprise",
        upload=SimpleUploadedFile(name, data),
        file_name=name,
        user=user,
        **kwargs,
    )


def test_confirm_applies_what_was_previewed_and_refuses_if_data_moved(federations, admin_user):
    existing = EnterpriseFactory(credit_code=make_credit_code(1), name="原名")
    job = upload(xlsx_bytes([enterprise_row(1, name="新名"), enterprise_row(2)]), user=admin_user)
    assert job.status == "previewed" and default_storage.exists(job.stored_file)
    assert db_snapshot()["enterprises"][0]["name"] == "原名"  # the dry run wrote nothing
    Enterprise.objects.filter(pk=existing.pk).update(name="别人刚改的名字")
    before = db_snapshot()
    job = jobs.import_job_confirm(job=job, user=admin_user)
    assert job.status == "failed" and "重新" in job.message
    assert db_snapshot() == before


def test_confirm_writes_and_cleans_up_the_stored_file(federations, admin_user):
    job = upload(xlsx_bytes([enterprise_row(1), enterprise_row(2)]), user=admin_user)
    stored = job.stored_file
    job = jobs.import_job_confirm(job=job, user=admin_user)
    assert job.status == "applied" and Enterprise.objects.count() == 2
    assert not default_storage.exists(stored)


def test_tampered_stored_file_is_refused(federations, admin_user):
    job = upload(xlsx_bytes([enterprise_row(1)]), user=admin_user)
    with default_storage.open(job.stored_file, "wb") as handle:
        handle.write(xlsx_bytes([enterprise_row(1), enterprise_row(2)]))
    job = jobs.import_job_confirm(job=job, user=admin_user)
    assert job.status == "failed" and "校验和" in job.message
    assert Enterprise.objects.count() == 0


def test_cancel_and_stale_cleanup_delete_stored_uploads(federations, admin_user, settings):
    job = upload(xlsx_bytes([enterprise_row(1)]), user=admin_user)
    stored = job.stored_file
    jobs.import_job_cancel(job=job, user=admin_user)
    assert not default_storage.exists(stored) and job.status == "cancelled"
    left = upload(xlsx_bytes([enterprise_row(2)]), user=admin_user)
    left_stored = left.stored_file
    assert default_storage.exists(left_stored)
    count = jobs.import_jobs_cleanup_stale(
        now=left.created_at + datetime.timedelta(days=settings.IMPORT_KEEP_DAYS, minutes=1)
    )
    left.refresh_from_db()
    # Both: the cancelled job keeps no per-row data either.
    assert count == 2 and left.status == "expired" and not default_storage.exists(left_stored)


def test_upload_size_limit(federations, admin_user, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(jobs.UploadRejected, match="文件太大"):
        upload(b"x" * 1001, "big.csv", user=admin_user)
    assert not ImportJob.objects.exists()


def test_large_files_run_as_background_tasks(federations, admin_user, settings):
    settings.IMPORT_BACKGROUND_ROWS = 3
    job = upload(xlsx_bytes([enterprise_row(n) for n in range(1, 6)]), user=admin_user)
    # Queued; the ImmediateBackend runs the task now.
    assert job.background and job.status == "previewed" and job.new_count == 5
    job = jobs.import_job_confirm(job=job, user=admin_user)
    job.refresh_from_db()
    assert job.status == "applied" and Enterprise.objects.count() == 5


def run_worker() -> None:
    """What ``manage.py db_worker`` does, until the queue is empty (its signal handlers undone)."""
    handlers = {
        number: signal.getsignal(number)
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


# The worker closes the connection between tasks (as a request does): it needs committed data.
@pytest.mark.django_db(transaction=True)
def test_tasks_queued_under_their_old_path_still_run(federations, admin_user, settings):
    """The database queue stores a task by its dotted path; tasks queued before the import jobs
    moved into organizations.importing say organizations.tasks.*, and the worker must find them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.IMPORT_BACKGROUND_ROWS = 1
    job = upload(xlsx_bytes([enterprise_row(1), enterprise_row(2)]), user=admin_user)
    assert job.status == "queued"
    DBTaskResult.objects.update(task_path="organizations.tasks.preview_import")
    run_worker()
    job.refresh_from_db()
    assert job.status == "previewed" and job.new_count == 2
    job = jobs.import_job_confirm(job=job, user=admin_user)
    assert job.status == "applying" and Enterprise.objects.count() == 0
    DBTaskResult.objects.filter(status="READY").update(task_path="organizations.tasks.apply_import")
    run_worker()
    job.refresh_from_db()
    assert job.status == "applied" and Enterprise.objects.count() == 2
    assert list(
        DBTaskResult.objects.order_by("enqueued_at").values_list("task_path", "status")
    ) == [
        ("organizations.tasks.preview_import", "SUCCESSFUL"),
        ("organizations.tasks.apply_import", "SUCCESSFUL"),
    ]


# --- the management commands -------------------------------------------------------------------------


def test_command_applies_and_prints_counts(tmp_path, federations, capsys):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes([enterprise_row(1), enterprise_row(2)]))
    call_command("import_enterprises", str(path), "--dry-run")
    assert Enterprise.objects.count() == 0
    assert "新增 2" in capsys.readouterr().out
    call_command("import_enterprises", str(path))
    assert Enterprise.objects.count() == 2
    # The record of the applied import lists each row with its name, as the admin's preview.
    job = ImportJob.objects.filter(status="applied").get()
    assert [row[:4] for row in job.preview_rows] == [
        [2, "new", make_credit_code(1), "泰达导入测试1有限公司"],
        [3, "new", make_credit_code(2), "泰达导入测试2有限公司"],
    ]


def test_command_lists_every_row_error_and_exits_non_zero(tmp_path, federations, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes(
        csv_text(
            [enterprise_row(1, employees=5, female=9), enterprise_row(2, federation="无此妇联")]
        ).encode("gbk")
    )
    before = db_snapshot()
    with pytest.raises(CommandError, match="2 个错误"):
        call_command("import_enterprises", str(path))
    err = capsys.readouterr().err
    assert "第 2 行，“女职工人数”列" in err and "第 3 行，“覆盖妇联”列" in err
    assert db_snapshot() == before


def test_sites_and_federations_commands(tmp_path, district):
    path = tmp_path / "federations.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [["泰达云妇联", "基层妇联", "网上妇联", district.name, "微信群"]],
            ["名称", "层级", "组建形式", "上级组织", "线上渠道"],
            title="组织",
        )
    )
    call_command("import_federations", str(path), "--sheet", "组织")
    path = tmp_path / "sites.csv"
    path.write_text(
        csv_text(
            [["泰达温馨驿站", "温馨驿站", "泰达云妇联", "", "是"]],
            ["名称", "类型", "主办妇联", "地址", "流动/移动阵地"],
        ),
        encoding="utf-8-sig",
    )
    call_command("import_sites", str(path))
    site = ServiceSite.objects.get()
    assert site.is_mobile and site.federation.name == "泰达云妇联"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_with_semicolons_or_tabs_and_commas_inside_fields(tmp_path, federations, delimiter):
    row = enterprise_row(1, address="天津经开区第三大街1号，A座", employees="1,200", female=10)
    text = delimiter.join(HEADERS) + "\n" + delimiter.join(str(v) for v in row) + "\n"
    job, plan = run(tmp_path, text.encode("gb18030"), "list.csv")
    assert plan.is_valid, messages(plan)
    enterprise = Enterprise.objects.get()
    assert (enterprise.address, enterprise.employees) == ("天津经开区第三大街1号，A座", 1200)


def test_an_applied_import_refreshes_the_cached_public_pages(
    tmp_path, federations, client, django_capture_on_commit_callbacks
):
    park = federations[0]
    url = park.get_absolute_url()
    assert "<dd>0 家</dd>" in client.get(url).content.decode()  # now cached
    data = xlsx_bytes([enterprise_row(n, federation=park.name) for n in range(1, 4)])
    with django_capture_on_commit_callbacks(execute=True):
        run(tmp_path, data)
    assert "<dd>3 家</dd>" in client.get(url).content.decode()


def test_stored_uploads_and_error_sheets_cannot_be_guessed_from_the_job_id(federations, admin_user):
    """They sit in the media storage (shared between app servers), which nginx or a bucket
    serves without a check: a path from the job id alone would hand out contacts' phones."""
    bad = enterprise_row(1)
    bad[0] = "不是信用代码"
    job = upload(xlsx_bytes([bad]), user=admin_user)
    job.refresh_from_db()
    assert job.stored_file and job.error_file
    for path in (job.stored_file, job.error_file):
        assert not path.startswith(f"imports/{job.pk}/")
        folder = path.split("/")[1]
        assert len(folder) >= 32
