"""Writes of brands and their sessions: the one write path of each (admin pages and inlines
call these; see federation.core.writes for the steps they share)."""

from __future__ import annotations

from django.db import transaction

from brands.models import Brand, BrandSession
from federation.core.writes import delete_record, save_record


@transaction.atomic
def brand_save(*, brand: Brand, user) -> Brand:
    return save_record(brand, user=user)


@transaction.atomic
def brand_delete(*, brand: Brand, user) -> None:
    """Delete a brand with its sessions (each session keeps a deletion record by the user)."""
    for session in brand.sessions.all():
        brand_session_delete(session=session, user=user)
    delete_record(brand, user=user)


@transaction.atomic
def brand_session_save(*, session: BrandSession, user) -> BrandSession:
    """Create or update a session; one linked to activities cannot move to another brand."""
    return save_record(session, user=user)


@transaction.atomic
def brand_session_delete(*, session: BrandSession, user) -> None:
    delete_record(session, user=user)
