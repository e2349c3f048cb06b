"""Input hygiene: control characters never make a 500, invalid admin filters are a 400, names are
normalised so look-alike duplicates meet the unique constraints, the Permissions-Policy header."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from organizations.importing import jobs
from organizations.models import Federation, ServiceSite
from tests.factories import FederationFactory, ServiceSiteFactory
from tests.organizations.import_helpers import xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "/search/?q=%00",
        "/search/?q=%E5%A6%87%00%E8%81%94",
        "/news/?category=%00",
        "/sites/?area=%01",
        "/?x=%7F",
        "/news/?%00=1",
    ],
)
def test_control_characters_in_a_link_are_a_chinese_400(client, query):
    response = client.get(query)
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()


def test_control_characters_in_a_form_are_removed(client, world):
    client.force_login(world.staff_a)
    response = client.post(
        "/staff/sites/new/",
        {
            "name": "泰达\x00妇女之家\x07",
            "kind": ServiceSite.Kind.WOMEN_HOME,
            "federation": world.fed_a.pk,
            "area": "泰达",
            "address": "第三大街1号",
            "services": "",
            "hours_note": "",
            "description": "",
            "public_phone": "",
            "online_url": "",
            "hours-TOTAL_FORMS": "0",
            "hours-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ServiceSite.objects.get().name == "泰达妇女之家"


@pytest.mark.parametrize(
    "query",
    [
        "?name__regex=(",
        "?name__iregex=[",
        "?name__range=ab",
        "?name__range=a,b,c",
    ],
)
def test_invalid_admin_filters_are_a_400_not_a_500(client, world, query):
    FederationFactory(parent=world.district)
    client.force_login(world.admin)
    response = client.get("/admin/organizations/federation/" + query)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("泰达\u200b妇女之家", "泰达妇女之家"),  # zero-width space
        ("泰达\u202e之家女妇", "泰达之家女妇"),  # right-to-left override
        ("\ufeff泰达妇女之家\u2060", "泰达妇女之家"),  # BOM, word joiner
        ("泰达  妇女\u3000之家 ", "泰达 妇女 之家"),  # spaces collapsed, ideographic space
        ("橙意家人科技(天津)有限公司妇联", "橙意家人科技（天津）有限公司妇联"),  # one bracket form
        ("ＴＥＤＡ妇联", "TEDA妇联"),
    ],
)
def test_names_are_normalised_on_save(world, typed, stored):
    federation = Federation.objects.create(
        name=typed,
        level=Federation.Level.GRASSROOTS,
        kind=Federation.Kind.SINGLE,
        parent=world.district,
    )
    federation.refresh_from_db()
    assert federation.name == stored


def test_a_look_alike_name_meets_the_unique_constraint(world):
    ServiceSiteFactory(name="泰达妇女之家", federation=world.fed_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceSiteFactory(name="泰达\u200b妇女之家", federation=world.fed_a)


def test_the_admin_refuses_a_look_alike_with_a_message(client, world):
    ServiceSiteFactory(name="泰达妇女之家", federation=world.fed_a)
    client.force_login(world.admin)
    response = client.post(
        "/admin/organizations/servicesite/add/",
        {
            "name": "泰达\u200b妇女之家",
            "kind": ServiceSite.Kind.WOMEN_HOME,
            "federation": world.fed_a.pk,
            "area": "",
            "address": "第三大街2号",
            "is_active": "on",
            "hours-TOTAL_FORMS": "0",
            "hours-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "已存在" in response.content.decode()
    assert ServiceSite.objects.count() == 1


def test_an_imported_look_alike_updates_the_existing_site(tmp_path, world):
    ServiceSiteFactory(name="泰达妇女之家", federation=world.fed_a, address="第三大街1号")
    headers = ["名称", "类型", "主办妇联", "地址"]
    rows = [["泰达\u200b妇女之家", "妇女之家", "泰达中小企业园\u200d妇联", "第三大街9号"]]
    path = tmp_path / "sites.xlsx"
    path.write_bytes(xlsx_bytes(rows, headers))
    job, plan = jobs.import_file(kind="site", path=str(path), user=None)
    assert plan.is_valid, [str(e) for e in plan.errors]
    assert (job.new_count, job.updated_count) == (0, 1)
    assert list(ServiceSite.objects.values_list("name", "address")) == [
        ("泰达妇女之家", "第三大街9号")
    ]


def test_pages_deny_browser_features_they_never_use(client):
    policy = client.get("/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=(self)", "payment=()", "usb=()"):
        assert feature in policy
