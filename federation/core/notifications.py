"""In-portal notifications (and an e-mail copy when the portal has a mail server configured)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from federation.models import Notification, User

logger = logging.getLogger(__name__)


def notify(recipient: User | None, message: str, url: str = "") -> Notification | None:
    """Tell ``recipient`` (nobody when None or inactive). The e-mail goes once committed."""
    if recipient is None or not recipient.is_active:
        return None
    message = str(message)[:400]
    notification = Notification.objects.create(recipient=recipient, message=message, url=url)
    if getattr(settings, "EMAIL_HOST", "") and recipient.email:

        def send():
            try:
                send_mail(message, message, None, [recipient.email])
            except OSError:
                logger.warning("Notification e-mail to user %s failed", recipient.pk)

        transaction.on_commit(send)
    return notification


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
