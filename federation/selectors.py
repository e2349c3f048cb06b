"""Reads that several pages need: the network's headline figures, computed from records."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from activities.models import Activity, Exemplar
from organizations.models import Enterprise, Federation, ServiceSite


@dataclass(frozen=True)
class HeadlineFigures:
    as_of: object
    grassroots_federations: int
    women_groups: int
    covered_enterprises: int
    surveyed_enterprises: int
    service_sites: int
    activities_this_year: int
    exemplars: int


def headline_figures() -> HeadlineFigures:
    now = timezone.localtime()
    federations = Federation.objects.active()
    return HeadlineFigures(
        as_of=now.date(),
        grassroots_federations=federations.grassroots().count(),
        women_groups=federations.groups().count(),
        covered_enterprises=Enterprise.objects.covered().count(),
        surveyed_enterprises=Enterprise.objects.surveyed().count(),
        service_sites=ServiceSite.objects.active().count(),
        activities_this_year=Activity.objects.filter(starts_at__year=now.year).count(),
        exemplars=Exemplar.objects.count(),
    )
