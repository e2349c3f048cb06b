"""The coverage drive at the network's size and at 10×: worklist, its filters, the confirmation
list, /stats/?as_of= (a monthly snapshot), the staff dashboard (dormant alerts) and the district
cockpit with its xlsx, uncached.

Run: DEBUG=true DATABASE_URL=postgres://… .venv/bin/python bench/coverage_bench.py --scale 10
Builds a throw-away test database with bench/public_pages.py's data (741 × scale grassroots
federations, 4,000 × scale enterprises, 336 × scale sites, …), half of the enterprises uncovered
with areas, buildings and women employees, a tenth of those given to a federation with a visit,
and 24 monthly snapshots; then prints the median time and the queries of each page. Times are
noisy: compare the pages with each other and with /stats/ (now) in one run.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import time

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from public_pages import build  # noqa: I001 (sets up Django first)

from federation.core.roles import DISTRICT_EDITOR, FEDERATION_STAFF
from organizations.models import CoverageSnapshot, Enterprise, Federation, FollowUpVisit
from organizations.snapshots import month_ends
from tests import factories as f

AREAS = ["泰达街", "新城", "西区", "南港"]


def build_coverage(scale: float) -> Federation:
    rng = random.Random(2)
    federations = list(Federation.objects.grassroots().values_list("pk", flat=True))
    uncovered = list(
        Enterprise.objects.filter(federation__isnull=True).values_list("pk", flat=True)
    )
    rows = []
    for pk in uncovered:
        employees = rng.randrange(5, 2000)
        rows.append(
            Enterprise(
                pk=pk,
                area=rng.choice(AREAS),
                building=f"楼宇{rng.randrange(int(64 * scale))}",
                employees=employees,
                female_employees=int(employees * rng.uniform(0.1, 0.7)),
                followed_by_id=rng.choice(federations) if rng.random() < 0.1 else None,
            )
        )
    Enterprise.objects.bulk_update(
        rows, ["area", "building", "employees", "female_employees", "followed_by"], batch_size=2000
    )
    outcomes = [value for value, _label in FollowUpVisit.Outcome.choices]
    FollowUpVisit.objects.bulk_create(
        FollowUpVisit(
            enterprise_id=row.pk,
            federation_id=row.followed_by_id,
            visited_on=datetime.date(2025, 6, 1),
            outcome=rng.choice(outcomes),
        )
        for row in rows
        if row.followed_by_id
    )
    days = month_ends(datetime.date(2024, 1, 1), datetime.date(2025, 12, 31))
    CoverageSnapshot.objects.bulk_create(
        CoverageSnapshot(
            on=day,
            grassroots_federations=int(600 * scale) + n,
            women_groups=int(300 * scale),
            covered_enterprises=int(1500 * scale) + n * 20,
            surveyed_enterprises=int(4000 * scale),
            covered_of_surveyed=int(1500 * scale) + n * 20,
            service_sites=int(300 * scale),
            by_form={"single": int(200 * scale), "joint": int(100 * scale)},
            by_kind={"home": int(100 * scale)},
            by_sector={"economic": [int(2000 * scale), int(800 * scale)]},
        )
        for n, day in enumerate(days)
    )
    return Federation.objects.get(pk=rng.choice(federations))


def timed(client, url, repeat):
    times = []
    for _ in range(repeat):
        cache.clear()
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        start = time.perf_counter()
        build(args.scale)
        followed = build_coverage(args.scale)
        print(
            f"scale {args.scale}: {Federation.objects.count()} federations, "
            f"{Enterprise.objects.count()} enterprises "
            f"({Enterprise.objects.filter(federation__isnull=True).count()} uncovered), "
            f"built in {time.perf_counter() - start:.0f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None
        district = Federation.objects.district().get()
        editor = f.UserFactory(username="bench_editor", role=DISTRICT_EDITOR, federation=district)
        staff = f.UserFactory(username="bench_staff", role=FEDERATION_STAFF, federation=followed)
        pages = [
            (editor, "/staff/coverage/"),
            (editor, "/staff/coverage/?area=西区&sector=economic&female_min=100"),
            (editor, "/staff/coverage/?state=confirm"),
            (editor, "/staff/coverage/?page=20"),
            (staff, "/staff/coverage/"),
            (editor, "/staff/"),
            (editor, "/staff/cockpit/"),
            (editor, "/staff/cockpit/cockpit.xlsx"),
            (None, "/stats/"),
            (None, "/stats/?as_of=2025-06-15"),
        ]
        print(f"{'page':52} {'queries':>7} {'ms':>8}")
        for user, url in pages:
            client = Client()
            if user:
                client.force_login(user)
            median, queries = timed(client, url, args.repeat)
            who = "staff " if user is staff else ""
            print(f"{(who + url)[:52]:52} {queries:>7} {median * 1000:>8.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
