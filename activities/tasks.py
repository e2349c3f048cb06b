"""Scheduled work of the activities app (django-tasks; run daily by manage.py registrations_erase)."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def registrations_retention(keep_days: int | None = None) -> int:
    """Erase expired registrants' personal data and expired CAPTCHA challenges."""
    from captcha.models import CaptchaStore

    from activities.services import registrations_erase_expired

    erased = registrations_erase_expired(keep_days=keep_days)
    CaptchaStore.remove_expired()
    logger.info("registration retention: %d registrations erased", erased)
    return erased
