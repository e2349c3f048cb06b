import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from organizations.models import Enterprise, Federation, ServiceSite
from tests.factories import (
    DistrictFactory,
    EnterpriseFactory,
    FederationFactory,
    ServiceSiteFactory,
    WomenGroupFactory,
)

pytestmark = pytest.mark.django_db


def test_credit_codes_are_unique_even_when_typed_differently():
    EnterpriseFactory(credit_code="91440300100012316L")
    with pytest.raises(IntegrityError), transaction.atomic():
        EnterpriseFactory(credit_code="91440300100012316l")
    duplicate = Enterprise(credit_code="９１４４０３００１０００１２３１６Ｌ", name="重复")
    with pytest.raises(ValidationError) as info:
        duplicate.full_clean()
    assert "credit_code" in info.value.message_dict


def test_database_refuses_malformed_credit_code():
    with pytest.raises(IntegrityError), transaction.atomic():
        Enterprise.objects.create(credit_code="91440300100O12316L", name="坏代码")


def test_female_employees_cannot_exceed_employees():
    enterprise = EnterpriseFactory.build(employees=10, female_employees=11)
    with pytest.raises(ValidationError) as info:
        enterprise.full_clean()
    assert "女职工人数" in info.value.message_dict["female_employees"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        enterprise.save()


def test_women_group_parent_must_be_grassroots():
    district = DistrictFactory()
    group = Federation(name="错误小组", level=Federation.Level.GROUP, parent=district)
    with pytest.raises(ValidationError) as info:
        group.full_clean()
    assert "parent" in info.value.message_dict
    ok = WomenGroupFactory()
    ok.full_clean()


def test_grassroots_needs_a_kind_and_a_parent():
    with pytest.raises(IntegrityError), transaction.atomic():
        Federation.objects.create(name="无上级", level=Federation.Level.GRASSROOTS, kind="single")
    with pytest.raises(IntegrityError), transaction.atomic():
        FederationFactory(kind="")


def test_online_federation_has_a_channel_not_an_address():
    online = FederationFactory.build(
        kind=Federation.Kind.ONLINE, address="第三大街1号", channel="", parent=DistrictFactory()
    )
    with pytest.raises(ValidationError) as info:
        online.full_clean()
    assert {"channel", "address"} <= set(info.value.message_dict)
    with pytest.raises(IntegrityError), transaction.atomic():
        online.save()
    online.address, online.channel = "", "“泰达姐妹”微信群"
    online.full_clean()
    online.save()


@pytest.mark.parametrize(("lat", "lon"), [(91, 117), (39, 181), (-91, 0)])
def test_coordinates_within_range(lat, lon):
    site = ServiceSiteFactory.build(federation=FederationFactory(), latitude=lat, longitude=lon)
    with pytest.raises(ValidationError):
        site.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        site.save()


def test_offline_site_needs_an_address_online_does_not():
    federation = FederationFactory()
    site = ServiceSite(name="无地址", kind="women_home", federation=federation)
    with pytest.raises(ValidationError):
        site.full_clean()
    cloud = ServiceSite(
        name="云上温馨驿站",
        kind="cloud_station",
        federation=federation,
        is_online=True,
        online_url="https://example.org/station",
    )
    cloud.full_clean()
    cloud.save()
