"""The masked-field oracle: a role that sees contacts masked can neither filter, sort nor search
by them (admin changelist, its export, autocomplete); roles that may see them are logged."""

from __future__ import annotations

import pytest
from django.db.models import CharField

from federation.models import PersonalDataAccess
from tests.factories import EnterpriseFactory

PERSONAL_FIELDS = ("contact_name", "contact_phone")

pytestmark = pytest.mark.django_db

PHONE = "022-0123 4567"
NAME = "欧阳娜娜"
CHANGELISTS = {
    "enterprise": "/admin/organizations/enterprise/",
    "federation": "/admin/organizations/federation/",
}
# Every lookup Django registers on a text field, with a value it accepts.
LOOKUP_VALUES = {"in": "022-0,x", "range": "0,9", "isnull": "0"}
LOOKUPS = sorted(CharField.get_lookups())
ROLES = ["viewer", "staff_a", "editor", "admin"]
MAY_SEE = {"viewer": False, "staff_a": True, "editor": True, "admin": True}


@pytest.fixture
def records(world):
    world.fed_a.contact_name, world.fed_a.contact_phone = NAME, PHONE
    world.fed_a.save()
    return EnterpriseFactory(federation=world.fed_a, contact_name=NAME, contact_phone=PHONE)


def test_every_text_lookup_is_covered():
    assert {"exact", "startswith", "contains", "regex", "iregex", "in", "range", "gt"} <= set(
        LOOKUPS
    )
    assert set(PERSONAL_FIELDS) == {"contact_name", "contact_phone"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", sorted(CHANGELISTS))
def test_every_lookup_on_every_personal_field(client, world, records, role, model):
    client.force_login(getattr(world, role))
    outcomes = {}
    for field in PERSONAL_FIELDS:
        for lookup in LOOKUPS:
            param = f"{field}__{lookup}"
            value = LOOKUP_VALUES.get(lookup, "022-0")
            listed = client.get(CHANGELISTS[model], {param: value}).status_code
            # The export is built from the same changelist: tried on every lookup where it
            # must refuse, and on one where it must work (keeps the test short).
            if not MAY_SEE[role] or lookup == "startswith":
                exported = client.get(CHANGELISTS[model] + "export/", {param: value}).status_code
            else:
                exported = listed
            outcomes[param] = (listed, exported)
    if MAY_SEE[role]:
        refused = {p for p, codes in outcomes.items() if codes == (400, 400)}
        # Regular expressions and ranges are refused for everybody; every other lookup works.
        assert refused == {
            f"{f}__{lk}" for f in PERSONAL_FIELDS for lk in ("regex", "iregex", "range")
        }
        assert all(codes == (200, 200) for p, codes in outcomes.items() if p not in refused)
        logged = PersonalDataAccess.objects.filter(user=getattr(world, role))
        assert logged.filter(fields__contains="contact_phone").exists()
        assert logged.filter(fields__contains="contact_name").exists()
        assert logged.filter(path__contains="contact_phone__startswith").exists()
    else:
        assert set(outcomes.values()) == {(400, 400)}, outcomes
        assert not PersonalDataAccess.objects.exists()


def test_a_lookup_through_a_relation_is_refused_for_the_viewer(client, world, records):
    client.force_login(world.viewer)
    for url, param in [
        ("/admin/organizations/enterprise/", "federation__contact_phone__startswith"),
        ("/admin/organizations/servicesite/", "federation__contact_phone__startswith"),
        ("/admin/organizations/enterprise/", "federation__contact_name"),
    ]:
        assert client.get(url, {param: "0"}).status_code == 400, (url, param)


def result_names(response) -> list[str]:
    return [row.name for row in response.context["cl"].result_list]


def test_sorting_by_a_masked_column_is_ignored_for_the_viewer(client, world):
    for name, phone in [
        ("甲公司", "022-0999 0001"),
        ("乙公司", "022-0111 0002"),
        ("丙公司", "022-0555 0003"),
    ]:
        EnterpriseFactory(federation=world.fed_a, name=name, contact_phone=phone)
    client.force_login(world.admin)
    cl = client.get(CHANGELISTS["enterprise"]).context["cl"]
    column = str(cl.list_display.index("contact_phone"))
    by_phone = result_names(client.get(CHANGELISTS["enterprise"], {"o": column}))
    assert by_phone == ["乙公司", "丙公司", "甲公司"]  # the admin may sort by phone

    client.force_login(world.viewer)
    default = result_names(client.get(CHANGELISTS["enterprise"]))
    for order in (column, f"-{column}"):
        assert result_names(client.get(CHANGELISTS["enterprise"], {"o": order})) == default


@pytest.mark.parametrize("term", [PHONE, "0123", NAME])
def test_the_search_does_not_look_into_masked_fields(client, world, records, term):
    client.force_login(world.viewer)
    assert client.get(CHANGELISTS["enterprise"], {"q": term}).context["cl"].result_count == 0
    assert client.get(CHANGELISTS["federation"], {"q": term}).context["cl"].result_count == 0
    client.force_login(world.admin)
    assert client.get(CHANGELISTS["enterprise"], {"q": term}).context["cl"].result_count == 1
    # Logged as a search through a personal field (besides the logged display of the row).
    searched = PersonalDataAccess.objects.filter(
        user=world.admin, fields__in=["contact_phone", "contact_name"]
    )
    assert [a.object_count for a in searched] == [1]


def test_autocomplete_does_not_search_masked_fields(client, world, records):
    params = {
        "app_label": "organizations",
        "model_name": "enterprise",
        "field_name": "federation",
        "term": "0123",
    }
    client.force_login(world.viewer)
    assert client.get("/admin/autocomplete/", params).json()["results"] == []
    client.force_login(world.admin)
    results = client.get("/admin/autocomplete/", params).json()["results"]
    assert [r["text"] for r in results] == ["泰达中小企业园妇联"]
    assert PersonalDataAccess.objects.filter(user=world.admin, fields="contact_phone").exists()
