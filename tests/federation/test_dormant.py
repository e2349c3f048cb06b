"""Dormant alerts (issue 14, item 4): a grassroots federation or an open site with no activity in
DORMANT_DAYS is flagged on its staff's dashboard, within their scope."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import ActivityFactory, ServiceSiteFactory

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


@pytest.fixture
def places(world):
    busy = ServiceSiteFactory(name="泰达活力阵地", federation=world.fed_a)
    quiet = ServiceSiteFactory(name="西区安静阵地", federation=world.fed_b)
    ActivityFactory(organizer=world.fed_a, site=busy, starts_at=days_ago(10))
    ActivityFactory(organizer=world.fed_b, site=quiet, starts_at=days_ago(100))
    # Planned, not held: a future activity does not keep anyone awake.
    ActivityFactory(
        organizer=world.fed_b, site=quiet, starts_at=timezone.now() + datetime.timedelta(days=5)
    )
    return busy, quiet


def dormant(client, user):
    client.force_login(user)
    context = client.get("/staff/").context["dormant"]
    return (
        [str(f) for f in context["federations"][1]],
        [s.name for s in context["sites"][1]],
        context["federations"][0],
        context["sites"][0],
    )


def test_district_sees_every_dormant_federation_and_site(client, world, places):
    assert dormant(client, world.editor) == (["网约车司机妇联"], ["西区安静阵地"], 1, 1)


def test_staff_see_only_their_own(client, world, places):
    assert dormant(client, world.staff_a) == ([], [], 0, 0)
    assert dormant(client, world.staff_b) == (["网约车司机妇联"], ["西区安静阵地"], 1, 1)


def test_the_window_is_the_dormant_days_setting(client, world, places, settings):
    settings.DORMANT_DAYS = 120
    assert dormant(client, world.editor) == ([], [], 0, 0)
    settings.DORMANT_DAYS = 5
    assert dormant(client, world.editor)[2:] == (2, 2)


def _changelist(client, user, model, query):
    from django.urls import reverse

    client.force_login(user)
    response = client.get(reverse(f"admin:organizations_{model}_changelist"), query)
    assert response.status_code == 200
    return sorted(str(obj) for obj in response.context["cl"].result_list)


def test_admin_list_filter_dormant(client, world, places):
    assert _changelist(client, world.editor, "federation", {"dormant": "yes"}) == ["网约车司机妇联"]
    assert "泰达中小企业园妇联" in _changelist(
        client, world.editor, "federation", {"dormant": "no"}
    )
    assert "网约车司机妇联" not in _changelist(
        client, world.editor, "federation", {"dormant": "no"}
    )
    assert _changelist(client, world.editor, "servicesite", {"dormant": "yes"}) == ["西区安静阵地"]
    assert _changelist(client, world.editor, "servicesite", {"dormant": "no"}) == ["泰达活力阵地"]
    # Within the user's scope: staff of A see no dormant site of B.
    assert _changelist(client, world.staff_a, "servicesite", {"dormant": "yes"}) == []
    page = client.get("/admin/organizations/servicesite/").content.decode()
    assert "90 天没有活动" in page
