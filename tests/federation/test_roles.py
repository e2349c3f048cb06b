"""Each role's exact permissions, written out: one permission more or less for a role fails here.

The tables are literal (never taken from ``federation.core.roles.role_permissions()``): they say
what each role is for. District admins run the network (every record, accounts, groups, lockouts,
imports and the export log); district editors keep and publish the content; grassroots staff keep
their own federation's records but delete nothing except photos and publish nothing; viewers read.
"""

import pytest
from django.contrib.auth.models import Group, Permission

from federation.core.roles import ensure_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# fmt: off
DISTRICT_ADMIN = {
    "organizations.view_federation", "organizations.add_federation", "organizations.change_federation", "organizations.delete_federation",
    "organizations.view_enterprise", "organizations.add_enterprise", "organizations.change_enterprise", "organizations.delete_enterprise",
    "organizations.view_servicesite", "organizations.add_servicesite", "organizations.change_servicesite", "organizations.delete_servicesite",
    "organizations.view_openinghours", "organizations.add_openinghours", "organizations.change_openinghours", "organizations.delete_openinghours",
    "organizations.view_need", "organizations.add_need", "organizations.change_need", "organizations.delete_need",
    "organizations.view_mediaaccount", "organizations.add_mediaaccount", "organizations.change_mediaaccount", "organizations.delete_mediaaccount",
    "organizations.view_followupvisit", "organizations.add_followupvisit", "organizations.change_followupvisit", "organizations.delete_followupvisit",
    "activities.view_activity", "activities.add_activity", "activities.change_activity", "activities.delete_activity",
    "activities.view_article", "activities.add_article", "activities.change_article", "activities.delete_article",
    "activities.view_photo", "activities.add_photo", "activities.change_photo", "activities.delete_photo",
    "activities.view_exemplar", "activities.add_exemplar", "activities.change_exemplar", "activities.delete_exemplar",
    "activities.view_series", "activities.add_series", "activities.change_series", "activities.delete_series",
    "activities.view_articletransition", "activities.add_articletransition", "activities.change_articletransition", "activities.delete_articletransition",
    "brands.view_brand", "brands.add_brand", "brands.change_brand", "brands.delete_brand",
    "brands.view_brandsession", "brands.add_brandsession", "brands.change_brandsession", "brands.delete_brandsession",
    "activities.publish_article",
    "auth.change_group",
    "auth.view_group",
    "axes.delete_accessattempt",
    "axes.view_accessattempt",
    "axes.view_accessfailurelog",
    "federation.add_user",
    "federation.change_user",
    "federation.view_user",
    # The portal's official face (footer, 备案 numbers, lead story): district admins only.
    "federation.view_portalsettings",
    "federation.add_portalsettings",
    "federation.change_portalsettings",
    "organizations.view_contact",
    "organizations.cover_enterprise",
    "organizations.view_cockpit",
    "organizations.view_coveragetarget", "organizations.add_coveragetarget", "organizations.change_coveragetarget",
    "organizations.view_exportlog",
    "organizations.view_importjob",
    "activities.view_registrationsettings", "activities.add_registrationsettings", "activities.change_registrationsettings", "activities.delete_registrationsettings",
    "activities.view_registration", "activities.add_registration", "activities.change_registration", "activities.delete_registration",
    "activities.export_registration",
    "activities.view_sensitive_registration",
}
DISTRICT_EDITOR = {
    "organizations.view_federation", "organizations.add_federation", "organizations.change_federation", "organizations.delete_federation",
    "organizations.view_enterprise", "organizations.add_enterprise", "organizations.change_enterprise", "organizations.delete_enterprise",
    "organizations.view_servicesite", "organizations.add_servicesite", "organizations.change_servicesite", "organizations.delete_servicesite",
    "organizations.view_openinghours", "organizations.add_openinghours", "organizations.change_openinghours", "organizations.delete_openinghours",
    "organizations.view_need", "organizations.add_need", "organizations.change_need", "organizations.delete_need",
    "organizations.view_mediaaccount", "organizations.add_mediaaccount", "organizations.change_mediaaccount", "organizations.delete_mediaaccount",
    "organizations.view_followupvisit", "organizations.add_followupvisit", "organizations.change_followupvisit", "organizations.delete_followupvisit",
    "activities.view_activity", "activities.add_activity", "activities.change_activity", "activities.delete_activity",
    "activities.view_article", "activities.add_article", "activities.change_article", "activities.delete_article",
    "activities.view_photo", "activities.add_photo", "activities.change_photo", "activities.delete_photo",
    "activities.view_exemplar", "activities.add_exemplar", "activities.change_exemplar", "activities.delete_exemplar",
    "activities.view_series", "activities.add_series", "activities.change_series", "activities.delete_series",
    "activities.view_articletransition", "activities.add_articletransition", "activities.change_articletransition", "activities.delete_articletransition",
    "brands.view_brand", "brands.add_brand", "brands.change_brand", "brands.delete_brand",
    "brands.view_brandsession", "brands.add_brandsession", "brands.change_brandsession", "brands.delete_brandsession",
    "activities.publish_article",
    "organizations.view_contact",
    "organizations.cover_enterprise",
    "organizations.view_cockpit",
    "organizations.view_coveragetarget",
    "organizations.view_importjob",
    "activities.view_registrationsettings", "activities.add_registrationsettings", "activities.change_registrationsettings", "activities.delete_registrationsettings",
    "activities.view_registration", "activities.add_registration", "activities.change_registration", "activities.delete_registration",
    "activities.export_registration",
}
FEDERATION_STAFF = {
    "organizations.view_federation", "organizations.add_federation", "organizations.change_federation",
    "organizations.view_enterprise", "organizations.add_enterprise", "organizations.change_enterprise",
    "organizations.view_servicesite", "organizations.add_servicesite", "organizations.change_servicesite",
    "organizations.view_openinghours", "organizations.add_openinghours", "organizations.change_openinghours",
    "organizations.view_need",
    "organizations.view_mediaaccount",
    "organizations.view_followupvisit", "organizations.add_followupvisit",
    "activities.view_activity", "activities.add_activity", "activities.change_activity",
    "activities.view_article", "activities.add_article", "activities.change_article",
    "activities.view_photo", "activities.add_photo", "activities.change_photo", "activities.delete_photo",
    "activities.view_exemplar",
    "activities.view_series",
    "activities.view_articletransition",
    "brands.view_brand",
    "brands.view_brandsession",
    "organizations.view_contact",
    "organizations.view_importjob",
    "activities.view_registrationsettings", "activities.add_registrationsettings", "activities.change_registrationsettings",
    "activities.view_registration", "activities.add_registration", "activities.change_registration",
    "activities.export_registration",
    "organizations.view_cockpit",
}
VIEWER = {
    "organizations.view_federation",
    "organizations.view_enterprise",
    "organizations.view_servicesite",
    "organizations.view_openinghours",
    "organizations.view_need",
    "organizations.view_mediaaccount",
    "organizations.view_followupvisit",
    "activities.view_activity",
    "activities.view_article",
    "activities.view_photo",
    "activities.view_exemplar",
    "activities.view_series",
    "activities.view_articletransition",
    "brands.view_brand",
    "brands.view_brandsession",
    "activities.view_registrationsettings",
    "activities.view_registration",
    "organizations.view_cockpit",
    "organizations.view_coveragetarget",
}
# fmt: on
EXPECTED = {
    "district_admin": DISTRICT_ADMIN,
    "district_editor": DISTRICT_EDITOR,
    "federation_staff": FEDERATION_STAFF,
    "viewer": VIEWER,
}


def _group_permissions(name: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_role_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) == set(EXPECTED)


@pytest.mark.parametrize("role", EXPECTED)
def test_each_role_group_has_exactly_its_permissions(role):
    assert _group_permissions(role) == EXPECTED[role]


@pytest.mark.parametrize("role", EXPECTED)
def test_a_member_of_the_role_has_exactly_its_permissions(role):
    user = UserFactory(role=role)
    assert user.get_all_permissions() == EXPECTED[role]


def test_an_account_without_a_role_has_no_permission():
    assert UserFactory().get_all_permissions() == set()


def test_ensure_roles_puts_a_changed_group_back():
    """Run after every migrate: a permission added or removed by hand is undone."""
    group = Group.objects.get(name="federation_staff")
    group.permissions.add(Permission.objects.get(codename="delete_enterprise"))
    group.permissions.remove(Permission.objects.get(codename="view_importjob"))
    Group.objects.get(name="viewer").permissions.clear()

    ensure_roles()

    assert _group_permissions("federation_staff") == FEDERATION_STAFF
    assert _group_permissions("viewer") == VIEWER
