"""Every staff URL and every admin changelist (and a change page of federation A's object)
× every role → exactly 302 / 403 / 404 / 200."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from federation.core.scoping import scope_path
from tests.factories import (
    ActivityFactory,
    ArticleFactory,
    BrandSessionFactory,
    EnterpriseFactory,
    ExemplarFactory,
    ServiceSiteFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "viewer", "staff_a", "staff_b", "editor", "admin"]


@pytest.fixture
def objects_of_a(world):
    """One record of each scoped kind, owned by federation A."""
    from activities.models import Registration, RegistrationSettings

    signup_activity = ActivityFactory(organizer=world.fed_a, title="A的报名活动")
    settings_ = RegistrationSettings.objects.create(activity=signup_activity, capacity=10)
    registration = Registration.objects.create(
        activity=signup_activity,
        code="ABCD2345",
        participant_name="李丽",
        mobile="13812345678",
        status=Registration.Status.CONFIRMED,
    )
    return {
        "activities.registrationsettings": settings_,
        "activities.registration": registration,
        "organizations.federation": world.fed_a,
        "organizations.enterprise": EnterpriseFactory(federation=world.fed_a),
        "organizations.servicesite": ServiceSiteFactory(federation=world.fed_a),
        "activities.activity": ActivityFactory(organizer=world.fed_a),
        "activities.article": ArticleFactory(
            federation=world.fed_a, status="draft", publish_at=None
        ),
        "activities.exemplar": ExemplarFactory(federation=world.fed_a),
        "brands.brandsession": BrandSessionFactory(federation=world.fed_a),
    }


@pytest.fixture
def staff_objects_of_a(objects_of_a, world, png_bytes):
    """The admin's objects plus those only the staff pages address (a photo of A's article)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from activities.images import clean_image
    from activities.services import photo_add

    photo = photo_add(
        article=objects_of_a["activities.article"],
        image=clean_image(SimpleUploadedFile("a.png", png_bytes(), "image/png")),
        user=world.staff_a,
    )
    return {**objects_of_a, "activities.photo": photo}


def _client_for(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def _expect(**by_role):
    """Expected status by role; ``others`` is the default for unnamed roles."""
    default = by_role.pop("others", None)
    return {role: by_role.get(role, default) for role in ROLES}


# --- staff pages --------------------------------------------------------------------------------
READ_ALL = _expect(anonymous=302, others=200)
CREATE = _expect(anonymous=302, viewer=403, others=200)
EDIT_A = _expect(anonymous=302, viewer=403, staff_b=404, others=200)
READ_A = _expect(anonymous=302, staff_b=404, others=200)

STAFF_URLS = [
    ("staff:dashboard", None, READ_ALL),
    ("staff:activity_list", None, READ_ALL),
    ("staff:article_list", None, READ_ALL),
    ("staff:site_list", None, READ_ALL),
    ("staff:activity_create", None, CREATE),
    ("staff:article_create", None, CREATE),
    ("staff:site_create", None, CREATE),
    ("staff:activity_edit", "activities.activity", EDIT_A),
    ("staff:article_edit", "activities.article", EDIT_A),
    ("staff:site_edit", "organizations.servicesite", EDIT_A),
    ("staff:article_preview", "activities.article", READ_A),
    # Every role with a federation edits its own profile; the viewer may not change it.
    ("staff:photo_list", None, READ_ALL),
    ("staff:photo_edit", "activities.photo", EDIT_A),
    ("staff:federation_profile", None, _expect(anonymous=302, viewer=403, others=200)),
    ("staff:history", "organizations.federation", READ_A),
    ("staff:history", "organizations.servicesite", READ_A),
    ("staff:history", "activities.activity", READ_A),
    ("staff:history", "activities.article", READ_A),
    ("staff:history", "organizations.enterprise", READ_A),
    ("staff:history", "activities.photo", READ_A),
    # Sign-up: the list is read by every role of the scope; check-in and settings change things.
    ("staff:registration_list", "activities.registrationsettings", READ_A),
    (
        "staff:registration_export",
        "activities.registrationsettings",
        _expect(anonymous=302, viewer=403, staff_b=404, others=200),
    ),
    ("staff:registration_settings", "activities.registrationsettings", EDIT_A),
    ("staff:checkin", "activities.registrationsettings", EDIT_A),
    ("staff:checkin_code", "activities.registrationsettings", EDIT_A),
]
HISTORY_KEYS = {
    "organizations.federation": "federation",
    "organizations.servicesite": "site",
    "organizations.enterprise": "enterprise",
    "activities.activity": "activity",
    "activities.article": "article",
    "activities.photo": "photo",
}


def test_every_staff_url_is_in_the_matrix():
    from federation.staff.urls import urlpatterns

    assert {f"staff:{p.name}" for p in urlpatterns} - {n for n, _o, _e in STAFF_URLS} == {
        "staff:article_transition",  # POST only: test_staff_post_matrix
        "staff:photo_delete",  # POST only: test_staff_post_matrix
        "staff:checkin_scan",  # POST only: test_staff_post_matrix_check_in
        "staff:registration_action",  # POST only: test_staff_post_matrix_registration_cancel
    }


@pytest.mark.parametrize("role", ROLES)
def test_staff_get_matrix(client, world, staff_objects_of_a, role):
    objects_of_a = staff_objects_of_a
    client = _client_for(client, world, role)
    got, want = {}, {}
    for name, label, expected in STAFF_URLS:
        if name == "staff:history":
            obj = objects_of_a[label]
            url = reverse(name, args=[HISTORY_KEYS[label], obj.pk])
        elif label == "activities.registrationsettings":
            url = reverse(name, args=[objects_of_a[label].activity_id])
        elif label:
            url = reverse(name, args=[objects_of_a[label].pk])
        else:
            url = reverse(name)
        got[url] = client.get(url).status_code
        want[url] = expected[role]
    assert got == want


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("viewer", 403),
        ("staff_a", 403),
        ("staff_b", 404),
        ("editor", 302),
        ("admin", 302),
    ],
)
def test_staff_post_matrix_publish(client, world, objects_of_a, role, expected):
    """Publishing: editors and admins only (302 back to the preview); staff of A 403; B 404."""
    article = objects_of_a["activities.article"]
    client = _client_for(client, world, role)
    response = client.post(reverse("staff:article_transition", args=[article.pk, "publish"]))
    assert response.status_code == expected
    article.refresh_from_db()
    assert (article.status == "published") == (role in ("editor", "admin"))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("viewer", 403),
        ("staff_a", 302),
        ("staff_b", 404),
        ("editor", 302),
        ("admin", 302),
    ],
)
def test_staff_post_matrix_photo_delete(client, world, objects_of_a, role, expected, png_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from activities.images import clean_image
    from activities.services import photo_add

    article = objects_of_a["activities.article"]
    photo = photo_add(
        article=article,
        image=clean_image(SimpleUploadedFile("a.png", png_bytes(), "image/png")),
        user=world.staff_a,
    )
    client = _client_for(client, world, role)
    response = client.post(reverse("staff:photo_delete", args=[photo.pk]))
    assert response.status_code == expected
    assert article.photos.exists() == (role not in ("staff_a", "editor", "admin"))


@pytest.mark.parametrize(
    ("role", "expected", "checked_in"),
    [
        ("anonymous", 302, False),
        ("viewer", 403, False),
        ("staff_a", 200, True),
        ("staff_b", 404, False),
        ("editor", 200, True),
        ("admin", 200, True),
    ],
)
def test_staff_post_matrix_check_in(client, world, objects_of_a, role, expected, checked_in):
    registration = objects_of_a["activities.registration"]
    client = _client_for(client, world, role)
    response = client.post(
        reverse("staff:checkin_scan", args=[registration.activity_id]),
        {"code": registration.code},
        content_type="application/json",
    )
    assert response.status_code == expected
    registration.refresh_from_db()
    assert (registration.checked_in_at is not None) == checked_in


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("viewer", 403),
        ("staff_a", 302),
        ("staff_b", 404),
        ("editor", 302),
        ("admin", 302),
    ],
)
def test_staff_post_matrix_registration_cancel(client, world, objects_of_a, role, expected):
    registration = objects_of_a["activities.registration"]
    client = _client_for(client, world, role)
    response = client.post(reverse("staff:registration_action", args=[registration.pk, "cancel"]))
    assert response.status_code == expected
    registration.refresh_from_db()
    assert (registration.status == "cancelled") == (role in ("staff_a", "editor", "admin"))


# --- admin: generated from the registry ---------------------------------------------------------
def _admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _expected_changelist(user, model):
    if user is None:
        return 302
    opts = model._meta
    may = user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )
    return 200 if may else 403


def test_registry_covers_every_scoped_model(objects_of_a):
    scoped = {m._meta.label_lower for m in admin.site._registry if scope_path(m) is not None}
    assert scoped == set(objects_of_a)


@pytest.mark.parametrize("role", ROLES)
def test_admin_changelist_matrix(client, world, role):
    client = _client_for(client, world, role)
    user = None if role == "anonymous" else getattr(world, role)
    got, want = {}, {}
    for model in admin.site._registry:
        url = _admin_url(model, "changelist")
        got[url] = client.get(url).status_code
        want[url] = _expected_changelist(user, model)
    assert got == want


def test_admin_key_expectations_are_what_the_roles_say(world):
    """The generated expectations above encode these rules (spelled out, not derived)."""
    from django.contrib.auth.models import Group

    from federation.models import User

    assert _expected_changelist(world.admin, User) == 200
    assert _expected_changelist(world.admin, Group) == 200
    for role in ("viewer", "staff_a", "editor"):
        assert _expected_changelist(getattr(world, role), User) == 403
        assert _expected_changelist(getattr(world, role), Group) == 403


@pytest.mark.parametrize("role", ROLES)
def test_admin_change_page_of_federation_a_object(client, world, objects_of_a, role):
    client = _client_for(client, world, role)
    user = None if role == "anonymous" else getattr(world, role)
    got, want = {}, {}
    for obj in objects_of_a.values():
        model = type(obj)
        url = _admin_url(model, "change", obj.pk)
        got[url] = client.get(url).status_code
        if user is None:
            want[url] = 302
        elif role == "staff_b":
            want[url] = 404  # another federation's record: exactly like a missing one
        else:
            want[url] = _expected_changelist(user, model)
        history = _admin_url(model, "history", obj.pk)
        got[history] = client.get(history).status_code
        want[history] = want[url]
    assert got == want


@pytest.mark.parametrize("role", ["staff_b", "editor"])
def test_admin_missing_object_is_404_too(client, world, role):
    from organizations.models import ServiceSite

    client.force_login(getattr(world, role))
    assert client.get(_admin_url(ServiceSite, "change", 999999)).status_code == 404
    assert client.get(_admin_url(ServiceSite, "delete", 999999)).status_code == 404


def test_admin_delete_page_of_another_federation_is_404(client, world, objects_of_a):
    site = objects_of_a["organizations.servicesite"]
    client.force_login(world.staff_b)
    assert client.get(_admin_url(type(site), "delete", site.pk)).status_code == 404
    assert (
        client.post(_admin_url(type(site), "delete", site.pk), {"post": "yes"}).status_code == 404
    )
    site.refresh_from_db()
