"""The database itself refuses an activity whose brand session belongs to another brand.

These run on whichever database the suite runs on (SQLite by default, PostgreSQL with
DATABASE_URL): the rule is a trigger on each, so each is tested where it lives.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from activities.models import Activity
from brands.models import Brand, BrandSession
from tests.factories import ActivityFactory, BrandFactory, BrandSessionFactory, FederationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def brands():
    children = BrandFactory(name="泰达儿童之家", slug="children-home")
    love = BrandFactory(name="为爱而来", slug="for-love")
    return children, love, BrandSessionFactory(brand=children, number=1)


def test_database_refuses_a_session_of_another_brand(brands):
    children, love, session = brands
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityFactory(brand=love, brand_session=session)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityFactory(brand=None, brand_session=session)  # a session needs its brand
    assert not Activity.objects.exists()

    activity = ActivityFactory(brand=children, brand_session=session)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(brand=love)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(brand=None)
    activity.refresh_from_db()
    assert (activity.brand, activity.brand_session) == (children, session)

    # The session's own brand cannot move away from the activities that refer to it.
    with pytest.raises(IntegrityError), transaction.atomic():
        BrandSession.objects.filter(pk=session.pk).update(brand=love)
    session.refresh_from_db()
    assert session.brand == children


def test_database_allows_what_the_rule_allows(brands):
    children, love, session = brands
    ActivityFactory(brand=love, brand_session=None)
    ActivityFactory(brand=None, brand_session=None)
    linked = ActivityFactory(brand=children, brand_session=session)
    # Sessions without activities move freely; the linked one keeps its other fields editable.
    free = BrandSessionFactory(brand=children, number=2)
    BrandSession.objects.filter(pk=free.pk).update(brand=love)
    BrandSession.objects.filter(pk=session.pk).update(title="第一期暑期班")
    # Deleting the session or the whole brand clears the links instead of failing.
    Activity.objects.filter(pk=linked.pk).update(title="改名")
    session.delete()
    linked.refresh_from_db()
    assert (linked.brand, linked.brand_session) == (children, None)
    linked.brand_session = BrandSessionFactory(brand=children, number=3)
    linked.save()
    children.delete()
    linked.refresh_from_db()
    assert (linked.brand, linked.brand_session) == (None, None)
    assert Brand.objects.filter(pk=love.pk).exists()


def test_forms_get_a_chinese_message_and_a_session_brings_its_brand(brands):
    children, love, session = brands
    wrong = ActivityFactory.build(organizer=FederationFactory(), brand=love, brand_session=session)
    with pytest.raises(ValidationError) as info:
        wrong.full_clean()
    assert info.value.message_dict["brand_session"] == [
        "所选期次属于品牌“泰达儿童之家”，与活动的所属品牌不一致。"
    ]

    implied = ActivityFactory.build(organizer=wrong.organizer, brand=None, brand_session=session)
    implied.full_clean()
    assert implied.brand == children
    implied.save()

    session.brand = love
    with pytest.raises(ValidationError) as info:
        session.full_clean()
    assert info.value.message_dict["brand"] == [
        "已有 1 项活动关联该期次，不能改为其他品牌；请先在这些活动中取消该期次。"
    ]


@pytest.mark.django_db(transaction=True)
def test_the_migration_corrects_the_rows_it_finds(brands):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets or executor.loader.graph.leaf_nodes())

    children, love, session = brands
    organizer = FederationFactory()
    before = ("activities", "0005_registrations")
    migrate([before])  # before the rule: bad rows could be saved
    try:
        # Through the models of that state (later migrations add columns the current model has),
        # each with its creation history row as the admin would have written it.
        old = MigrationExecutor(connection).loader.project_state([before]).apps
        Old, OldHistory = (
            old.get_model("activities", n) for n in ("Activity", "HistoricalActivity")
        )
        tracked = {f.attname for f in OldHistory._meta.concrete_fields}

        def create(**fields):
            # bulk_create: the portal's save signals know only the current models.
            (row,) = Old.objects.bulk_create(
                [
                    Old(
                        organizer_id=organizer.pk,
                        title="巾帼心向党主题活动",
                        category=Activity.Category.GUIDANCE,
                        starts_at=timezone.now(),
                        **fields,
                    )
                ]
            )
            values = {
                f.attname: getattr(row, f.attname)
                for f in Old._meta.concrete_fields
                if f.attname in tracked
            }
            OldHistory.objects.bulk_create(
                [OldHistory(**values, history_date=timezone.now(), history_type="+")]
            )
            return Activity(pk=row.pk)

        no_brand = create(brand_id=None, brand_session_id=session.pk)
        other_brand = create(brand_id=love.pk, brand_session_id=session.pk)
        fine = create(brand_id=children.pk, brand_session_id=session.pk)
    finally:
        migrate(None)
    no_brand.refresh_from_db(), other_brand.refresh_from_db(), fine.refresh_from_db()
    assert (no_brand.brand, no_brand.brand_session, no_brand.version) == (children, session, 2)
    assert (other_brand.brand, other_brand.brand_session, other_brand.version) == (love, None, 2)
    assert (fine.brand, fine.brand_session, fine.version) == (children, session, 1)
    assert no_brand.history.latest().history_change_reason == "数据修正：按品牌期次补填所属品牌"
    record = other_brand.history.latest()
    assert (
        record.history_change_reason
        == "数据修正：品牌期次“泰达儿童之家 第1期”不属于所属品牌，已取消关联"
    )
    assert record.prev_record.brand_session_id == session.pk  # what was linked is not lost
    assert fine.history.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # and the rule holds from now on
        Activity.objects.filter(pk=fine.pk).update(brand=love)
