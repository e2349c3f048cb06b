"""Monthly coverage snapshots, rebuilt from the records' history (django-simple-history).

One pass over each history table in time order replays the records; at the end of every month's
last day (local time) the replayed state is counted into a :class:`CoverageSnapshot`. Requests
then read one snapshot row instead of scanning history.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import transaction
from django.utils import timezone

from organizations.models import CoverageSnapshot, Enterprise, Federation, ServiceSite


def month_ends(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The last day of every month from ``first``'s month up to ``last`` (inclusive)."""
    ends = []
    month = first.replace(day=1)
    while True:
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        end = following - datetime.timedelta(days=1)
        if end > last:
            return ends
        ends.append(end)
        month = following


def _end_of(day: datetime.date) -> datetime.datetime:
    following = day + datetime.timedelta(days=1)
    return datetime.datetime.combine(
        following, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )


def _replay(model, fields: tuple[str, ...], days: list[datetime.date]):
    """Yield (day, {pk: {field: value}}) for each day: the records as they stood at its end."""
    state: dict[int, dict] = {}
    rows = (
        model.history.order_by("history_date", "history_id")
        .values_list("id", "history_type", "history_date", *fields)
        .iterator(chunk_size=5000)
    )
    pending = next(rows, None)
    for day in days:
        limit = _end_of(day)
        while pending is not None and pending[2] < limit:
            pk, kind, _when, *values = pending
            if kind == "-":
                state.pop(pk, None)
            else:
                state[pk] = dict(zip(fields, values, strict=True))
            pending = next(rows, None)
        yield day, state


def figures_by_day(
    days: list[datetime.date], federations: set[int] | None = None
) -> dict[datetime.date, dict]:
    """The network's stock figures at the end of each day; with ``federations``, only those
    federations and the enterprises and sites they had on that day (one federation's report)."""
    figures = {day: {} for day in days}

    def mine(pk) -> bool:
        return federations is None or pk in federations

    for day, feds in _replay(Federation, ("level", "kind", "is_active"), days):
        active = [f for pk, f in feds.items() if f["is_active"] and mine(pk)]
        grassroots = [f for f in active if f["level"] == Federation.Level.GRASSROOTS]
        figures[day].update(
            grassroots_federations=len(grassroots),
            women_groups=sum(1 for f in active if f["level"] == Federation.Level.GROUP),
            by_form=dict(Counter(f["kind"] for f in grassroots)),
        )
    fields = ("federation_id", "surveyed_on", "sector", "area")
    for day, firms in _replay(Enterprise, fields, days):
        by_sector: dict[str, list[int]] = {}
        by_area: dict[str, list[int]] = {}
        covered = surveyed = covered_of_surveyed = 0
        for e in firms.values():
            if federations is not None and e["federation_id"] not in federations:
                continue
            is_covered = e["federation_id"] is not None
            covered += is_covered
            if e["surveyed_on"] is not None:
                surveyed += 1
                covered_of_surveyed += is_covered
                pair = by_sector.setdefault(e["sector"], [0, 0])
                pair[0] += 1
                pair[1] += is_covered
                pair = by_area.setdefault(e["area"], [0, 0])
                pair[0] += 1
                pair[1] += is_covered
        figures[day].update(
            covered_enterprises=covered,
            surveyed_enterprises=surveyed,
            covered_of_surveyed=covered_of_surveyed,
            by_sector=by_sector,
            by_area=by_area,
        )
    for day, sites in _replay(ServiceSite, ("kind", "is_active", "federation_id"), days):
        open_sites = [s for s in sites.values() if s["is_active"] and mine(s["federation_id"])]
        figures[day].update(
            service_sites=len(open_sites), by_kind=dict(Counter(s["kind"] for s in open_sites))
        )
    return figures


@transaction.atomic
def rebuild_snapshots(until: datetime.date | None = None) -> int:
    """Replace every snapshot by one per month end, from the first history record to ``until``
    (default: yesterday). Returns how many were written."""
    from federation.web.cache import public_cache_invalidate

    until = until or timezone.localdate() - datetime.timedelta(days=1)
    first = Federation.history.order_by("history_date").values_list("history_date", flat=True)[:1]
    if not first:
        CoverageSnapshot.objects.all().delete()
        return 0
    days = month_ends(timezone.localtime(first[0]).date(), until)
    rows = [CoverageSnapshot(on=day, **values) for day, values in figures_by_day(days).items()]
    CoverageSnapshot.objects.all().delete()
    CoverageSnapshot.objects.bulk_create(rows)
    transaction.on_commit(public_cache_invalidate)
    return len(rows)


def snapshot_at(day: datetime.date) -> CoverageSnapshot | None:
    """The latest snapshot on or before ``day`` (one indexed row)."""
    return CoverageSnapshot.objects.filter(on__lte=day).order_by("-on").first()
