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


# --- the coverage worklist ----------------------------------------------------------------


def worklist_queryset():
    """Surveyed, uncovered enterprises, most women employees first (the partial index
    ``enterprise_worklist``); nothing per row, so a deep page costs no more than the first."""
    from django.db.models.functions import Coalesce

    return (
        Enterprise.objects.filter(federation__isnull=True, surveyed_on__isnull=False)
        .select_related("followed_by")
        # The very expression of the index, so that the database reads the index in order.
        .order_by(Coalesce("female_employees", -1).desc(), "id")
    )


def latest_visits(enterprises) -> dict:
    """The latest follow-up visit of each enterprise of a page (one query)."""
    from organizations.models import FollowUpVisit

    latest = {}
    visits = FollowUpVisit.objects.filter(enterprise__in=list(enterprises)).order_by(
        "enterprise_id", "-visited_on", "-id"
    )
    for visit in visits:
        latest.setdefault(visit.enterprise_id, visit)
    return latest


def awaiting_confirmation(queryset):
    """Enterprises whose follow-up federation reported a federation 已建立 there."""
    from django.db.models import Exists, F, OuterRef

    from organizations.models import FollowUpVisit

    established = FollowUpVisit.objects.filter(
        enterprise=OuterRef("pk"),
        federation=OuterRef("followed_by"),
        outcome=FollowUpVisit.Outcome.ESTABLISHED,
    )
    return queryset.filter(Exists(established), followed_by__isnull=False).exclude(
        followed_by=F("federation")
    )


@dataclass(frozen=True)
class Suggestion:
    federation: Federation
    reason: str


def coverage_suggestions(enterprises) -> dict[int, list[Suggestion]]:
    """Suggested federations for each enterprise of a page, with the reason: the building or
    park federation of its building, a joint federation of its area, the industry federation
    for new-employment groups. Three queries whatever the page's size."""
    from django.utils.translation import gettext as _

    enterprises = list(enterprises)
    active = Federation.objects.active().grassroots()
    places = {e.building for e in enterprises if e.building}
    areas = {e.area for e in enterprises if e.area}
    by_place = {
        f.short_name: f
        for f in active.filter(
            kind__in=[Federation.Kind.BUILDING, Federation.Kind.PARK], short_name__in=places
        )
    }
    by_area: dict[str, Federation] = {}
    for f in active.filter(kind=Federation.Kind.JOINT, area__in=areas).order_by("name"):
        by_area.setdefault(f.area, f)
    industry = list(active.filter(kind=Federation.Kind.INDUSTRY).order_by("name")[:1])
    suggestions = {}
    for e in enterprises:
        found = []
        if e.building in by_place:
            found.append(Suggestion(by_place[e.building], _("所在楼宇或园区的妇联")))
        if e.area in by_area:
            found.append(Suggestion(by_area[e.area], _("所在片区的联合妇联")))
        if e.sector == Enterprise.Sector.NEW_EMPLOYMENT and industry:
            found.append(Suggestion(industry[0], _("新就业群体的行业妇联")))
        suggestions[e.pk] = found
    return suggestions


# --- dormant federations and sites ---------------------------------------------------------


def _recently_active(queryset):
    """Primary keys of the queryset's records with an activity held in the last DORMANT_DAYS
    (read through the reverse relation ``activities``: this app imports no other)."""
    import datetime

    from django.conf import settings
    from django.utils import timezone

    now = timezone.now()
    since = now - datetime.timedelta(days=settings.DORMANT_DAYS)
    return (
        queryset.model._default_manager.filter(
            activities__starts_at__gte=since, activities__starts_at__lte=now
        )
        .values("pk")
        .order_by()
    )


def dormant_federations(federations):
    """Active grassroots federations that organised no activity in the last DORMANT_DAYS."""
    return federations.active().grassroots().exclude(pk__in=_recently_active(federations))


def dormant_sites(sites):
    """Open sites where no activity took place in the last DORMANT_DAYS."""
    return sites.active().exclude(pk__in=_recently_active(sites))
