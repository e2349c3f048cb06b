"""Reads of the brand programmes that more than one page needs."""

from __future__ import annotations

from django.db.models import Count, Sum

from brands.models import Brand, BrandSession


def brand_outcomes():
    """Published brands with their sessions counted and outcomes summed."""
    return Brand.objects.published().annotate(
        session_count=Count("sessions"),
        total_participants=Sum("sessions__participants"),
        total_families=Sum("sessions__families"),
        total_enterprises=Sum("sessions__enterprises"),
        total_classes=Sum("sessions__classes_incubated"),
        total_couples=Sum("sessions__couples"),
    )


def sessions_at(site, limit: int = 10) -> list:
    """The latest sessions of published brands held at ``site``."""
    return list(
        BrandSession.objects.filter(site=site, brand__in=Brand.objects.published())
        .select_related("brand")
        .order_by("-starts_on")[:limit]
    )
