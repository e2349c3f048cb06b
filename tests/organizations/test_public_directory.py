"""The federation directory and the service-site finder."""

from __future__ import annotations

import datetime
import io

import pytest
import segno
from django.utils import timezone

from organizations.models import Federation, ServiceSite
from tests.factories import (
    ActivityFactory,
    EnterpriseFactory,
    FederationFactory,
    OpeningHoursFactory,
    ServiceSiteFactory,
    WomenGroupFactory,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_federation_list_counts_the_network_by_form(client):
    FederationFactory.create_batch(2, kind=Federation.Kind.JOINT)
    FederationFactory(kind=Federation.Kind.BUILDING, name="泰达MSD楼宇妇联", area="MSD")
    FederationFactory(kind=Federation.Kind.ONLINE, address="", channel="网约车司机微信群")
    FederationFactory(kind=Federation.Kind.JOINT, is_active=False, name="已撤销妇联")
    response = client.get("/federations/")
    by_form = {row["kind"]: row["count"] for row in response.context["by_form"]}
    assert by_form[Federation.Kind.JOINT] == 2
    assert by_form[Federation.Kind.BUILDING] == 1
    assert by_form[Federation.Kind.ONLINE] == 1
    assert by_form[Federation.Kind.ISLAND] == 0
    page = text(response)
    assert "泰达MSD楼宇妇联" in page and "已撤销妇联" not in page
    only_buildings = text(client.get("/federations/?kind=building"))
    assert "泰达MSD楼宇妇联" in only_buildings and "网约车司机" not in only_buildings
    by_area = text(client.get("/federations/?area=MSD"))
    assert "泰达MSD楼宇妇联" in by_area


def test_federation_list_counts_and_areas_follow_every_change_at_once(client):
    FederationFactory.create_batch(2, kind=Federation.Kind.JOINT, area="泰达街")
    assert "共 2 个基层妇联" in text(client.get("/federations/?kind=joint"))
    assert '<option value="西区">' not in text(client.get("/federations/"))
    newcomer = FederationFactory(kind=Federation.Kind.JOINT, area="西区", name="西区联合妇联")
    assert "共 3 个基层妇联" in text(client.get("/federations/?kind=joint"))
    assert "共 1 个基层妇联" in text(client.get("/federations/?kind=joint&area=西区"))
    assert '<option value="西区">西区</option>' in text(client.get("/federations/"))
    newcomer.is_active = False
    newcomer.save()
    assert "共 2 个基层妇联" in text(client.get("/federations/?kind=joint"))
    assert "西区联合妇联" not in text(client.get("/federations/?kind=joint"))


def test_federation_page_shows_a_count_of_enterprises_never_the_list(client):
    federation = FederationFactory(
        name="凯莱英联合妇联",
        kind=Federation.Kind.JOINT,
        contact_name="刘联系",
        contact_phone="13612345678",
    )
    group = WomenGroupFactory(parent=federation, name="凯莱英第一妇女小组")
    for i in range(3):
        EnterpriseFactory(federation=federation, name=f"保密企业{i}", contact_phone="13700000000")
    site = ServiceSiteFactory(federation=federation, name="凯莱英妇女之家")
    ActivityFactory(organizer=federation, title="凯莱英读书会")
    page = text(client.get(federation.get_absolute_url()))
    assert "凯莱英联合妇联" in page and "联合妇联" in page
    assert group.name in page and site.name in page and "凯莱英读书会" in page
    assert "3 家" in page
    for secret in ("保密企业", "刘联系", "13612345678", "13700000000"):
        assert secret not in page
    assert client.get(group.get_absolute_url()).status_code == 200


def test_inactive_federation_is_404(client):
    federation = FederationFactory(is_active=False)
    assert client.get(federation.get_absolute_url()).status_code == 404


@pytest.fixture
def sites():
    now = timezone.localtime()
    open_site = ServiceSiteFactory(
        name="开着的妇女之家", area="泰达街", kind=ServiceSite.Kind.WOMEN_HOME
    )
    OpeningHoursFactory(
        site=open_site,
        weekday=now.weekday(),
        opens=datetime.time(0, 0),
        closes=datetime.time(23, 59, 59),
    )
    closed_site = ServiceSiteFactory(
        name="今天休息的儿童之家", area="新城", kind=ServiceSite.Kind.CHILDREN_HOME
    )
    OpeningHoursFactory(site=closed_site, weekday=(now.weekday() + 1) % 7)
    ServiceSiteFactory(name="关闭的驿站", is_active=False)
    return open_site, closed_site


def test_site_finder_filters_by_kind_area_and_open_now(client, sites):
    page = text(client.get("/sites/"))
    assert "开着的妇女之家" in page and "今天休息的儿童之家" in page and "关闭的驿站" not in page
    by_kind = text(client.get("/sites/?kind=children_home"))
    assert "今天休息的儿童之家" in by_kind and "开着的妇女之家" not in by_kind
    by_area = text(client.get("/sites/?area=泰达街"))
    assert "开着的妇女之家" in by_area and "今天休息的儿童之家" not in by_area
    open_now = text(client.get("/sites/?open_now=on"))
    assert "开着的妇女之家" in open_now and "今天休息的儿童之家" not in open_now
    assert "开放中" in open_now
    # A visitor who asks for nothing sensible still gets the full list.
    assert "开着的妇女之家" in text(client.get("/sites/?kind=nonsense"))


def test_site_page_has_address_hours_services_coordinates_and_qr(client):
    site = ServiceSiteFactory(
        name="泰达儿童之家",
        address="第三大街51号",
        services="暑期托管\n亲子阅读",
        latitude="39.041230",
        longitude="117.712340",
        public_phone="022-66201234",
        hours_note="法定节假日闭馆",
    )
    OpeningHoursFactory(site=site, weekday=0, opens=datetime.time(9), closes=datetime.time(11, 30))
    OpeningHoursFactory(site=site, weekday=0, opens=datetime.time(14), closes=datetime.time(17))
    page = text(client.get(site.get_absolute_url()))
    assert "39.041230" not in page  # raw coordinates mean nothing to a visitor
    for expected in (
        "第三大街51号",
        "暑期托管",
        "亲子阅读",
        "117.718622%2C39.042153",  # the AMap route, in GCJ-02 (not the stored WGS-84)
        "022-66201234",
        "星期一",
        "09:00–11:30",
        "14:00–17:00",
        "法定节假日闭馆",
        f"/sites/{site.pk}/qr.svg",
    ):
        assert expected in page, expected


def test_site_qr_code_encodes_the_site_page(client):
    site = ServiceSiteFactory()
    response = client.get(f"/sites/{site.pk}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    expected = segno.make(f"http://testserver/sites/{site.pk}/", error="m")
    assert response.content.decode().count("<svg") == 1
    # The very symbol segno makes for the page's absolute URL.
    buffer = io.BytesIO()
    expected.save(buffer, kind="svg", scale=8, border=4, xmldecl=True)  # a 4-module quiet zone
    assert response.content == buffer.getvalue()


def test_inactive_site_and_its_qr_are_404(client):
    site = ServiceSiteFactory(is_active=False)
    assert client.get(site.get_absolute_url()).status_code == 404
    assert client.get(f"/sites/{site.pk}/qr.svg").status_code == 404


def test_district_page_counts_its_federations_instead_of_listing_them(client, district):
    for i in range(3):
        FederationFactory(parent=district, name=f"下辖妇联{i}")
    page = text(client.get(district.get_absolute_url()))
    assert "下辖 3 个基层妇联" in page
