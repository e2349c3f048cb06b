"""Coverage over time (issue 14, item 2): monthly snapshots rebuilt from the records' history, and
/stats/?as_of= reading them, with a clear message for a malformed, future or too early date."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command

from organizations.models import CoverageSnapshot, Federation
from tests.factories import (
    DistrictFactory,
    EnterpriseFactory,
    FederationFactory,
    ServiceSiteFactory,
)

pytestmark = pytest.mark.django_db
TZ = "+08:00"


def at(day: str):
    return time_machine.travel(f"{day}T10:00:00{TZ}", tick=False)


@pytest.fixture
def history():
    """January: one single-unit federation, two surveyed enterprises (one covered), one site.
    February: the other enterprise is covered, a joint federation appears, the site closes.
    March: the covered-since-January enterprise is deleted."""
    with at("2025-01-15"):
        district = DistrictFactory()
        fed_a = FederationFactory(name="甲妇联", parent=district, kind=Federation.Kind.SINGLE)
        first = EnterpriseFactory(name="一号公司", surveyed_on=datetime.date(2025, 1, 2))
        second = EnterpriseFactory(
            name="二号公司",
            surveyed_on=datetime.date(2025, 1, 3),
            federation=fed_a,
            covered_since=datetime.date(2025, 1, 10),
        )
        site = ServiceSiteFactory(federation=fed_a)
    with at("2025-02-10"):
        first.federation, first.covered_since = fed_a, datetime.date(2025, 2, 10)
        first.save()
        FederationFactory(name="乙联合妇联", parent=district, kind=Federation.Kind.JOINT)
        site.is_active = False
        site.save()
    with at("2025-03-05"):
        second.delete()
    with at("2025-04-02"):
        call_command("coverage_snapshots", stdout=open("/dev/null", "w"))  # noqa: SIM115


def figures(day):
    s = CoverageSnapshot.objects.get(on=day)
    return (
        s.grassroots_federations,
        s.covered_enterprises,
        s.surveyed_enterprises,
        s.covered_of_surveyed,
        s.service_sites,
        s.by_form,
        s.by_kind,
        s.by_sector,
    )


def test_rebuild_writes_one_snapshot_per_month_end_from_history(history):
    assert list(CoverageSnapshot.objects.order_by("on").values_list("on", flat=True)) == [
        datetime.date(2025, 1, 31),
        datetime.date(2025, 2, 28),
        datetime.date(2025, 3, 31),
    ]
    kind = ServiceSiteFactory._meta.model.objects.get().kind
    assert figures(datetime.date(2025, 1, 31)) == (
        1,
        1,
        2,
        1,
        1,
        {"single": 1},
        {kind: 1},
        {"economic": [2, 1]},
    )
    assert figures(datetime.date(2025, 2, 28)) == (
        2,
        2,
        2,
        2,
        0,
        {"single": 1, "joint": 1},
        {},
        {"economic": [2, 2]},
    )
    assert figures(datetime.date(2025, 3, 31)) == (
        2,
        1,
        1,
        1,
        0,
        {"single": 1, "joint": 1},
        {},
        {"economic": [1, 1]},
    )


def test_rebuild_replaces_what_was_there(history):
    CoverageSnapshot.objects.filter(on=datetime.date(2025, 2, 28)).update(covered_enterprises=99)
    with at("2025-04-02"):
        call_command("coverage_snapshots", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert CoverageSnapshot.objects.get(on=datetime.date(2025, 2, 28)).covered_enterprises == 2
    assert CoverageSnapshot.objects.count() == 3


def test_stats_as_of_a_past_date_reads_the_snapshot_before_it_and_says_so(client, history):
    response = client.get("/stats/", {"as_of": "2025-02-15"})
    page = response.content.decode()
    assert response.context["snapshot"].on == datetime.date(2025, 1, 31)
    assert "取自 2025年1月31日 日终的月度快照" in page
    headline = page[
        page.index('id="headline"') : page.index("</table>", page.index('id="headline"'))
    ]
    assert "1 / 2" in headline  # covered of surveyed at the end of January
    response = client.get("/stats/", {"as_of": "2025-03-31"})
    assert response.context["snapshot"].on == datetime.date(2025, 3, 31)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-13-01", "日期“2025-13-01”无法识别，请按 YYYY-MM-DD 填写"),
        ("昨天", "日期“昨天”无法识别"),
        ("2099-01-01", "2099-01-01 不是过去的日期；下面是当前的数字。"),
        ("2024-06-30", "2024-06-30 之前没有月度快照；下面是当前的数字。"),
    ],
)
def test_stats_as_of_bad_dates_get_a_clear_message_and_the_current_figures(
    client, history, value, message
):
    response = client.get("/stats/", {"as_of": value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "snapshot" not in response.context
