"""Writes of the project package's own records (the portal settings); see federation.core.writes."""

from __future__ import annotations

from django.db import transaction

from federation.core.writes import save_record
from federation.models import PortalSettings


@transaction.atomic
def portal_settings_save(*, portal_settings: PortalSettings, user) -> PortalSettings:
    """Save the one row of portal settings; the footer of every page changes with it."""
    portal_settings.pk = PortalSettings.SINGLETON_PK
    portal_settings._state.adding = not PortalSettings.objects.filter(
        pk=portal_settings.pk
    ).exists()
    return save_record(portal_settings, user=user)
