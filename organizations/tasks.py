"""Background import jobs (django-tasks; the worker is ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from organizations.models import ImportJob


@task()
def preview_import(job_id: int) -> str:
    from organizations.services import import_job_preview

    job = ImportJob.objects.get(pk=job_id)
    import_job_preview(job=job)
    return job.status


@task()
def apply_import(job_id: int) -> str:
    from organizations.services import import_job_apply

    job = ImportJob.objects.get(pk=job_id)
    return import_job_apply(job=job).status
