import datetime

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
    make_credit_code,
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


def test_party_org_date_needs_the_party_org_tick():
    enterprise = EnterpriseFactory(has_party_org=False)
    enterprise.party_org_formed_on = datetime.date(2023, 7, 1)
    # Forms and the importer get the message on the date field, in Chinese.
    with pytest.raises(ValidationError) as info:
        enterprise.full_clean()
    assert info.value.message_dict["party_org_formed_on"] == [
        "填写党组织成立日期时须勾选“已建立党组织”。"
    ]
    # The database refuses it too, however it is written.
    with pytest.raises(IntegrityError), transaction.atomic():
        enterprise.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enterprise.objects.filter(pk=enterprise.pk).update(
            party_org_formed_on=datetime.date(2023, 7, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Enterprise.objects.create(
            credit_code="91120116MA05JXXX0X",
            name="无党组织",
            party_org_formed_on=datetime.date(2023, 7, 1),
        )
    enterprise.has_party_org = True
    enterprise.full_clean()
    enterprise.save()
    enterprise.refresh_from_db()
    assert (enterprise.has_party_org, enterprise.party_org_formed_on) == (
        True,
        datetime.date(2023, 7, 1),
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_ticks_the_party_org_of_dated_rows():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets or executor.loader.graph.leaf_nodes())

    before = ("organizations", "0002_import_jobs_export_log_and_last_import")
    migrate([before])
    try:
        # The model as it stood then: later migrations add columns the table does not have yet.
        old = MigrationExecutor(connection).loader.project_state(before).apps
        Old = old.get_model("organizations", "Enterprise")
        made = [
            Old.objects.create(
                credit_code=make_credit_code(n),
                name=f"迁移测试{n}公司",
                has_party_org=False,
                **extra,
            )
            for n, extra in ((901, {"party_org_formed_on": datetime.date(2022, 5, 4)}), (902, {}))
        ]
    finally:
        migrate(None)
    dated, plain = (Enterprise.objects.get(pk=row.pk) for row in made)
    dated.refresh_from_db(), plain.refresh_from_db()
    assert (dated.has_party_org, dated.party_org_formed_on, dated.version) == (
        True,
        datetime.date(2022, 5, 4),
        2,
    )
    assert (
        dated.history.latest().history_change_reason
        == "数据修正：已填写党组织成立日期，勾选“已建立党组织”"
    )
    # Created through the old model (no history of its own): the migration left it alone.
    assert (plain.has_party_org, plain.version, plain.history.count()) == (False, 1, 0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enterprise.objects.filter(pk=plain.pk).update(party_org_formed_on=datetime.date(2022, 5, 4))
