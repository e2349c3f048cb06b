"""Personal data: masked for roles without organizations.view_contact, every unmasked view logged."""

import pytest

from federation.core.audit import personal_data_access_log
from federation.core.privacy import mask_email, mask_name, mask_phone
from federation.core.roles import DISTRICT_EDITOR, VIEWER
from federation.models import PersonalDataAccess
from tests.factories import EnterpriseFactory, FederationFactory


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("022-66291234", "022*****1234"),
        ("66291234", "662*1234"),
        ("12345", "1**45"),
        ("110", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("张三", "张*"), ("欧阳娜娜", "欧***"), ("王", "*"), ("", ""), (" 李四 ", "李*")],
)
def test_mask_name(value, masked):
    assert mask_name(value) == masked


def test_mask_email():
    assert mask_email("zhangsan@teda.gov.cn") == "z*******@teda.gov.cn"


@pytest.fixture
def enterprise(district):
    return EnterpriseFactory(
        federation=FederationFactory(parent=district),
        contact_name="张三",
        contact_phone="13812345678",
    )


@pytest.mark.django_db
def test_viewer_sees_masked_contacts_in_the_admin_and_nothing_is_logged(
    client, make_user, enterprise
):
    client.force_login(make_user(VIEWER))
    html = client.get(f"/admin/organizations/enterprise/{enterprise.pk}/change/").content.decode()
    assert "138****5678" in html and "张*" in html
    assert "13812345678" not in html and "张三" not in html
    fed = enterprise.federation
    fed.contact_name, fed.contact_phone = "李四", "13900001111"
    fed.save()
    html = client.get(f"/admin/organizations/federation/{fed.pk}/change/").content.decode()
    assert "139****1111" in html and "13900001111" not in html and "李四" not in html
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.django_db
def test_editing_without_view_contact_offers_no_contact_inputs(client, make_user, enterprise):
    from django.contrib.auth.models import Permission

    user = make_user(VIEWER)
    user.user_permissions.add(Permission.objects.get(codename="change_enterprise"))
    client.force_login(user)
    html = client.get(f"/admin/organizations/enterprise/{enterprise.pk}/change/").content.decode()
    assert 'name="name"' in html  # the form is editable…
    assert (
        'name="contact_phone"' not in html and 'name="contact_name"' not in html
    )  # …but not these
    assert "13812345678" not in html


@pytest.mark.django_db
def test_unmasked_view_is_logged_with_who_what_and_where(client, make_user, enterprise):
    editor = make_user(DISTRICT_EDITOR, username="editor")
    client.force_login(editor)
    html = client.get(
        f"/admin/organizations/enterprise/{enterprise.pk}/change/", REMOTE_ADDR="10.0.0.7"
    ).content.decode()
    assert "13812345678" in html
    entry = PersonalDataAccess.objects.get()
    assert entry.user == editor and entry.username == "editor"
    assert entry.kind == PersonalDataAccess.Kind.VIEW
    assert entry.object_id == str(enterprise.pk) and entry.object_repr == enterprise.name
    assert entry.fields == "contact_name,contact_phone"
    assert entry.path.endswith(f"/enterprise/{enterprise.pk}/change/")
    assert entry.ip_address == "10.0.0.7"
    # A second look is a second entry; an object without contacts logs nothing.
    client.get(f"/admin/organizations/enterprise/{enterprise.pk}/change/")
    empty = EnterpriseFactory()
    client.get(f"/admin/organizations/enterprise/{empty.pk}/change/")
    assert PersonalDataAccess.objects.count() == 2


@pytest.mark.django_db
def test_exports_can_be_logged_and_the_log_is_read_only(admin_client, make_user):
    from organizations.models import Enterprise

    user = make_user(DISTRICT_EDITOR)
    entry = personal_data_access_log(
        user=user,
        model=Enterprise,
        fields=["contact_name", "contact_phone"],
        object_count=120,
        kind=PersonalDataAccess.Kind.EXPORT,
    )
    assert entry.object_count == 120 and entry.object_id == ""
    listing = admin_client.get("/admin/federation/personaldataaccess/")
    assert listing.status_code == 200 and "导出" in listing.content.decode()
    assert (
        admin_client.get(f"/admin/federation/personaldataaccess/{entry.pk}/delete/").status_code
        == 403
    )
    user.delete()
    entry.refresh_from_db()
    assert entry.user is None and entry.username == user.username


@pytest.mark.django_db
def test_history_of_contact_changes_is_masked_or_logged(client, make_user, enterprise):
    enterprise.contact_phone = "13900001111"
    enterprise.save()
    history_url = f"/admin/organizations/enterprise/{enterprise.pk}/history/"
    version = enterprise.history.order_by("history_id").first().history_id
    client.force_login(make_user(VIEWER))
    html = client.get(history_url).content.decode()
    assert "138****5678" in html and "139****1111" in html
    assert "13812345678" not in html and "13900001111" not in html
    assert "13812345678" not in client.get(f"{history_url}{version}/").content.decode()
    assert PersonalDataAccess.objects.count() == 0

    client.force_login(make_user(DISTRICT_EDITOR))
    assert "13900001111" in client.get(history_url).content.decode()
    assert "13812345678" in client.get(f"{history_url}{version}/").content.decode()
    logged = list(PersonalDataAccess.objects.order_by("pk").values_list("fields", "object_id"))
    assert logged == [
        ("contact_phone", str(enterprise.pk)),
        ("contact_name,contact_phone", str(enterprise.pk)),
    ]


@pytest.mark.django_db
def test_changelist_masks_the_contact_columns_or_logs_them(client, make_user, enterprise):
    EnterpriseFactory(
        federation=enterprise.federation, contact_name="王五", contact_phone="13700002222"
    )
    EnterpriseFactory(federation=enterprise.federation, contact_name="", contact_phone="")
    url = "/admin/organizations/enterprise/"
    client.force_login(make_user(VIEWER))
    html = client.get(url).content.decode()
    assert "138****5678" in html and "137****2222" in html and "王*" in html
    assert "13812345678" not in html and "王五" not in html
    assert PersonalDataAccess.objects.count() == 0

    client.force_login(make_user(DISTRICT_EDITOR))
    html = client.get(url).content.decode()
    assert "13812345678" in html and "13700002222" in html
    entry = PersonalDataAccess.objects.get()  # one entry for the page: two rows had contacts
    assert entry.object_count == 2 and entry.object_id == ""
    assert entry.fields == "contact_name,contact_phone"


def test_every_admin_of_a_model_with_personal_data_masks_it():
    from django.contrib import admin

    from federation.core import privacy
    from federation.core.admin_privacy import PersonalDataAdminMixin

    guarded = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if privacy.personal_fields(model)
    ]
    assert sorted(guarded) == [
        "activities.Registration",
        "organizations.Enterprise",
        "organizations.Federation",
    ]
    for model, model_admin in admin.site._registry.items():
        if privacy.personal_fields(model):
            assert isinstance(model_admin, PersonalDataAdminMixin), model._meta.label
    for field in ("contact_name", "contact_phone"):
        assert callable(getattr(PersonalDataAdminMixin, f"{field}_masked", None)), field
