"""A believable past for the demo network: its history rows dated as if the portal had been kept
for two years, follow-up visits in every state, and the monthly snapshots rebuilt from that
history, so that /stats/?as_of=, the cockpit's trend and the quarterly report have something to
show on the day the demo is loaded.

The bulk loader writes one history row per record, dated now. For the records this run created,
this module dates them instead:

* a federation or a site appears on its founding day (at the earliest two years and a month
  before the anchor: the portal's records start then);
* an enterprise appears uncovered on its survey day (an unsurveyed one when the records start),
  and a covered one gets a second row, covered, on the day the coverage drive recorded it: a
  deterministic day between its survey and the anchor, so that coverage grows month by month.

Only rows this run created are touched; a second run creates nothing and so changes nothing.
"""

from __future__ import annotations

import datetime
import hashlib

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from federation.demo.vocabulary import CHANGE_REASON, DRIVERS_NAME, PARK_NAME
from organizations.models import Enterprise, Federation, FollowUpVisit, ServiceSite
from organizations.snapshots import rebuild_snapshots

RECORDS_START_DAYS = 760
#: Every FOLLOWED_EVERY-th uncovered surveyed enterprise of the plan is given to a staff federation.
FOLLOWED_EVERY = 16


def _fraction(key: str) -> float:
    """A stable number in [0, 1) from a record's natural key (the plan's random state is spent)."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 16**8


def _moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def followed_by(plan_enterprises: list[dict]) -> dict[str, str]:
    """{credit code: federation name}: the uncovered, surveyed enterprises the district gave to
    the two demo staff federations to approach."""
    candidates = [e for e in plan_enterprises if e["federation"] is None and e["surveyed_on"]]
    chosen = candidates[::FOLLOWED_EVERY]
    return {
        e["credit_code"]: (PARK_NAME if i % 2 == 0 else DRIVERS_NAME) for i, e in enumerate(chosen)
    }


def _date_founded(model, pks, anchor: datetime.date) -> None:
    start = anchor - datetime.timedelta(days=RECORDS_START_DAYS)
    rows = list(model.history.filter(id__in=pks, history_type="+"))
    for row in rows:
        founded = getattr(row, "established_on", None) or start
        row.history_date = _moment(max(founded, start), 9)
    model.history.model.objects.bulk_update(rows, ["history_date"], batch_size=500)


def _date_enterprises(pks, anchor: datetime.date) -> int:
    start = anchor - datetime.timedelta(days=RECORDS_START_DAYS)
    historical = Enterprise.history.model
    rows = list(Enterprise.history.filter(id__in=pks, history_type="+"))
    covered_rows = []
    fields = [f.attname for f in historical._meta.concrete_fields if f.attname != "history_id"]
    for row in rows:
        surveyed = row.surveyed_on or start
        row.history_date = _moment(max(surveyed, start))
        if row.federation_id is None:
            continue
        covered = historical(**{name: getattr(row, name) for name in fields})
        span = max((anchor - max(surveyed, start)).days - 1, 1)
        recorded = max(surveyed, start) + datetime.timedelta(
            days=1 + int(_fraction(row.credit_code) * span)
        )
        covered.history_type = "~"
        covered.history_date = _moment(min(recorded, anchor - datetime.timedelta(days=1)), 15)
        covered_rows.append(covered)
        # Before the drive reached it, the record said: surveyed, not covered.
        row.federation_id = None
        row.covered_since = None
        row.party_org_formed_on = None
    historical.objects.bulk_update(
        rows,
        ["history_date", "federation_id", "covered_since", "party_org_formed_on"],
        batch_size=500,
    )
    historical.objects.bulk_create(covered_rows, batch_size=500)
    return len(covered_rows)


OUTCOMES = (
    (FollowUpVisit.Outcome.CONTACTED, False, "电话联系了企业行政负责人，约定上门时间。"),
    (FollowUpVisit.Outcome.INTERESTED, True, "企业女职工较多，负责人表示愿意建立妇联组织。"),
    (FollowUpVisit.Outcome.FORMING, True, "已推选筹备组成员，正在准备成立大会。"),
    (FollowUpVisit.Outcome.ESTABLISHED, True, "已召开成立大会，请区妇联确认覆盖。"),
    (FollowUpVisit.Outcome.DECLINED, True, "企业规模较小，暂不需要单独建会，可纳入楼宇妇联。"),
)


def _visits(followed: dict[str, str], fed_pk: dict[str, int], anchor: datetime.date) -> int:
    """Visits to the followed enterprises: every state of the way, one to four visits each, the
    latest within the last four months; some not visited yet."""
    enterprises = dict(
        Enterprise.objects.filter(credit_code__in=list(followed)).values_list("credit_code", "pk")
    )
    visits = []
    for i, code in enumerate(sorted(followed)):
        if code not in enterprises or i % 6 == 5:
            continue  # given, not visited yet
        last = i % len(OUTCOMES)
        day = anchor - datetime.timedelta(days=5 + int(_fraction(code) * 110))
        for step in range(last + 1):
            outcome, contact, note = OUTCOMES[step]
            if step < last and outcome == FollowUpVisit.Outcome.DECLINED:
                continue
            visits.append(
                FollowUpVisit(
                    enterprise_id=enterprises[code],
                    federation_id=fed_pk[followed[code]],
                    visited_on=day - datetime.timedelta(days=21 * (last - step)),
                    contact_made=contact or step > 0,
                    outcome=outcome,
                    note=note,
                )
            )
    bulk_create_with_history(
        visits, FollowUpVisit, batch_size=500, default_change_reason=CHANGE_REASON
    )
    return len(visits)


def demo_history(
    *,
    anchor: datetime.date,
    enterprise_codes: list[str],
    federation_names: list[str],
    site_names: list[str],
    followed: dict[str, str],
    report,
) -> None:
    """Date the history of what this run created, log the visits, rebuild the snapshots."""
    if federation_names:
        _date_founded(
            Federation,
            list(Federation.objects.filter(name__in=federation_names).values_list("pk", flat=True)),
            anchor,
        )
    if site_names:
        _date_founded(
            ServiceSite,
            list(ServiceSite.objects.filter(name__in=site_names).values_list("pk", flat=True)),
            anchor,
        )
    if not enterprise_codes:
        return
    pks = []
    for start in range(0, len(enterprise_codes), 900):
        pks += Enterprise.objects.filter(
            credit_code__in=enterprise_codes[start : start + 900]
        ).values_list("pk", flat=True)
    report.created["organizations.HistoricalEnterprise (covered)"] += _date_enterprises(pks, anchor)
    fed_pk = dict(
        Federation.objects.filter(name__in=[PARK_NAME, DRIVERS_NAME]).values_list("name", "pk")
    )
    report.created["organizations.FollowUpVisit"] += _visits(followed, fed_pk, anchor)
    report.created["organizations.CoverageSnapshot"] += rebuild_snapshots(
        until=anchor - datetime.timedelta(days=1)
    )
