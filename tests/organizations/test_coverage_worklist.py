"""The coverage worklist (issue 14, item 1): counts and filters, 纳入覆盖 / 分派跟进 (single and
bulk, all or nothing), follow-up visits by grassroots staff and the district's confirmation."""

from __future__ import annotations

import datetime

import pytest

from organizations.models import Enterprise, Federation, FollowUpVisit
from tests.factories import EnterpriseFactory, FederationFactory, NeedFactory

pytestmark = pytest.mark.django_db
SURVEYED = datetime.date(2025, 3, 1)
URL = "/staff/coverage/"
ACT = "/staff/coverage/act/"


def login(client, user):
    client.force_login(user)


def uncovered(**extra):
    extra.setdefault("surveyed_on", SURVEYED)
    return EnterpriseFactory(**extra)


def listed(response) -> list[str]:
    return [e.name for e in response.context["rows"]]


def test_district_sees_surveyed_uncovered_enterprises_most_women_first_with_a_true_count(
    client, world
):
    uncovered(name="甲公司", female_employees=10, area="西区")
    uncovered(name="乙公司", employees=500, female_employees=300, area="泰达街")
    uncovered(name="丙公司", female_employees=None, area="西区")
    EnterpriseFactory(name="未摸排公司", surveyed_on=None)
    EnterpriseFactory(name="已覆盖公司", surveyed_on=SURVEYED, federation=world.fed_a)
    for n in range(55):
        uncovered(name=f"批量{n:02d}公司", female_employees=5)
    login(client, world.editor)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["paginator"].count == 58
    assert listed(response)[:2] == ["乙公司", "甲公司"]
    assert len(listed(response)) == 50
    assert "共 58 家已摸排、尚未覆盖的企业" in response.content.decode()
    assert listed(client.get(URL, {"page": 2}))[-1] == "丙公司"  # no figure: last


def test_filters_by_area_building_sector_industry_women_needs_party_and_state(client, world):
    childcare = NeedFactory(code="childcare", name="托育")
    a = uncovered(
        name="甲公司", area="西区", building="泰达MSD", industry="软件", female_employees=80
    )
    a.needs.add(childcare)
    uncovered(
        name="乙公司",
        area="泰达街",
        sector=Enterprise.Sector.NEW_EMPLOYMENT,
        has_party_org=True,
        female_employees=20,
        followed_by=world.fed_b,
    )
    login(client, world.viewer)
    cases = {
        "area": ("西区", ["甲公司"]),
        "building": ("MSD", ["甲公司"]),
        "sector": ("employment", ["乙公司"]),
        "industry": ("软", ["甲公司"]),
        "female_min": ("50", ["甲公司"]),
        "need": (str(childcare.pk), ["甲公司"]),
        "party": ("1", ["乙公司"]),
        "state": ("assigned", ["乙公司"]),
        "q": ("乙", ["乙公司"]),
    }
    for key, (value, expected) in cases.items():
        response = client.get(URL, {key: value})
        assert listed(response) == expected, key
        assert response.context["paginator"].count == len(expected)
    assert listed(client.get(URL, {"party": "0"})) == ["甲公司"]
    assert listed(client.get(URL, {"state": "unassigned"})) == ["甲公司"]


def test_suggestions_name_the_building_joint_and_industry_federation_with_the_reason(client, world):
    FederationFactory(
        name="泰达MSD楼宇妇联", short_name="泰达MSD", kind=Federation.Kind.BUILDING, area="泰达街"
    )
    FederationFactory(name="西区第一联合妇联", kind=Federation.Kind.JOINT, area="西区")
    FederationFactory(name="快递小哥妇联", kind=Federation.Kind.INDUSTRY, area="泰达街")
    uncovered(
        name="甲公司", building="泰达MSD", area="西区", sector=Enterprise.Sector.NEW_EMPLOYMENT
    )
    login(client, world.editor)
    page = client.get(URL).content.decode()
    assert "建议：泰达MSD楼宇妇联（所在楼宇或园区的妇联）" in page
    assert "建议：西区第一联合妇联（所在片区的联合妇联）" in page
    assert "建议：快递小哥妇联（新就业群体的行业妇联）" in page


def post(client, **data):
    return client.post(ACT, data, follow=True)


def test_cover_moves_the_enterprise_off_the_list_with_history(client, world):
    e = uncovered(name="甲公司")
    login(client, world.editor)
    response = post(
        client,
        action="cover",
        enterprise=[e.pk],
        federation=world.fed_a.name,
        covered_since="2025-06-01",
    )
    assert "已将 1 家企业纳入泰达中小企业园妇联覆盖。" in response.content.decode()
    e.refresh_from_db()
    assert (e.federation, e.covered_since) == (world.fed_a, datetime.date(2025, 6, 1))
    record = e.history.latest()
    assert record.history_user == world.editor
    assert record.history_change_reason == "纳入覆盖：泰达中小企业园妇联，自2025-06-01起"
    assert listed(client.get(URL)) == []


def test_bulk_cover_of_a_mixed_selection_names_each_refusal_and_changes_nothing(client, world):
    good = uncovered(name="甲公司")
    taken = EnterpriseFactory(name="乙公司", surveyed_on=SURVEYED, federation=world.fed_b)
    unsurveyed = EnterpriseFactory(name="丙公司", surveyed_on=None)
    login(client, world.admin)
    response = post(
        client,
        action="cover",
        enterprise=[good.pk, taken.pk, unsurveyed.pk],
        federation=world.fed_a.name,
        covered_since="2025-06-01",
    )
    page = response.content.decode()
    assert "未作任何修改" in page
    assert "乙公司 已由网约车司机妇联覆盖。" in page
    assert "丙公司 尚未摸排。" in page
    good.refresh_from_db()
    assert good.federation is None
    assert good.history.count() == 1


def test_cover_refuses_future_dates_dates_before_the_survey_and_non_grassroots(client, world):
    e = uncovered(name="甲公司")
    login(client, world.editor)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    page = post(
        client,
        action="cover",
        enterprise=[e.pk],
        federation=world.fed_a.name,
        covered_since=tomorrow,
    ).content.decode()
    assert "覆盖起始日期不能晚于今天。" in page
    page = post(
        client,
        action="cover",
        enterprise=[e.pk],
        federation=world.fed_a.name,
        covered_since="2024-01-01",
    ).content.decode()
    assert "甲公司：覆盖起始日期早于摸排日期。" in page
    page = post(
        client,
        action="cover",
        enterprise=[e.pk],
        federation=world.group_a.name,
        covered_since="2025-06-01",
    ).content.decode()
    assert "请选择您管理范围内有效的基层妇联。" in page  # a women's group is no choice
    e.refresh_from_db()
    assert e.federation is None


def test_a_building_federation_covering_another_building_asks_to_confirm(client, world):
    msd = FederationFactory(
        name="泰达MSD楼宇妇联",
        short_name="泰达MSD",
        kind=Federation.Kind.BUILDING,
        parent=world.district,
    )
    e = uncovered(name="甲公司", building="金融街大厦")
    login(client, world.editor)
    data = {
        "action": "cover",
        "enterprise": [e.pk],
        "federation": msd.name,
        "covered_since": "2025-06-01",
    }
    response = client.post(ACT, data)
    assert response.status_code == 200
    assert "甲公司 位于“金融街大厦”，不在泰达MSD楼宇妇联所在楼宇或园区，请确认。" in (
        response.content.decode()
    )
    e.refresh_from_db()
    assert e.federation is None
    post(client, confirmed="on", **data)
    e.refresh_from_db()
    assert e.federation == msd


def test_grassroots_staff_and_viewers_may_not_cover_or_assign(client, world):
    e = uncovered(name="甲公司")
    for user in (world.staff_a, world.viewer):
        login(client, user)
        response = client.post(
            ACT, {"action": "assign", "enterprise": [e.pk], "federation": world.fed_a.name}
        )
        assert response.status_code == 403
    e.refresh_from_db()
    assert e.followed_by is None


def test_assign_visit_and_confirm(client, world):
    e = uncovered(name="甲公司")
    other = uncovered(name="乙公司")
    login(client, world.editor)
    page = post(
        client, action="assign", enterprise=[e.pk], federation=world.fed_a.name
    ).content.decode()
    assert "已将 1 家企业分派给泰达中小企业园妇联跟进。" in page
    e.refresh_from_db()
    assert e.followed_by == world.fed_a
    assert e.history.latest().history_change_reason == "分派跟进：泰达中小企业园妇联"

    # Grassroots staff of A see only what was given to them; B's staff cannot reach it.
    login(client, world.staff_b)
    assert listed(client.get(URL)) == []
    assert client.get(f"/staff/coverage/{e.pk}/visit/").status_code == 404
    login(client, world.staff_a)
    assert listed(client.get(URL)) == ["甲公司"]
    assert client.get(f"/staff/coverage/{other.pk}/visit/").status_code == 404
    response = client.post(
        f"/staff/coverage/{e.pk}/visit/",
        {
            "visited_on": "2025-07-01",
            "contact_made": "on",
            "outcome": "established",
            "note": "已建会",
        },
        follow=True,
    )
    assert "走访已记录，已提请区妇联确认覆盖。" in response.content.decode()
    visit = FollowUpVisit.objects.get()
    assert (visit.federation, visit.outcome, visit.contact_made) == (
        world.fed_a,
        "established",
        True,
    )
    assert visit.history.latest().history_user == world.staff_a

    login(client, world.editor)
    assert listed(client.get(URL, {"state": "confirm"})) == ["甲公司"]
    assert "确认由泰达中小企业园妇联覆盖" in client.get(URL).content.decode()
    post(
        client,
        action="cover",
        enterprise=[e.pk],
        federation=world.fed_a.name,
        covered_since="2025-07-01",
    )
    e.refresh_from_db()
    assert (e.federation, e.covered_since, e.followed_by) == (
        world.fed_a,
        datetime.date(2025, 7, 1),
        None,
    )
    assert listed(client.get(URL)) == ["乙公司"]


def test_a_visit_in_the_future_is_refused(client, world):
    e = uncovered(name="甲公司", followed_by=world.fed_a)
    login(client, world.staff_a)
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        f"/staff/coverage/{e.pk}/visit/", {"visited_on": future, "outcome": "contacted"}
    )
    assert "走访日期不能晚于今天。" in response.content.decode()
    assert not FollowUpVisit.objects.exists()


def test_worklist_queries_do_not_grow_with_rows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(count, start):
        for n in range(start, start + count):
            uncovered(name=f"公司{n}", area=f"片区{n}", building=f"楼{n}", followed_by=world.fed_a)
            FollowUpVisit.objects.create(
                enterprise=Enterprise.objects.get(name=f"公司{n}"),
                federation=world.fed_a,
                visited_on=SURVEYED,
                outcome="contacted",
            )

    client.force_login(world.editor)
    make(2, 0)
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    make(30, 2)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(URL).context["rows"]) == 32
    assert len(large) == len(small)
