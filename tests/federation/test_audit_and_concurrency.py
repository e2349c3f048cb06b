"""Audit trail (who, when, field by field) and optimistic locking, in staff pages and admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from activities.models import Activity
from federation.core.locking import STALE_MESSAGE, StaleObjectError, save_versioned
from organizations.models import Federation, ServiceSite
from tests.factories import ActivityFactory, ServiceSiteFactory

pytestmark = pytest.mark.django_db


def site_post(site, **changes):
    data = {
        "name": site.name,
        "kind": site.kind,
        "federation": site.federation_id,
        "area": site.area,
        "address": site.address,
        "latitude": "",
        "longitude": "",
        "hours_note": site.hours_note,
        "services": site.services,
        "public_phone": site.public_phone,
        "online_url": "",
        "established_on": "",
        "description": site.description,
        "is_active": "on",
        "version_token": site.version,
        "hours-TOTAL_FORMS": 1,
        "hours-INITIAL_FORMS": 0,
        "hours-MIN_NUM_FORMS": 0,
        "hours-MAX_NUM_FORMS": 1000,
        "hours-0-weekday": 2,
        "hours-0-opens": "09:00",
        "hours-0-closes": "17:00",
    }
    data.update(changes)
    return data


def test_staff_page_change_is_recorded_with_user_and_diff(client, world):
    site = ServiceSiteFactory(federation=world.fed_a, address="第三大街1号")
    client.force_login(world.staff_a)
    response = client.post(
        reverse("staff:site_edit", args=[site.pk]),
        site_post(site, address="第五大街9号", latitude="39.0300", longitude="117.7100"),
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.hours.get().opens.hour == 9
    latest = site.history.latest()
    assert latest.history_user == world.staff_a
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(latest.prev_record).changes}
    assert changes["address"] == ("第三大街1号", "第五大街9号")

    # The history page shows who and what, field by field, in Beijing time.
    page = client.get(reverse("staff:history", args=["site", site.pk])).content.decode()
    assert "第三大街1号" in page and "第五大街9号" in page and str(world.staff_a) in page
    assert "开放时间：星期三09:00-17:00" in page  # hours have no history of their own
    # The user's own recent changes are on the dashboard.
    assert site.name in client.get(reverse("staff:dashboard")).content.decode()


def test_admin_change_is_recorded_and_its_history_shows_the_diff(client, world):
    federation = world.fed_a
    client.force_login(world.admin)
    url = reverse("admin:organizations_federation_change", args=[federation.pk])
    response = client.post(
        url,
        {
            "name": federation.name,
            "short_name": "",
            "level": federation.level,
            "kind": federation.kind,
            "parent": federation.parent_id,
            "is_active": "on",
            "area": federation.area,
            "address": federation.address,
            "channel": "",
            "established_on": "",
            "chair_name": "",
            "member_count": "",
            "description": "",
            "contact_name": "王主席",
            "contact_phone": "022-12345678",
            "version_token": federation.version,
            "children-TOTAL_FORMS": 1,
            "children-INITIAL_FORMS": 1,
            "children-MIN_NUM_FORMS": 0,
            "children-MAX_NUM_FORMS": 1000,
            "children-0-id": world.group_a.pk,
            "children-0-parent": federation.pk,
            "children-0-name": world.group_a.name,
            "children-0-level": "group",
            "children-0-area": "",
            "children-0-established_on": "",
            "children-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = Federation.history.filter(id=federation.pk).latest()
    assert latest.history_user == world.admin
    history = client.get(reverse("admin:organizations_federation_history", args=[federation.pk]))
    assert history.status_code == 200
    assert "王主席" in history.content.decode()


def test_other_scopes_cannot_read_the_history(client, world):
    site = ServiceSiteFactory(federation=world.fed_a)
    client.force_login(world.staff_b)
    assert client.get(reverse("staff:history", args=["site", site.pk])).status_code == 404
    admin_history = reverse("admin:organizations_servicesite_history", args=[site.pk])
    assert client.get(admin_history).status_code == 404
    record = site.history.latest()
    version = reverse(
        "admin:organizations_servicesite_simple_history", args=[site.pk, record.history_id]
    )
    assert client.get(version).status_code == 404
    client.force_login(world.admin)
    assert client.get(reverse("staff:history", args=["site", site.pk])).status_code == 200
    assert client.get(admin_history).status_code == 200


def test_deleted_record_history_stays_hidden_from_other_scopes(client, world):
    site = ServiceSiteFactory(federation=world.fed_a)
    pk = site.pk
    site.delete()
    client.force_login(world.staff_b)
    assert (
        client.get(reverse("admin:organizations_servicesite_history", args=[pk])).status_code == 404
    )
    client.force_login(world.admin)
    assert (
        client.get(reverse("admin:organizations_servicesite_history", args=[pk])).status_code == 200
    )


# --- concurrency --------------------------------------------------------------------------------
def test_second_of_two_stale_staff_saves_is_refused_and_keeps_the_input(client, world):
    site = ServiceSiteFactory(federation=world.fed_a, address="原地址1号")
    url = reverse("staff:site_edit", args=[site.pk])
    first, second = site_post(site, address="甲改的地址"), site_post(site, address="乙改的地址")

    client.force_login(world.staff_a)
    assert f'name="version_token" value="{site.version}"' in client.get(url).content.decode()
    assert client.post(url, first).status_code == 302
    client.force_login(world.editor)
    response = client.post(url, second)
    assert response.status_code == 200
    content = response.content.decode()
    assert str(STALE_MESSAGE) in content
    assert "乙改的地址" in content  # the second user's input is still in the form
    site.refresh_from_db()
    assert site.address == "甲改的地址" and site.version == 2


def test_stale_activity_save_through_the_staff_page(client, world):
    activity = ActivityFactory(organizer=world.fed_a, title="原标题")
    url = reverse("staff:activity_edit", args=[activity.pk])
    client.force_login(world.staff_a)
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        title="我的新标题",
        organizer=world.fed_a.pk,
        starts_at=activity.starts_at.strftime("%Y-%m-%dT%H:%M"),
        is_public="on",
        version_token=activity.version,
    )
    data.pop("series", None), data.pop("site", None), data.pop("ends_at", None)
    Activity.objects.filter(pk=activity.pk).update(version=activity.version + 1)  # saved elsewhere
    response = client.post(url, data)
    assert response.status_code == 200
    assert str(STALE_MESSAGE) in response.content.decode()
    assert "我的新标题" in response.content.decode()
    activity.refresh_from_db()
    assert activity.title == "原标题"


def test_second_of_two_stale_admin_saves_is_refused(client, world):
    site = ServiceSiteFactory(federation=world.fed_a, address="原地址")
    url = reverse("admin:organizations_servicesite_change", args=[site.pk])

    def admin_post(address):
        data = site_post(site, address=address)
        data.pop("hours-0-weekday"), data.pop("hours-0-opens"), data.pop("hours-0-closes")
        data["hours-TOTAL_FORMS"] = 0
        return data

    client.force_login(world.editor)
    assert 'name="version_token"' in client.get(url).content.decode()
    first, second = admin_post("编辑甲的修改"), admin_post("编辑乙的修改")
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert response.status_code == 200
    assert str(STALE_MESSAGE) in response.content.decode()
    assert "编辑乙的修改" in response.content.decode()
    site.refresh_from_db()
    assert site.address == "编辑甲的修改"


def test_compare_and_increment_refuses_the_loser(world):
    site = ServiceSiteFactory(federation=world.fed_a)
    one, two = ServiceSite.objects.get(pk=site.pk), ServiceSite.objects.get(pk=site.pk)
    one.address, two.address = "一", "二"
    save_versioned(one, expected_version=1)
    with pytest.raises(StaleObjectError):
        save_versioned(two, expected_version=1)
    site.refresh_from_db()
    assert (site.address, site.version) == ("一", 2)


# --- admin scoping details ----------------------------------------------------------------------
def test_admin_foreign_key_choices_and_autocomplete_are_scoped(client, world):
    client.force_login(world.staff_a)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "activities",
            "model_name": "activity",
            "field_name": "organizer",
            "term": "",
        },
    )
    names = {row["text"] for row in response.json()["results"]}
    assert names == {world.fed_a.name, world.group_a.name}

    # Posting another federation's id is refused like an invalid choice; nothing is created.
    response = client.post(
        reverse("admin:organizations_servicesite_add"),
        {
            "name": "越权阵地",
            "kind": "women_home",
            "federation": world.fed_b.pk,
            "address": "某地",
            "is_active": "on",
            "hours-TOTAL_FORMS": 0,
            "hours-INITIAL_FORMS": 0,
            "hours-MIN_NUM_FORMS": 0,
            "hours-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 200
    assert not ServiceSite.objects.filter(name="越权阵地").exists()


def test_admin_changelist_shows_only_the_users_scope(client, world):
    ServiceSiteFactory(federation=world.fed_a, name="甲的阵地")
    ServiceSiteFactory(federation=world.group_a, name="甲小组的阵地")
    ServiceSiteFactory(federation=world.fed_b, name="乙的阵地")
    client.force_login(world.staff_a)
    page = client.get(reverse("admin:organizations_servicesite_changelist")).content.decode()
    assert "甲的阵地" in page and "甲小组的阵地" in page and "乙的阵地" not in page


def test_staff_cannot_create_a_federation_outside_their_scope_in_admin(client, world):
    client.force_login(world.staff_a)
    base = {
        "short_name": "",
        "kind": "",
        "is_active": "on",
        "area": "",
        "address": "",
        "channel": "",
        "established_on": "",
        "chair_name": "",
        "member_count": "",
        "description": "",
        "contact_name": "",
        "contact_phone": "",
        "children-TOTAL_FORMS": 0,
        "children-INITIAL_FORMS": 0,
        "children-MIN_NUM_FORMS": 0,
        "children-MAX_NUM_FORMS": 1000,
    }
    url = reverse("admin:organizations_federation_add")
    response = client.post(url, {**base, "name": "假区妇联", "level": "district"})
    assert response.status_code == 200
    assert not Federation.objects.filter(name="假区妇联").exists()
    response = client.post(
        url, {**base, "name": "新妇女小组", "level": "group", "parent": world.fed_a.pk}
    )
    assert response.status_code == 302
    assert Federation.objects.get(name="新妇女小组").parent == world.fed_a


def test_staff_cannot_change_level_parent_or_kind_of_their_federation(client, world):
    client.force_login(world.staff_a)
    page = client.get(reverse("admin:organizations_federation_change", args=[world.fed_a.pk]))
    form = page.context["adminform"].form
    assert not {"level", "parent", "kind"} & set(form.fields)
    # Staff page: the profile form has no such fields; a crafted POST cannot move it.
    response = client.post(
        reverse("staff:federation_profile"),
        {
            "contact_name": "李联络",
            "contact_phone": "13800000000",
            "level": "district",
            "parent": "",
            "kind": "online",
            "version_token": world.fed_a.version,
        },
    )
    assert response.status_code == 302
    world.fed_a.refresh_from_db()
    assert world.fed_a.contact_name == "李联络"
    assert (world.fed_a.level, world.fed_a.parent_id, world.fed_a.kind) == (
        "grassroots",
        world.district.pk,
        "single",
    )


def test_users_and_groups_admin_is_for_district_admins_only(client, world):
    for role in ("staff_a", "editor", "viewer"):
        client.force_login(getattr(world, role))
        assert client.get(reverse("admin:federation_user_changelist")).status_code == 403
        assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    client.force_login(world.admin)
    assert client.get(reverse("admin:federation_user_changelist")).status_code == 200


def test_district_admin_adds_an_account_with_password_validation(client, world):
    from federation.models import User

    client.force_login(world.admin)
    url = reverse("admin:federation_user_add")
    assert 'name="password1"' in client.get(url).content.decode()
    weak = client.post(
        url,
        {
            "username": "newstaff",
            "password1": "12345678",
            "password2": "12345678",
            "usable_password": "true",
        },
    )
    assert weak.status_code == 200 and not User.objects.filter(username="newstaff").exists()
    strong = "泰达-巾帼-2024-向前冲"
    response = client.post(
        url,
        {
            "username": "newstaff",
            "password1": strong,
            "password2": strong,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="newstaff").check_password(strong)


def test_district_admin_can_lift_a_lockout(client, world):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="staff_a",
        ip_address="127.0.0.1",
        user_agent="",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    client.force_login(world.admin)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    client.force_login(world.editor)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


def test_viewers_see_contact_data_masked_in_forms_and_history(client, world):
    """Contacts are personal data: roles without organizations.view_contact see them masked,
    never in full; the others see them, and every such view is logged."""
    from federation.models import PersonalDataAccess
    from organizations.services import federation_update_profile

    world.fed_a.contact_phone = "13912345678"
    federation_update_profile(federation=world.fed_a, user=world.admin)
    for url in (
        reverse("admin:organizations_federation_change", args=[world.fed_a.pk]),
        reverse("admin:organizations_federation_history", args=[world.fed_a.pk]),
        reverse("staff:history", args=["federation", world.fed_a.pk]),
    ):
        client.force_login(world.viewer)
        html = client.get(url).content.decode()
        assert "13912345678" not in html and "139****5678" in html, url
        assert not PersonalDataAccess.objects.filter(user=world.viewer).exists()
        client.force_login(world.staff_a)
        logged = PersonalDataAccess.objects.filter(user=world.staff_a).count()
        assert "13912345678" in client.get(url).content.decode(), url
        entry = PersonalDataAccess.objects.filter(user=world.staff_a).first()
        assert PersonalDataAccess.objects.filter(user=world.staff_a).count() == logged + 1, url
        assert entry.object_id == str(world.fed_a.pk) and "contact_phone" in entry.fields


def test_staff_profile_form_offers_contacts_only_to_those_who_may_see_them(client, world):
    from django.contrib.auth.models import Permission

    from federation.core.roles import VIEWER
    from federation.models import PersonalDataAccess
    from tests.factories import UserFactory

    world.fed_a.contact_name, world.fed_a.contact_phone = "李四", "13912345678"
    world.fed_a.save()
    url = reverse("staff:federation_profile")
    client.force_login(world.staff_a)
    html = client.get(url).content.decode()
    assert 'name="contact_phone"' in html and "13912345678" in html and "李四" in html
    entry = PersonalDataAccess.objects.get()
    assert entry.user == world.staff_a and entry.fields == "contact_name,contact_phone"

    # A read-only account that may also edit its federation's profile, but not see personal data.
    clerk = UserFactory(username="clerk", role=VIEWER, federation=world.fed_a)
    clerk.user_permissions.add(Permission.objects.get(codename="change_federation"))
    client.force_login(clerk)
    html = client.get(url).content.decode()
    assert 'name="contact_phone"' not in html and 'name="contact_name"' not in html
    assert "139****5678" in html and "李*" in html
    assert "13912345678" not in html and "李四" not in html
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    response = client.post(url, {**data, "chair_name": "王五"})
    assert response.status_code == 302
    world.fed_a.refresh_from_db()
    # Saving the form kept the contacts it did not show.
    assert (world.fed_a.chair_name, world.fed_a.contact_phone) == ("王五", "13912345678")
    assert PersonalDataAccess.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_one_wins_on_postgresql(world):
    """Real concurrency (two connections): exactly one of two saves from the same version wins."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs two concurrent connections: PostgreSQL only (SQLite serialises writes)")
    site = ServiceSiteFactory(federation=world.fed_a)
    barrier, outcomes = threading.Barrier(2), []

    def save(address):
        try:
            copy = ServiceSite.objects.get(pk=site.pk)
            copy.address = address
            barrier.wait()
            save_versioned(copy, expected_version=1)
            outcomes.append(("saved", address))
        except StaleObjectError:
            outcomes.append(("stale", address))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(a,)) for a in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(kind for kind, _a in outcomes) == ["saved", "stale"]
    site.refresh_from_db()
    assert site.version == 2
    assert site.address == next(a for kind, a in outcomes if kind == "saved")
