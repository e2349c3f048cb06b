"""An activity's brand session belongs to the activity's brand: enforced by the database.

A CHECK constraint cannot look at another table, and Django has no composite foreign key, so the
rule is two triggers, on SQLite and on PostgreSQL alike (the name of the rule,
``activity_brand_session_same_brand``, is in every error):

* saving an activity whose brand session belongs to another brand (or to a brand while the
  activity has none) is refused;
* moving a brand session that activities refer to into another brand is refused.

Existing rows that break the rule are corrected first, each with a history record saying why and
a new version (forms opened before the migration become stale):

* a session but no brand: the brand is taken from the session (nothing is lost);
* a session of another brand: the brand the activity shows under stays, the session link is
  removed; the history record names the session that was linked.

On SQLite, a later migration that rebuilds ``activities_activity`` or ``brands_brandsession``
(SQLite alters most columns by copying the table) drops these triggers with the old table: such a
migration must create them again. ``tests/activities/test_constraints.py`` fails if it does not.
"""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

RULE = "activity_brand_session_same_brand"

SQLITE = [
    f"""
    CREATE TRIGGER {RULE}_insert BEFORE INSERT ON activities_activity
    WHEN NEW.brand_session_id IS NOT NULL
     AND EXISTS (SELECT 1 FROM brands_brandsession WHERE id = NEW.brand_session_id)
     AND NEW.brand_id IS NOT (SELECT brand_id FROM brands_brandsession WHERE id = NEW.brand_session_id)
    BEGIN SELECT RAISE(ABORT, '{RULE}: the brand session belongs to another brand'); END
    """,
    f"""
    CREATE TRIGGER {RULE}_update BEFORE UPDATE OF brand_id, brand_session_id ON activities_activity
    WHEN NEW.brand_session_id IS NOT NULL
     AND EXISTS (SELECT 1 FROM brands_brandsession WHERE id = NEW.brand_session_id)
     AND NEW.brand_id IS NOT (SELECT brand_id FROM brands_brandsession WHERE id = NEW.brand_session_id)
    BEGIN SELECT RAISE(ABORT, '{RULE}: the brand session belongs to another brand'); END
    """,
    f"""
    CREATE TRIGGER {RULE}_session BEFORE UPDATE OF brand_id ON brands_brandsession
    WHEN NEW.brand_id IS NOT OLD.brand_id
     AND EXISTS (SELECT 1 FROM activities_activity WHERE brand_session_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '{RULE}: activities refer to this brand session'); END
    """,
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {RULE}_insert",
    f"DROP TRIGGER IF EXISTS {RULE}_update",
    f"DROP TRIGGER IF EXISTS {RULE}_session",
]

POSTGRESQL = [
    # FOR SHARE: a concurrent move of the session to another brand waits for this transaction
    # (and this one waits for it), so two transactions cannot together break the rule.
    f"""
    CREATE FUNCTION {RULE}() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE session_brand bigint;
    BEGIN
        IF NEW.brand_session_id IS NULL THEN
            RETURN NEW;
        END IF;
        SELECT brand_id INTO session_brand FROM brands_brandsession
         WHERE id = NEW.brand_session_id FOR SHARE;
        IF FOUND AND NEW.brand_id IS DISTINCT FROM session_brand THEN
            RAISE EXCEPTION '{RULE}: brand session % belongs to brand %, not %',
                NEW.brand_session_id, session_brand, NEW.brand_id
                USING ERRCODE = 'check_violation', CONSTRAINT = '{RULE}';
        END IF;
        RETURN NEW;
    END;
    $$
    """,
    f"""
    CREATE TRIGGER {RULE} BEFORE INSERT OR UPDATE OF brand_id, brand_session_id
    ON activities_activity FOR EACH ROW EXECUTE FUNCTION {RULE}()
    """,
    f"""
    CREATE FUNCTION {RULE}_session() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.brand_id IS DISTINCT FROM OLD.brand_id
           AND EXISTS (SELECT 1 FROM activities_activity WHERE brand_session_id = NEW.id) THEN
            RAISE EXCEPTION '{RULE}: activities refer to brand session %', NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = '{RULE}';
        END IF;
        RETURN NEW;
    END;
    $$
    """,
    f"""
    CREATE TRIGGER {RULE}_session BEFORE UPDATE OF brand_id
    ON brands_brandsession FOR EACH ROW EXECUTE FUNCTION {RULE}_session()
    """,
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER IF EXISTS {RULE} ON activities_activity",
    f"DROP FUNCTION IF EXISTS {RULE}()",
    f"DROP TRIGGER IF EXISTS {RULE}_session ON brands_brandsession",
    f"DROP FUNCTION IF EXISTS {RULE}_session()",
]


def _statements(schema_editor, forward: bool) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        return SQLITE if forward else SQLITE_REVERSE
    if vendor == "postgresql":
        return POSTGRESQL if forward else POSTGRESQL_REVERSE
    raise NotImplementedError(f"{RULE}: no trigger for the {vendor} database")


def fix_activities(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    Historical = apps.get_model("activities", "HistoricalActivity")
    bad = (
        Activity.objects.filter(brand_session__isnull=False)
        .exclude(brand=F("brand_session__brand"))
        .select_related("brand_session__brand")
    )
    reasons = {}
    for activity in bad:
        session = activity.brand_session
        if activity.brand_id is None:
            reasons[activity.pk] = "数据修正：按品牌期次补填所属品牌"
            Activity.objects.filter(pk=activity.pk).update(
                brand_id=session.brand_id, version=F("version") + 1
            )
        else:
            label = f"{session.brand.name} 第{session.number}期"
            reasons[activity.pk] = f"数据修正：品牌期次“{label}”不属于所属品牌，已取消关联"[:100]
            Activity.objects.filter(pk=activity.pk).update(
                brand_session_id=None, version=F("version") + 1
            )
    if not reasons:
        return
    now = timezone.now()
    copied = [f for f in Historical._meta.concrete_fields if not f.name.startswith("history_")]
    Historical.objects.bulk_create(
        Historical(
            **{f.attname: getattr(activity, f.attname) for f in copied},
            history_date=now, history_type="~", history_change_reason=reasons[activity.pk],
        )
        for activity in Activity.objects.filter(pk__in=reasons)
    )
    print(f"\n  {len(reasons)} activity(ies) whose brand session was of another brand: corrected.")


def create_triggers(apps, schema_editor):
    for statement in _statements(schema_editor, forward=True):
        schema_editor.execute(statement, params=None)  # no parameters: "%" is PL/pgSQL's


def drop_triggers(apps, schema_editor):
    for statement in _statements(schema_editor, forward=False):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("activities", "0005_registrations"),
        ("brands", "0003_session_participants_counted"),
    ]

    operations = [
        # Reversing keeps the corrected rows (they satisfy the old rules too).
        migrations.RunPython(fix_activities, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
