"""The life of one spreadsheet import, recorded as an :class:`ImportJob`, and its background tasks.

From the admin (:func:`import_job_upload`, then :func:`import_job_confirm`):

1. **upload** — the upload's bytes are read once and its size is checked once (the request itself
   is refused earlier, before its body is read, when it is far too large);
2. **store once** — the bytes go to the shared media storage, under a folder nobody can guess, with
   their SHA-256;
3. **estimate** — the table opened from those bytes says how many rows it has: above
   ``IMPORT_BACKGROUND_ROWS`` the rest runs in the task queue (:func:`preview_import`);
4. **plan** — :func:`organizations.importing.engine.plan_table` parses, validates and compares every
   row with the database, writing nothing (the same opened table, when not queued);
5. **record** — counts, errors, the compact preview rows and the plan's digest are saved on the job;
   an invalid file also gets an error sheet (its bad rows with the reasons);
6. **confirm** — the user confirms the preview; a large file is applied by :func:`apply_import`;
7. **apply** — the stored file is read back and checked against its checksum, planned again and
   written only if the plan still has the previewed digest (:func:`engine.apply_plan`); the stored
   upload is deleted afterwards.

The command line (:func:`import_file`) takes steps 1, 4, 5 and 7 in one process, without storing
the file. Stored files and per-row data are removed IMPORT_KEEP_DAYS after a job's last step by
:func:`import_jobs_cleanup_stale`; the record keeps its summary.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import io
import logging
import os
import pickle
import posixpath
import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from federation.ops.storage import files_removed_on_rollback
from organizations.importing import engine
from organizations.importing.readers import FileRejected, open_table
from organizations.importing.specs import SPECS, ListSpec
from organizations.importing.writers import xlsx_bytes
from organizations.models import ImportJob

logger = logging.getLogger(__name__)
MAX_STORED_ERRORS = 10_000


RUNNING = (ImportJob.Status.QUEUED, ImportJob.Status.PREVIEWING, ImportJob.Status.APPLYING)


class UploadRejected(Exception):
    """The upload is refused before it is stored (too large, empty)."""


class JobStopped(Exception):
    """The job was cancelled, or declared dead by the heartbeat check, while it ran."""


class Heartbeat:
    """A running job's sign of life and progress, visible to other connections at once.

    Inside the apply's transaction an ORM update would stay invisible until the commit (and
    hold the job's row, so that a cancel would wait for the whole import): on PostgreSQL a
    second, autocommit connection writes it instead.
    """

    def __init__(self, job: ImportJob):
        self.job_id = job.pk
        self._side = None

    def beat(self, **fields: Any) -> None:
        fields["heartbeat_at"] = timezone.now()
        if connection.in_atomic_block and connection.vendor == "postgresql":
            self._side_update(fields)
        elif not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(**fields)

    def _side_update(self, fields: dict) -> None:
        import psycopg

        if self._side is None:
            params = {
                key: value
                for key, value in connection.get_connection_params().items()
                if key not in ("cursor_factory", "context")
            }
            self._side = psycopg.connect(**params, autocommit=True)
        columns = ", ".join(f'"{ImportJob._meta.get_field(k).column}" = %s' for k in fields)
        self._side.execute(
            f'UPDATE "{ImportJob._meta.db_table}" SET {columns} WHERE "id" = %s',
            [*fields.values(), self.job_id],
        )

    def check(self) -> None:
        """Stop the work when the job was cancelled or declared dead meanwhile."""
        status = ImportJob.objects.filter(pk=self.job_id).values_list("status", flat=True).first()
        if status not in RUNNING:
            raise JobStopped(status)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


# --- 1–3: upload, store once, estimate ----------------------------------------------------------


def import_job_upload(
    *,
    kind: str,
    upload: File,
    file_name: str,
    user=None,
    sheet_name: str = "",
    skip_invalid: bool = False,
    duplicates: str = engine.REFUSE,
) -> ImportJob:
    """An admin upload: store it and preview it now, or queue the preview when the file is large."""
    data = _read_upload(upload)
    job = _job_store(kind=kind, data=data, file_name=file_name, user=user, sheet_name=sheet_name)
    job.skip_invalid, job.duplicates = skip_invalid, duplicates
    spec = SPECS[job.kind]
    try:
        table = open_table(io.BytesIO(data), job.file_name, job.sheet_name or None)
    except FileRejected as exc:
        table, plan = None, engine.rejected_plan(spec, exc)  # recorded by the preview below
    job.background = table is not None and table.estimated_rows > settings.IMPORT_BACKGROUND_ROWS
    job.status = ImportJob.Status.QUEUED if job.background else ImportJob.Status.PREVIEWING
    job.save(update_fields=["stored_file", "background", "status", "skip_invalid", "duplicates"])
    if job.background:
        table.close()
        preview_import.enqueue(job.pk)
        job.refresh_from_db()
        return job
    if table is not None:
        plan = engine.plan_table(spec, table, user=job.user, keep_instances=False, **_reading(job))
    _preview(job, plan)
    return job


def _read_upload(upload: File) -> bytes:
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    # The one size check: Django counted the bytes it received (the client's word is not taken).
    if upload.size > limit:
        raise UploadRejected(
            _("文件太大（%(size).1f MB），上限为 %(limit)d MB。请拆分后分批导入。")
            % {"size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024}
        )
    data = b"".join(upload.chunks())
    if not data:
        raise UploadRejected(_("文件是空的。"))
    return data


def _job_store(*, kind: str, data: bytes, file_name: str, user, sheet_name: str) -> ImportJob:
    import_jobs_cleanup_stale()
    try:
        # The job and its stored file exist together or not at all (a full disk left an orphan
        # job "排队中" behind a 500).
        with files_removed_on_rollback(), transaction.atomic():
            job = ImportJob.objects.create(
                kind=kind,
                user=user if getattr(user, "pk", None) else None,
                file_name=os.path.basename(file_name)[:255],
                file_size=len(data),
                checksum=hashlib.sha256(data).hexdigest(),
                sheet_name=sheet_name.strip()[:100],
                source=ImportJob.Source.ADMIN,
            )
            extension = os.path.splitext(file_name)[1].lower()[:8]
            job.stored_file = default_storage.save(
                f"{_new_job_folder(job)}/source{extension}", ContentFile(data)
            )
            job.save(update_fields=["stored_file"])
    except OSError as exc:
        if exc.errno not in STORAGE_FULL_ERRNOS:
            raise
        raise UploadRejected(STORAGE_FULL_MESSAGE) from exc
    return job


STORAGE_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
STORAGE_FULL_MESSAGE = gettext_lazy(
    "服务器存储空间已满：文件没有保存，也没有留下导入任务。请联系区妇联管理员清理空间后再试。"
)


def _new_job_folder(job: ImportJob) -> str:
    # The files are in the media storage (shared by the app servers), which nginx or a bucket
    # serves without a check: the folder needs a secret part, not just the job's number.
    return f"imports/{job.pk}-{secrets.token_hex(16)}"


def _read_stored(job: ImportJob) -> bytes:
    """The stored upload, verified against the checksum taken when it was uploaded."""
    if not job.stored_file or not default_storage.exists(job.stored_file):
        raise FileRejected(_("上传的文件已被清理（超过保留时间或已取消），请重新上传。"))
    with default_storage.open(job.stored_file, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != job.checksum:
        raise FileRejected(_("上传的文件在预览后被改动（校验和不符），请重新上传。"))
    return data


# --- 4–5: plan and record -----------------------------------------------------------------------


def _plan_stored(job: ImportJob, user, *, for_apply: bool) -> engine.Plan:
    """Plan from the stored upload (in the worker, or at the confirmation)."""
    spec = SPECS[job.kind]
    try:
        data = _read_stored(job)
    except FileRejected as exc:
        return engine.rejected_plan(spec, exc)
    return engine.plan_import(
        spec,
        io.BytesIO(data),
        job.file_name,
        user=user,
        sheet=job.sheet_name or None,
        progress=_progress_updater(job),
        # A preview needs the values (shown), an apply the instances (written).
        keep_instances=for_apply,
        keep_values=not for_apply,
        **_reading(job),
    )


def _reading(job: ImportJob) -> dict[str, Any]:
    """How to read the job's file: the admin's mapping and header row, else the remembered one."""
    chosen = job.mapping if job.mapping.get("chosen") else {}
    return {
        "skip_invalid": job.skip_invalid,
        "duplicates": job.duplicates,
        "mapping": dict(chosen["columns"]) if chosen.get("columns") else None,
        "header_row": chosen.get("header_row") or None,
        "remembered": lambda signature: remembered_mapping(job.kind, signature, exclude=job.pk),
    }


def remembered_mapping(kind: str, signature: str, *, exclude: int | None = None):
    """The columns the admin chose last time for a file with this header row, if any."""
    previous = (
        ImportJob.objects.filter(kind=kind, header_signature=signature, mapping__chosen=True)
        .exclude(pk=exclude)
        .order_by("-created_at", "-pk")
        .values_list("mapping", flat=True)
        .first()
    )
    return dict(previous["columns"]) if previous and previous.get("columns") else None


def _progress_updater(job: ImportJob):
    heartbeat = Heartbeat(job)

    def update(done: int, total: int) -> None:
        heartbeat.beat(processed_rows=done, total_rows=total)
        heartbeat.check()

    return update


def import_job_preview(*, job: ImportJob) -> engine.Plan:
    """Dry run of a stored upload (the background task): plan it and record what it would do."""
    job.status = ImportJob.Status.PREVIEWING
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "heartbeat_at"])
    try:
        plan = _plan_stored(job, job.user, for_apply=False)
    except JobStopped:
        return engine.Plan(spec=SPECS[job.kind])
    _preview(job, plan)
    return plan


def _preview(job: ImportJob, plan: engine.Plan) -> None:
    if job.pk and ImportJob.objects.filter(pk=job.pk).exclude(status__in=RUNNING).exists():
        return  # cancelled (or declared dead) while it was being checked
    _record_plan(job, plan)
    job.previewed_at = timezone.now()
    if plan.is_valid:
        job.status = ImportJob.Status.PREVIEWED
    else:
        job.status = ImportJob.Status.INVALID
        job.finished_at = timezone.now()
    if plan.rows and not plan.file_errors and plan.errors:
        # Every row not imported, with its original cells and reasons: fix, then re-upload.
        job.error_file = _write_error_sheet(job, plan)
    job.save()


def _record_plan(job: ImportJob, plan: engine.Plan) -> None:
    counts = plan.counts
    job.total_rows = len(plan.rows)
    job.processed_rows = len(plan.rows)
    job.new_count = counts[engine.NEW]
    job.updated_count = counts[engine.UPDATE]
    job.unchanged_count = counts[engine.UNCHANGED]
    job.invalid_count = counts[engine.INVALID]
    job.skipped_count = counts[engine.SKIPPED]
    errors = plan.errors
    job.errors = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]
    job.ignored_columns = plan.ignored
    job.warnings = [w.as_dict() for w in plan.warnings[:MAX_STORED_ERRORS]]
    job.notices = list(plan.notices)
    if len(errors) > MAX_STORED_ERRORS:
        job.notices.append(
            _("错误共 %(n)d 条，此处只保存前 %(max)d 条；完整列表见错误表。")
            % {"n": len(errors), "max": MAX_STORED_ERRORS}
        )
    if plan.sheet_name:
        job.sheet_name = plan.sheet_name
    if plan.header:
        job.header_signature = plan.signature
        job.mapping = {
            "header_row": plan.header_row,
            # A list, not an object: jsonb does not keep the order of an object's keys.
            "columns": [[label, plan.mapping.get(label, "")] for _i, label in plan.header],
            "chosen": bool(job.mapping.get("chosen")),
        }
    job.preview_rows = [_preview_row(plan.spec, row) for row in plan.rows]
    job.plan_digest = plan.digest
    for row in plan.rows:
        # The parsed cells are recorded and digested; applying needs only the instances.
        row.values = {}


def _display(spec: ListSpec, name: str, value: Any) -> str:
    """A value as the person sees it in the sheet: choice labels, never the stored codes."""
    choices = spec.model._meta.get_field(name).flatchoices
    if choices and value not in (None, ""):
        value = dict(choices).get(value, value)
    if value is None or value == "":
        return _("（空）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _preview_row(spec: ListSpec, row: engine.RowPlan) -> list:
    label = row.values.get("name", "") if spec.key != "name" else ""
    if row.action in (engine.INVALID, engine.SKIPPED):
        detail = "；".join(
            (f"{e.column}：{e.message}" if e.column else e.message) for e in row.errors
        )
    elif row.action == engine.UPDATE:
        parts = []
        for name, old, new in row.changes:
            column = spec.column_for(name)
            header = column.header if column else spec.model._meta.get_field(name).verbose_name
            parts.append(f"{header}：{_display(spec, name, old)} → {_display(spec, name, new)}")
        detail = "；".join(parts)
    else:
        detail = ""
    return [row.row, row.action, row.key, str(label or ""), detail]


def _write_error_sheet(job: ImportJob, plan: engine.Plan) -> str:
    """The original rows that have errors, with a reason column, as an xlsx in shared storage.

    The cells are those the planning read (each row with errors keeps them): the file is not
    read a second time."""
    redacted = _("（已隐去：疑似身份证号）")
    header = [("" if v is None else str(v)) for v in plan.header_cells]
    rows: list[list[Any]] = []
    for row in plan.rows:
        if not row.errors:
            continue
        reasons = "；".join(
            f"{error.column}：{error.message}" if error.column else error.message
            for error in row.errors
        )
        values = [
            redacted if (row.row, index) in plan.redacted else value
            # Bytes this process pickled while planning (never read from outside).
            for index, value in enumerate(pickle.loads(row.raw) if row.raw else [])
        ]
        rows.append([row.row, reasons, *values])
    content = xlsx_bytes(
        _("错误行"), [*(str(label) for label in engine.ERROR_SHEET_HEADERS), *header], rows
    )
    folder = posixpath.dirname(job.stored_file) if job.stored_file else _new_job_folder(job)
    return default_storage.save(f"{folder}/errors.xlsx", ContentFile(content))


# --- 6–7: confirm and apply ---------------------------------------------------------------------


def import_job_remap(
    *, job: ImportJob, user, columns: dict[str, str], header_row: int | None
) -> ImportJob:
    """Check the stored upload again with the columns (and header row) the admin chose.

    The choice is remembered for the next file with the same header row."""
    if job.status not in (ImportJob.Status.PREVIEWED, ImportJob.Status.INVALID):
        raise ValueError(f"import job {job.pk} is {job.status}, not previewed")
    job.mapping = {
        "header_row": header_row or 0,
        "columns": [[label, field] for label, field in columns.items()],
        "chosen": True,
    }
    job.status = ImportJob.Status.PREVIEWING
    job.finished_at = None
    job.error_file = _delete_error_sheet(job)
    job.save(update_fields=["mapping", "status", "finished_at", "error_file"])
    if job.background:
        job.status = ImportJob.Status.QUEUED
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "heartbeat_at"])
        preview_import.enqueue(job.pk)
        job.refresh_from_db()
        return job
    _preview(job, _plan_stored(job, user, for_apply=False))
    return job


def _delete_error_sheet(job: ImportJob) -> str:
    if job.error_file and default_storage.exists(job.error_file):
        default_storage.delete(job.error_file)
    return ""


class NotAccepted(Exception):
    """The plan has warnings (unverified codes) the user has not accepted."""


def _require_accepted(job: ImportJob, accept_unverified: bool) -> None:
    if job.warnings and not accept_unverified:
        raise NotAccepted(
            _(
                "有 %(n)d 个代码未通过校验：请与营业执照核对，确认无误后勾选“按原样导入”再确认；"
                "数据库未做任何修改。"
            )
            % {"n": len(job.warnings)}
        )


def import_job_confirm(*, job: ImportJob, user, accept_unverified: bool = False) -> ImportJob:
    """The user confirmed the preview: apply it now, or in the task queue when the file is large.

    Raises :class:`NotAccepted` when the preview has warnings the user did not accept.
    """
    if job.status != ImportJob.Status.PREVIEWED:
        raise ValueError(f"import job {job.pk} is {job.status}, not previewed")
    _require_accepted(job, accept_unverified)
    if job.background:
        job.status = ImportJob.Status.APPLYING
        job.processed_rows = 0
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "processed_rows", "heartbeat_at"])
        apply_import.enqueue(job.pk)
        job.refresh_from_db()
        return job
    return import_job_apply(job=job, user=user)


def import_job_apply(*, job: ImportJob, user=None, plan: engine.Plan | None = None) -> ImportJob:
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
    job.processed_rows = 0
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "processed_rows", "heartbeat_at"])
    heartbeat = Heartbeat(job)
    message = _("已导入：新增 %(new)d 条，更新 %(updated)d 条，未变化 %(unchanged)d 条。") % {
        "new": job.new_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
    }
    if job.skipped_count:
        message += _("跳过 %(n)d 行（见错误表，改正后可重新上传）。") % {"n": job.skipped_count}

    def progress(written: int) -> None:
        heartbeat.beat(processed_rows=written)
        heartbeat.check()

    def before_commit() -> None:
        # Applied is recorded in the same transaction as the rows: a cancel or the heartbeat
        # check either comes first (and this rolls everything back) or finds it applied.
        done = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.APPLYING).update(
            status=ImportJob.Status.APPLIED,
            processed_rows=job.new_count + job.updated_count,
            finished_at=timezone.now(),
            message=message,
        )
        if not done:
            raise JobStopped()

    try:
        if plan is None:
            plan = _plan_stored(job, user, for_apply=True)
        for row in plan.rows:
            row.values = {}  # digested already; the writes need only the instances
        if not plan.is_valid:
            raise engine.StalePlan(
                "；".join(str(e) for e in plan.errors[:5])
                or _("预览之后数据已发生变化：请重新预览。")
            )
        engine.apply_plan(
            plan,
            user=user,
            job=job,
            expected_digest=expected,
            progress=progress,
            before_commit=before_commit,
        )
    except JobStopped:
        job.refresh_from_db()
        _delete_stored(job, keep_errors=True)
        job.save(update_fields=["stored_file"])
        return job
    except engine.StalePlan as exc:
        _finish_failed(job, str(exc))
        job.refresh_from_db()
        return job
    except Exception as exc:
        logger.exception("import job %s failed", job.pk)
        _finish_failed(job, _("导入失败，数据库未做任何修改：%(error)s") % {"error": exc})
        raise
    finally:
        heartbeat.close()
    job.refresh_from_db()
    _delete_stored(job)
    job.save(update_fields=["stored_file"])
    return job


def _finish_failed(job: ImportJob, message: str) -> bool:
    """Mark a running job failed (unless it ended meanwhile) and delete its stored upload."""
    for attempt in (1, 2):
        try:
            done = ImportJob.objects.filter(pk=job.pk, status__in=RUNNING).update(
                status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now()
            )
            break
        except DatabaseError:
            # The connection broke (the database restarted): try once more on a new one;
            # otherwise the heartbeat check ends the job later.
            connection.close()
            if attempt == 2:
                logger.exception("import job %s: cannot record its failure", job.pk)
                return False
    if done:
        job.refresh_from_db()
        _delete_stored(job)
        job.save(update_fields=["stored_file"])
    return bool(done)


# --- cancel, clean up ---------------------------------------------------------------------------


def _delete_stored(job: ImportJob, *, keep_errors: bool = True) -> None:
    paths = [job.stored_file] + ([] if keep_errors else [job.error_file])
    for path in paths:
        if path and default_storage.exists(path):
            default_storage.delete(path)
    job.stored_file = ""
    if not keep_errors:
        job.error_file = ""


def import_job_cancel(*, job: ImportJob, user) -> bool:
    """Cancel a job in any state that is not final (a running one stops at its next progress
    report and rolls back); delete its stored upload. False if it had already ended."""
    cancelled = ImportJob.objects.filter(
        pk=job.pk, status__in=[*RUNNING, ImportJob.Status.PREVIEWED]
    ).update(
        status=ImportJob.Status.CANCELLED,
        finished_at=timezone.now(),
        message=_("已取消，数据库未做任何修改。"),
    )
    job.refresh_from_db()
    if cancelled or job.status == ImportJob.Status.INVALID:
        _delete_stored(job, keep_errors=job.status == ImportJob.Status.INVALID)
        job.preview_rows = []
        job.save(update_fields=["stored_file", "error_file", "preview_rows"])
    return bool(cancelled)


def import_jobs_fail_stale(*, now: datetime.datetime | None = None) -> int:
    """End the jobs whose worker died or lost its database: failed, nothing changed.

    A running job reports at least every few seconds (every 1,000 rows checked, every slice
    written); one not heard from for IMPORT_HEARTBEAT_SECONDS is dead, and so is a job queued
    longer than IMPORT_QUEUED_MINUTES (no worker is running). The apply writes nothing unless
    it still finds the job running at its commit, so failing it here is safe.
    """
    now = now or timezone.now()
    silent = now - datetime.timedelta(seconds=settings.IMPORT_HEARTBEAT_SECONDS)
    waiting = now - datetime.timedelta(minutes=settings.IMPORT_QUEUED_MINUTES)
    running = [ImportJob.Status.PREVIEWING, ImportJob.Status.APPLYING]
    stale = ImportJob.objects.filter(
        Q(status__in=running, heartbeat_at__lt=silent)
        | Q(status__in=running, heartbeat_at__isnull=True, created_at__lt=silent)
        | Q(status=ImportJob.Status.QUEUED, created_at__lt=waiting)
    ).only("pk", "status")
    count = 0
    for job in stale:
        if job.status == ImportJob.Status.QUEUED:
            message = _(
                "排队超过 %(minutes)d 分钟仍未开始（后台任务进程可能没有运行），未做任何修改。请稍后重新上传，或联系系统管理员。"
            ) % {"minutes": settings.IMPORT_QUEUED_MINUTES}
        else:
            message = _(
                "后台任务中断：超过 %(minutes)d 分钟没有进展（任务进程被终止或数据库连接中断），未做任何修改。请重新上传。"
            ) % {"minutes": max(1, settings.IMPORT_HEARTBEAT_SECONDS // 60)}
        if _finish_failed(job, message):
            logger.warning("import job %s ended by the heartbeat check", job.pk)
            count += 1
    return count


def import_jobs_cleanup_stale(*, now: datetime.datetime | None = None) -> int:
    """End dead jobs, then remove what every job that is not running keeps beyond its summary,
    IMPORT_KEEP_DAYS after its last step (finished, failed, cancelled, invalid, or left at the
    preview, which then expires): the stored upload, the error sheet, the preview rows, the row
    errors and the warnings (they hold the list's names, codes and phones). Returns how many."""
    now = now or timezone.now()
    import_jobs_fail_stale(now=now)
    cutoff = now - datetime.timedelta(days=settings.IMPORT_KEEP_DAYS)
    stale = (
        ImportJob.objects.alias(last_step=Coalesce("finished_at", "previewed_at", "created_at"))
        .filter(last_step__lt=cutoff, data_removed_at__isnull=True)
        .exclude(status__in=RUNNING)
    )
    count = 0
    for job in stale.only("pk", "status", "stored_file", "error_file", "message"):
        _delete_stored(job, keep_errors=False)
        job.preview_rows, job.errors, job.warnings = [], [], []
        job.data_removed_at = now
        fields = ["stored_file", "error_file", "preview_rows", "errors", "warnings"]
        if job.status == ImportJob.Status.PREVIEWED:
            job.status = ImportJob.Status.EXPIRED
            job.message = _("预览后 %(days)d 天内未确认，已过期，数据库未做任何修改。") % {
                "days": settings.IMPORT_KEEP_DAYS
            }
            fields += ["status", "message"]
        job.save(update_fields=[*fields, "data_removed_at"])
        count += 1
    return count


# --- the command line ---------------------------------------------------------------------------


def import_file(
    *,
    kind: str,
    path: str,
    user=None,
    sheet_name: str = "",
    dry_run: bool = False,
    accept_unverified: bool = False,
    columns: dict[str, str] | None = None,
    header_row: int | None = None,
    skip_invalid: bool = False,
    duplicates: str = engine.REFUSE,
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
        status=ImportJob.Status.PREVIEWING,
        skip_invalid=skip_invalid,
        duplicates=duplicates,
    )
    plan = engine.plan_import(
        SPECS[kind],
        io.BytesIO(data),
        job.file_name,
        user=user,
        sheet=sheet_name or None,
        progress=_progress_updater(job),
        mapping=columns or None,
        header_row=header_row,
        remembered=None if columns else (lambda sig: remembered_mapping(kind, sig)),
        skip_invalid=skip_invalid,
        duplicates=duplicates,
    )
    if columns or header_row:
        job.mapping = {"chosen": True}
    _preview(job, plan)
    if plan.is_valid and dry_run:
        job.status = ImportJob.Status.CANCELLED
        job.message = _("试运行（--dry-run）：未写入数据库。")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
    elif plan.is_valid:
        try:
            _require_accepted(job, accept_unverified)
        except NotAccepted as exc:
            job.status = ImportJob.Status.CANCELLED
            job.message = str(exc)
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "message", "finished_at"])
        else:
            import_job_apply(job=job, user=user, plan=plan)
    return job, plan


# --- background tasks (django-tasks; the worker is ``manage.py db_worker``) ----------------------
# A queued task is stored by its dotted path: organizations/tasks.py re-exports these two so that
# tasks queued under their old path (organizations.tasks.*) still run.


def _mark_failed(job_id: int, exc: Exception) -> None:
    logger.exception("background import job %s failed", job_id)
    _finish_failed(
        ImportJob(pk=job_id), _("后台任务出错，数据库未做任何修改：%(error)s") % {"error": exc}
    )


@task()
def preview_import(job_id: int) -> str:
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job.status  # cancelled or ended by the heartbeat check before it started
    try:
        import_job_preview(job=job)
    except Exception as exc:
        _mark_failed(job_id, exc)
        raise
    return job.status


@task()
def apply_import(job_id: int) -> str:
    # The preview rows (one per row of the file) are not needed to apply: not loaded.
    job = ImportJob.objects.defer("preview_rows").get(pk=job_id)
    if job.status != ImportJob.Status.APPLYING:
        return job.status
    try:
        return import_job_apply(job=job).status
    except Exception as exc:
        _mark_failed(job_id, exc)
        raise
