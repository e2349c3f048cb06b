"""Reads of the network directory that more than one page needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from federation.core.queries import count_many
from organizations.models import Enterprise, Federation


@dataclass(frozen=True)
class NetworkFigures:
    grassroots_federations: int
    women_groups: int
    covered_enterprises: int


def network_figures() -> NetworkFigures:
    """The network's size, in one query: what the federation directory states at its top."""
    federations = Federation.objects.active()
    counts = count_many(
        grassroots=federations.grassroots(),
        groups=federations.groups(),
        covered=Enterprise.objects.covered(),
    )
    return NetworkFigures(
        grassroots_federations=counts["grassroots"],
        women_groups=counts["groups"],
        covered_enterprises=counts["covered"],
    )


def federations_by_form() -> list[dict]:
    """Active grassroots federations by form of organisation, every form listed."""
    counts = dict(
        Federation.objects.active()
        .grassroots()
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return [
        {"kind": kind, "label": label, "count": counts.get(kind, 0)}
        for kind, label in Federation.Kind.choices
    ]
