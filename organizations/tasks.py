"""Background import jobs (django-tasks; the worker is ``manage.py db_worker``)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from organizations.models import ImportJob

logger = logging.getLogger(__name__)


def _mark_failed(job_id: int, exc: Exception) -> None:
    logger.exception("background import job %s failed", job_id)
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED,
        message=_("后台任务出错，数据库未做任何修改：%(error)s") % {"error": exc},
        finished_at=timezone.now(),
    )


@task()
def preview_import(job_id: int) -> str:
    from organizations.services import import_job_preview

    job = ImportJob.objects.get(pk=job_id)
    try:
        import_job_preview(job=job)
    except Exception as exc:
        _mark_failed(job_id, exc)
        raise
    return job.status


@task()
def apply_import(job_id: int) -> str:
    from organizations.services import import_job_apply

    job = ImportJob.objects.get(pk=job_id)
    try:
        return import_job_apply(job=job).status
    except Exception as exc:
        _mark_failed(job_id, exc)
        raise
