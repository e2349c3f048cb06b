"""Writes of the organizations app: records kept by people (staff pages and admin), spreadsheet
import jobs and logged exports."""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import os
import posixpath
import secrets
from collections import defaultdict
from collections.abc import Iterable
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from federation.core.audit import personal_data_access_log
from federation.core.locking import save_versioned
from federation.core.scoping import can_write_in_scope, has_network_scope, scope_queryset
from federation.models import PersonalDataAccess
from organizations.importing import engine
from organizations.importing.readers import FileRejected, open_table
from organizations.importing.specs import SPECS, ListSpec, export_value
from organizations.importing.writers import csv_bytes, xlsx_bytes
from organizations.models import (
    ExportLog,
    Federation,
    ImportJob,
    OpeningHours,
    ServiceSite,
)

# A federation's own staff keep its profile; its place in the network is the district's call.
PROFILE_LOCKED_FIELDS = ("level", "kind", "parent", "is_active")


def _require_scope(obj, user) -> None:
    if not can_write_in_scope(obj, user):
        raise PermissionDenied(_("该记录不在您的管理范围内。"))


@transaction.atomic
def federation_update_profile(
    *, federation: Federation, user, expected_version: int | None = None
) -> Federation:
    """Save a federation's profile; without network scope its level/parent/kind cannot change."""
    _require_scope(federation, user)
    if not has_network_scope(user):
        stored = Federation.objects.get(pk=federation.pk)
        for name in PROFILE_LOCKED_FIELDS:
            if getattr(federation, name) != getattr(stored, name):
                raise PermissionDenied(_("组织层级、上级组织和组建形式只能由区妇联修改。"))
    federation.full_clean()
    return save_versioned(federation, expected_version=expected_version)


@transaction.atomic
def site_save(
    *,
    site: ServiceSite,
    user,
    expected_version: int | None = None,
    hours: Iterable[tuple[int, datetime.time, datetime.time]] | None = None,
) -> ServiceSite:
    """Create or update a service site; ``hours`` (weekday, opens, closes) replace its hours."""
    _require_scope(site, user)
    site.full_clean()
    if hours is not None:
        hours = sorted(hours)
        before = (
            _hours_text((h.weekday, h.opens, h.closes) for h in site.hours.all()) if site.pk else ""
        )
        after = _hours_text(hours)
        if before != after:
            # Opening hours have no history of their own: the site's history record says it.
            reason = str(_("开放时间：%(hours)s")) % {"hours": after or "—"}
            site._change_reason = reason if len(reason) <= 100 else reason[:99] + "…"
    save_versioned(site, expected_version=expected_version)
    if hours is not None:
        site.hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(site=site, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in hours
        )
    return site


def _hours_text(hours) -> str:
    names = dict(OpeningHours.Weekday.choices)
    return "，".join(
        f"{names[day]}{opens:%H:%M}-{closes:%H:%M}" for day, opens, closes in sorted(hours)
    )


logger = logging.getLogger(__name__)
MAX_STORED_ERRORS = 10_000


class UploadRejected(Exception):
    """The upload is refused before it is stored (too large, empty)."""


def _display(value: Any) -> str:
    if value is None or value == "":
        return _("（空）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _preview_row(spec: ListSpec, row: engine.RowPlan) -> list:
    label = row.values.get("name", "") if spec.key != "name" else ""
    if row.action == engine.INVALID:
        detail = "；".join(
            (f"{e.column}：{e.message}" if e.column else e.message) for e in row.errors
        )
    elif row.action == engine.UPDATE:
        parts = []
        for name, old, new in row.changes:
            column = spec.column_for(name)
            parts.append(f"{column.header}：{_display(old)} → {_display(new)}")
        detail = "；".join(parts)
    else:
        detail = ""
    return [row.row, row.action, row.key, str(label or ""), detail]


def _progress_updater(job: ImportJob):
    def update(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)

    return update


def _open_job_file(job: ImportJob) -> IO[bytes]:
    """The stored upload, verified against the checksum taken when it was uploaded."""
    if not job.stored_file or not default_storage.exists(job.stored_file):
        raise FileRejected(_("上传的文件已被清理（超过保留时间或已取消），请重新上传。"))
    with default_storage.open(job.stored_file, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != job.checksum:
        raise FileRejected(_("上传的文件在预览后被改动（校验和不符），请重新上传。"))
    return io.BytesIO(data)


def _delete_stored(job: ImportJob, *, keep_errors: bool = True) -> None:
    paths = [job.stored_file] + ([] if keep_errors else [job.error_file])
    for path in paths:
        if path and default_storage.exists(path):
            default_storage.delete(path)
    job.stored_file = ""
    if not keep_errors:
        job.error_file = ""


def import_job_create(
    *,
    kind: str,
    upload: IO[bytes],
    file_name: str,
    user=None,
    sheet_name: str = "",
    source: str = ImportJob.Source.ADMIN,
) -> ImportJob:
    """Store an upload in shared storage, keyed by a new import job, with its checksum."""
    size = getattr(upload, "size", None)
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        raise UploadRejected(
            _("文件太大（%(size).1f MB），上限为 %(limit)d MB。请拆分后分批导入。")
            % {"size": size / 1024 / 1024, "limit": limit // 1024 // 1024}
        )
    digest = hashlib.sha256()
    buffer = io.BytesIO()
    for chunk in (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b"")
    ):
        digest.update(chunk)
        buffer.write(chunk)
        if buffer.tell() > limit:
            raise UploadRejected(
                _("文件太大，上限为 %(limit)d MB。请拆分后分批导入。")
                % {"limit": limit // 1024 // 1024}
            )
    if not buffer.tell():
        raise UploadRejected(_("文件是空的。"))
    import_jobs_cleanup_stale()
    job = ImportJob.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        file_name=os.path.basename(file_name)[:255],
        file_size=buffer.tell(),
        checksum=digest.hexdigest(),
        sheet_name=sheet_name.strip()[:100],
        source=source,
    )
    extension = os.path.splitext(file_name)[1].lower()[:8]
    job.stored_file = default_storage.save(
        f"{_new_job_folder(job)}/source{extension}", ContentFile(buffer.getvalue())
    )
    job.background = _estimate_rows(job) > settings.IMPORT_BACKGROUND_ROWS
    job.save(update_fields=["stored_file", "background"])
    return job


def _estimate_rows(job: ImportJob) -> int:
    try:
        table = open_table(_open_job_file(job), job.file_name, job.sheet_name or None)
    except FileRejected:
        return 0  # the preview reports the problem
    try:
        return table.estimated_rows
    finally:
        table.close()


def _plan_job(job: ImportJob, user, *, stream: IO[bytes] | None = None) -> engine.Plan:
    spec = SPECS[job.kind]
    try:
        source = stream if stream is not None else _open_job_file(job)
    except FileRejected as exc:
        plan = engine.Plan(spec=spec)
        plan.file_errors.append(engine.RowError(0, "", str(exc)))
        return plan
    return engine.plan_import(
        spec,
        source,
        job.file_name,
        user=user,
        sheet=job.sheet_name or None,
        progress=_progress_updater(job) if job.background else None,
    )


def _record_plan(job: ImportJob, plan: engine.Plan) -> None:
    counts = plan.counts
    job.total_rows = len(plan.rows)
    job.processed_rows = len(plan.rows)
    job.new_count = counts[engine.NEW]
    job.updated_count = counts[engine.UPDATE]
    job.unchanged_count = counts[engine.UNCHANGED]
    job.invalid_count = counts[engine.INVALID]
    errors = plan.errors
    job.errors = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]
    job.ignored_columns = plan.ignored
    job.notices = list(plan.notices)
    if len(errors) > MAX_STORED_ERRORS:
        job.notices.append(
            _("错误共 %(n)d 条，此处只保存前 %(max)d 条；完整列表见错误表。")
            % {"n": len(errors), "max": MAX_STORED_ERRORS}
        )
    if plan.sheet_name:
        job.sheet_name = plan.sheet_name
    job.preview_rows = [_preview_row(plan.spec, row) for row in plan.rows]
    job.plan_digest = plan.digest
    for row in plan.rows:
        # The parsed cells are recorded and digested; applying needs only the instances.
        row.values = {}


def import_job_preview(
    *, job: ImportJob, user=None, stream: IO[bytes] | None = None
) -> engine.Plan:
    """Dry run: plan the import, record what it would do, write the error sheet if needed."""
    user = user if user is not None else job.user
    job.status = ImportJob.Status.PREVIEWING
    job.save(update_fields=["status"])
    plan = _plan_job(job, user, stream=stream)
    _record_plan(job, plan)
    job.previewed_at = timezone.now()
    if plan.is_valid:
        job.status = ImportJob.Status.PREVIEWED
    else:
        job.status = ImportJob.Status.INVALID
        job.finished_at = timezone.now()
        if plan.rows and not plan.file_errors:
            job.error_file = _write_error_sheet(job, plan, stream)
    job.save()
    return plan


def _write_error_sheet(job: ImportJob, plan: engine.Plan, stream: IO[bytes] | None) -> str:
    """The original rows that have errors, with a reason column, as an xlsx in shared storage."""
    reasons: dict[int, list[str]] = defaultdict(list)
    for error in plan.errors:
        reasons[error.row].append(
            f"{error.column}：{error.message}" if error.column else error.message
        )
    try:
        source = stream if stream is not None else _open_job_file(job)
        source.seek(0)
        table = open_table(source, job.file_name, job.sheet_name or None)
    except FileRejected:
        return ""
    header: list[Any] = []
    rows: list[list[Any]] = []
    try:
        for number, values in table.rows():
            if number == plan.header_row:
                header = [("" if v is None else str(v)) for v in values]
            elif number in reasons:
                rows.append([number, "；".join(reasons[number]), *values])
    finally:
        table.close()
    content = xlsx_bytes(_("错误行"), [_("原行号"), _("错误原因"), *header], rows)
    folder = posixpath.dirname(job.stored_file) if job.stored_file else _new_job_folder(job)
    return default_storage.save(f"{folder}/errors.xlsx", ContentFile(content))


def _new_job_folder(job: ImportJob) -> str:
    # The files are in the media storage (shared by the app servers), which nginx or a bucket
    # serves without a check: the folder needs a secret part, not just the job's number.
    return f"imports/{job.pk}-{secrets.token_hex(16)}"


def import_job_apply(
    *, job: ImportJob, user=None, stream: IO[bytes] | None = None, plan: engine.Plan | None = None
) -> ImportJob:
    """Apply exactly what was previewed: same file (checksum), same plan (digest), or nothing.

    A plan made in this same process (the command line) is applied as it is; otherwise the stored
    file is planned again and must give the previewed digest.
    """
    user = user if user is not None else job.user
    if job.status not in (
        ImportJob.Status.PREVIEWED,
        ImportJob.Status.QUEUED,
        ImportJob.Status.APPLYING,
    ):
        raise ValueError(f"import job {job.pk} is {job.status}, not previewed")
    expected = job.plan_digest
    job.status = ImportJob.Status.APPLYING
    job.save(update_fields=["status"])
    if plan is None:
        plan = _plan_job(job, user, stream=stream)
    try:
        if not plan.is_valid:
            raise engine.StalePlan(
                "；".join(str(e) for e in plan.errors[:5])
                or _("预览之后数据已发生变化：请重新预览。")
            )
        engine.apply_plan(plan, user=user, job=job, expected_digest=expected)
    except engine.StalePlan as exc:
        job.status = ImportJob.Status.FAILED
        job.message = str(exc)
        job.finished_at = timezone.now()
        _delete_stored(job)
        job.save()
        return job
    except Exception as exc:
        logger.exception("import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.message = _("导入失败，数据库未做任何修改：%(error)s") % {"error": exc}
        job.finished_at = timezone.now()
        job.save()
        raise
    # The plan equals the previewed one (same digest), so the recorded counts and rows stand.
    job.processed_rows = job.total_rows
    job.status = ImportJob.Status.APPLIED
    job.finished_at = timezone.now()
    job.message = _("已导入：新增 %(new)d 条，更新 %(updated)d 条，未变化 %(unchanged)d 条。") % {
        "new": job.new_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
    }
    _delete_stored(job)
    job.save()
    return job


def import_job_start_preview(*, job: ImportJob) -> ImportJob:
    """Preview now, or in the background task queue when the file is large."""
    if job.background:
        from organizations.tasks import preview_import

        job.status = ImportJob.Status.QUEUED
        job.save(update_fields=["status"])
        preview_import.enqueue(job.pk)
        job.refresh_from_db()
        return job
    import_job_preview(job=job)
    return job


def import_job_confirm(*, job: ImportJob, user) -> ImportJob:
    if job.status != ImportJob.Status.PREVIEWED:
        raise ValueError(f"import job {job.pk} is {job.status}, not previewed")
    if job.background:
        from organizations.tasks import apply_import

        job.status = ImportJob.Status.APPLYING
        job.processed_rows = 0
        job.save(update_fields=["status", "processed_rows"])
        apply_import.enqueue(job.pk)
        job.refresh_from_db()
        return job
    return import_job_apply(job=job, user=user)


def import_job_cancel(*, job: ImportJob, user) -> ImportJob:
    if job.status in (ImportJob.Status.PREVIEWED, ImportJob.Status.INVALID):
        if job.status == ImportJob.Status.PREVIEWED:
            job.status = ImportJob.Status.CANCELLED
            job.finished_at = timezone.now()
        _delete_stored(job, keep_errors=job.status == ImportJob.Status.INVALID)
        job.preview_rows = []
        job.save()
    return job


def import_jobs_cleanup_stale(*, now: datetime.datetime | None = None) -> int:
    """Delete stored files of uploads left at the preview longer than IMPORT_STALE_HOURS."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.IMPORT_STALE_HOURS)
    stale = ImportJob.objects.filter(created_at__lt=cutoff).exclude(stored_file="", error_file="")
    stale = stale.exclude(
        status__in=[ImportJob.Status.QUEUED, ImportJob.Status.PREVIEWING, ImportJob.Status.APPLYING]
    )
    count = 0
    for job in stale.defer("preview_rows"):
        _delete_stored(job, keep_errors=False)
        fields = ["stored_file", "error_file"]
        if job.status == ImportJob.Status.PREVIEWED:
            job.status = ImportJob.Status.EXPIRED
            fields.append("status")
        job.save(update_fields=fields)
        count += 1
    return count


def import_file(
    *, kind: str, path: str, user=None, sheet_name: str = "", dry_run: bool = False
) -> tuple[ImportJob, engine.Plan]:
    """The command-line import: plan, and apply unless a dry run or invalid; recorded as a job."""
    with open(path, "rb") as handle:
        data = handle.read()
    job = ImportJob.objects.create(
        kind=kind,
        user=user,
        file_name=os.path.basename(path)[:255],
        file_size=len(data),
        checksum=hashlib.sha256(data).hexdigest(),
        sheet_name=sheet_name,
        source=ImportJob.Source.COMMAND,
    )
    plan = import_job_preview(job=job, user=user, stream=io.BytesIO(data))
    if plan.is_valid and dry_run:
        job.status = ImportJob.Status.CANCELLED
        job.message = _("试运行（--dry-run）：未写入数据库。")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
    elif plan.is_valid:
        import_job_apply(job=job, user=user, plan=plan)
    return job, plan


# --- export --------------------------------------------------------------------------------------


def list_export(
    *, kind: str, queryset: QuerySet, user, file_format: str, filters: str = ""
) -> tuple[bytes, int]:
    """The list in the template's columns, scoped to the user, logged; contacts only if allowed."""
    spec = SPECS[kind]
    with_personal = user.has_perm("organizations.view_contact")
    columns = [c for c in spec.columns if with_personal or not c.personal]
    queryset = scope_queryset(queryset, user)
    related = [c.field for c in columns if c.ref]
    if related:
        queryset = queryset.select_related(*related)
    rows = []
    with override("zh-hans"):
        headers = [str(c.header) for c in columns]
        for obj in queryset.iterator(chunk_size=2000):
            rows.append([export_value(spec, c, obj) for c in columns])
        if file_format == "csv":
            content = csv_bytes(headers, rows)
        else:
            content = xlsx_bytes(str(spec.sheet_title), headers, rows)
    personal = [c.field for c in columns if c.personal]
    with transaction.atomic():
        ExportLog.objects.create(
            kind=kind,
            user=user if getattr(user, "pk", None) else None,
            file_format=file_format,
            row_count=len(rows),
            with_personal_data=bool(personal),
            filters=filters[:500],
        )
        if personal and getattr(user, "pk", None):
            # The personal-data access log sees exports of unmasked contacts too.
            personal_data_access_log(
                user=user,
                model=spec.model,
                fields=personal,
                object_count=len(rows),
                kind=PersonalDataAccess.Kind.EXPORT,
            )
    logger.info("export %s by %s: %d rows (%s)", kind, user, len(rows), file_format)
    return content, len(rows)


def model_kind(model: type[Model]) -> str:
    return next(kind for kind, spec in SPECS.items() if spec.model is model)
