"""Signed, expiring links to an article's preview in the public layout, for any status.

Whoever holds the link sees the draft (staff open it on their phones, where they are not logged
in); it expires after ``ARTICLE_PREVIEW_MAX_AGE`` seconds and names no guessable id on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "activities.article-preview"


def max_age() -> int:
    return int(getattr(settings, "ARTICLE_PREVIEW_MAX_AGE", 7 * 24 * 3600))


def preview_url(article) -> str:
    token = signing.TimestampSigner(salt=SALT).sign(str(article.pk))
    return reverse("activities:article_shared_preview", args=[token])


def article_id_from(token: str) -> int | None:
    """The article id of a valid, unexpired token, else None."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age())
    except signing.BadSignature:  # also SignatureExpired
        return None
    return int(value) if value.isdigit() else None
