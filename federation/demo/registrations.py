"""Demo sign-ups (issue 13): open sign-up on upcoming activities (one nearly full, one with a
waitlist, the next daycare class), and past activities whose figures come from their check-ins.

Created only together with their activity (in the run that creates it), so an existing record is
never changed; deterministic (its own random stream, dates from the anchor day). Mobiles start with
140, which is no personal mobile prefix (China's 140 numbers are 13-digit machine numbers).
"""

from __future__ import annotations

import datetime
import random

from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from activities.models import Activity, Registration, RegistrationSettings
from activities.services import attendance_refresh
from activities.tickets import CODE_ALPHABET, CODE_LENGTH
from federation.demo.helpers import local_time, person_name
from federation.demo.vocabulary import (
    CHANGE_REASON,
    CHILDREN_HOME_SLUG,
    DISTRICT_NAME,
    MATCHMAKING_SLUG,
    PARK_NAME,
    RANDOM_SEED,
)
from organizations.models import Enterprise, ServiceSite

Status = Registration.Status


def next_daycare_holiday(today: datetime.date) -> tuple[datetime.date, str]:
    """The start and label of the next holiday daycare class after ``today``."""
    summer = datetime.date(today.year, 7, 8)
    if today < summer - datetime.timedelta(days=10):
        return summer, f"{today.year}年暑期托管班"
    return datetime.date(today.year + 1, 1, 20), f"{today.year + 1}年寒假托管班"


def demo_activities(
    today: datetime.date,
    federation_pk: dict[str, int],
    brand_pk: dict[str, int],
    site_pk: dict[str, int],
) -> list[Activity]:
    """The two upcoming activities the sign-up demo adds to the plan's ones."""
    start, label = next_daycare_holiday(today)
    children_site = (
        ServiceSite.objects.filter(kind=ServiceSite.Kind.CHILDREN_HOME)
        .order_by("name")
        .values_list("pk", flat=True)
        .first()
    )
    park_day = today + datetime.timedelta(days=6)
    return [
        Activity(
            title=f"“有你泰好”泰达儿童之家｜{label}报名",
            category=Activity.Category.URGENT_NEEDS,
            format=Activity.Format.OFFLINE,
            organizer_id=federation_pk[DISTRICT_NAME],
            brand_id=brand_pk.get(CHILDREN_HOME_SLUG),
            site_id=children_site,
            starts_at=local_time(start, 9),
            ends_at=local_time(start + datetime.timedelta(days=40), 17),
            description="寒暑假为“三新”领域职工子女提供托管服务，仅限覆盖企业的女职工为子女报名。",
        ),
        Activity(
            title="泰达中小企业园妇联“巾帼心向党”主题读书会",
            category=Activity.Category.GUIDANCE,
            format=Activity.Format.OFFLINE,
            organizer_id=federation_pk[PARK_NAME],
            starts_at=local_time(park_day, 14, 30),
            ends_at=local_time(park_day, 16, 30),
            location="泰达中小企业园综合服务楼三层",
            description="共读一本好书，分享“三新”领域女性的奋斗故事。",
        ),
    ]


def demo_registrations_seed(
    *, today: datetime.date, created_titles: set[str], editor_pk: int | None, report
) -> None:
    rng = random.Random(RANDOM_SEED + 13)
    opens = local_time(today - datetime.timedelta(days=7), 9)
    activities = {
        a.title: a
        for a in Activity.objects.filter(title__in=created_titles).select_related(
            "brand", "organizer"
        )
    }
    if not activities:
        return
    upcoming = sorted(
        (
            a
            for a in activities.values()
            if a.starts_at.date() > today
            and a.format != Activity.Format.ONLINE
            and a.brand_id is None
            and a.organizer.name != PARK_NAME
        ),
        key=lambda a: (a.starts_at, a.title),
    )
    past = sorted(
        (a for a in activities.values() if a.starts_at.date() < today and a.participants),
        key=lambda a: (a.starts_at, a.title),
        reverse=True,
    )
    settings_rows: list[RegistrationSettings] = []
    registrations: list[Registration] = []
    used_codes: set[str] = set(Registration.objects.values_list("code", flat=True))

    def code() -> str:
        while True:
            value = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if value not in used_codes:
                used_codes.add(value)
                return value

    def people(
        activity: Activity,
        count: int,
        *,
        status: str,
        start: datetime.datetime,
        checked_in: bool = False,
        erased: bool = False,
        **extra,
    ) -> None:
        mobiles = {r.mobile for r in registrations if r.activity_id == activity.pk}
        for n in range(count):
            mobile = f"140{rng.randint(0, 99_999_999):08d}"
            while mobile in mobiles:
                mobile = f"140{rng.randint(0, 99_999_999):08d}"
            mobiles.add(mobile)
            at = start + datetime.timedelta(minutes=37 * n + rng.randint(0, 30))
            registrations.append(
                Registration(
                    activity=activity,
                    code=code(),
                    participant_name="" if erased else person_name(rng),
                    mobile="" if erased else mobile,
                    status=status,
                    created_at=at,
                    queued_at=at,
                    confirmed_at=at if status == Status.CONFIRMED else None,
                    cancelled_at=at + datetime.timedelta(hours=5)
                    if status == Status.CANCELLED
                    else None,
                    checked_in_at=activity.starts_at
                    - datetime.timedelta(minutes=rng.randint(0, 25))
                    if checked_in
                    else None,
                    checked_in_by_id=editor_pk if checked_in else None,
                    checkin_method=rng.choice(
                        [
                            Registration.CheckinMethod.QR,
                            Registration.CheckinMethod.QR,
                            Registration.CheckinMethod.SELF,
                        ]
                    )
                    if checked_in
                    else "",
                    consented_at=at,
                    erased_at=local_time(today, 3, 30) if erased else None,
                    **extra,
                )
            )

    # Upcoming: open sign-up; one nearly full, one with a waitlist, one with room.
    plans = [(40, 38, 0, "请提前10分钟到场签到。"), (20, 20, 6, ""), (60, 12, 0, "")]
    for activity, (capacity, confirmed, waiting, message) in zip(upcoming, plans):
        settings_rows.append(
            RegistrationSettings(
                activity=activity,
                capacity=capacity,
                opens_at=opens,
                result_message=message,
                ask_workplace=True,
            )
        )
        people(activity, confirmed, status=Status.CONFIRMED, start=opens)
        people(
            activity, waiting, status=Status.WAITLISTED, start=opens + datetime.timedelta(days=3)
        )
    for activity in activities.values():
        if (
            activity.brand_id
            and activity.brand.slug == CHILDREN_HOME_SLUG
            and activity.starts_at.date() > today
        ):
            settings_rows.append(
                RegistrationSettings(
                    activity=activity,
                    capacity=45,
                    opens_at=opens,
                    eligibility=RegistrationSettings.Eligibility.COVERED,
                    ask_children=True,
                    question="孩子有无过敏或需要特别照顾的情况？",
                    result_message="请于开班当天8:30携带孩子的户口本或出生证明到儿童之家报到。",
                )
            )
            covered = list(
                Enterprise.objects.covered()
                .order_by("credit_code")
                .values_list("pk", flat=True)[:300]
            )
            start = len(registrations)
            people(activity, 30, status=Status.CONFIRMED, start=opens)
            for registration in registrations[start:]:
                count = rng.choice((1, 1, 1, 2))
                registration.enterprise_id = rng.choice(covered) if covered else None
                registration.children_count = count
                registration.children_ages = ",".join(str(rng.randint(4, 12)) for _ in range(count))
        elif (
            activity.organizer.name == PARK_NAME
            and activity.starts_at.date() > today
            and activity.series_id is None
        ):
            settings_rows.append(
                RegistrationSettings(activity=activity, capacity=30, opens_at=opens)
            )
            people(activity, 9, status=Status.CONFIRMED, start=opens)

    # Past: the latest daycare and matchmaking sessions and a few recent activities, whose
    # participant figure is their check-ins; one older than the retention, already erased.
    def brand_slug(a: Activity) -> str | None:
        return a.brand.slug if a.brand_id else None

    chosen = [
        next((a for a in past if brand_slug(a) == slug), None)
        for slug in (CHILDREN_HOME_SLUG, MATCHMAKING_SLUG)
    ]
    recent = [a for a in past if a.brand_id is None and (today - a.starts_at.date()).days < 90]
    chosen += recent[:3]
    old = next(
        (a for a in past if a.brand_id is None and 200 < (today - a.starts_at.date()).days < 320),
        None,
    )
    for activity in [a for a in chosen if a is not None] + ([old] if old else []):
        erased = activity is old
        start = activity.starts_at - datetime.timedelta(days=10)
        settings_rows.append(
            RegistrationSettings(
                activity=activity, capacity=activity.participants + 10, closes_at=activity.starts_at
            )
        )
        people(
            activity,
            activity.participants,
            status=Status.CONFIRMED,
            start=start,
            checked_in=True,
            erased=erased,
        )
        people(
            activity,
            max(1, activity.participants // 12),
            status=Status.CONFIRMED,
            start=start,
            erased=erased,
        )
        people(activity, 2, status=Status.CANCELLED, start=start, erased=erased)

    existing = set(
        RegistrationSettings.objects.filter(
            activity__in=[s.activity for s in settings_rows]
        ).values_list("activity_id", flat=True)
    )
    settings_rows = [s for s in settings_rows if s.activity_id not in existing]
    if not settings_rows:
        return
    wanted = {s.activity_id for s in settings_rows}
    bulk_create_with_history(
        settings_rows, RegistrationSettings, default_change_reason=CHANGE_REASON
    )
    rows = [r for r in registrations if r.activity_id in wanted]
    bulk_create_with_history(
        rows, Registration, batch_size=500, default_change_reason=CHANGE_REASON
    )
    report.created[RegistrationSettings._meta.label] += len(settings_rows)
    report.created[Registration._meta.label] += len(rows)
    for activity in Activity.objects.filter(Q(pk__in=wanted)):
        attendance_refresh(activity=activity)
