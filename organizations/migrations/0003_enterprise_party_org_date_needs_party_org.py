"""A party organisation's founding date implies the enterprise has one: a database constraint.

Until now only ``Enterprise.clean()`` said so. Rows that break the rule (a date, but "has a party
organisation" unticked) are corrected before the constraint is added: the date is the more
specific fact, so the tick is set. Each corrected row gets a history record that says why, and
its version moves on so a form opened before the migration cannot save over it.
"""

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone

REASON = "数据修正：已填写党组织成立日期，勾选“已建立党组织”"


def tick_has_party_org(apps, schema_editor):
    Enterprise = apps.get_model("organizations", "Enterprise")
    Historical = apps.get_model("organizations", "HistoricalEnterprise")
    bad = Enterprise.objects.filter(party_org_formed_on__isnull=False, has_party_org=False)
    pks = list(bad.values_list("pk", flat=True))
    if not pks:
        return
    Enterprise.objects.filter(pk__in=pks).update(has_party_org=True, version=F("version") + 1)
    now = timezone.now()
    copied = [f for f in Historical._meta.concrete_fields if not f.name.startswith("history_")]
    Historical.objects.bulk_create(
        Historical(
            **{f.attname: getattr(enterprise, f.attname) for f in copied},
            history_date=now, history_type="~", history_change_reason=REASON,
        )
        for enterprise in Enterprise.objects.filter(pk__in=pks)
    )
    print(f"\n  {len(pks)} enterprise(s) with a party organisation date: 已建立党组织 ticked.")


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0002_import_jobs_export_log_and_last_import'),
    ]

    operations = [
        # Reversing leaves the corrected rows as they are (they satisfy the old rules too).
        migrations.RunPython(tick_has_party_org, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name='enterprise',
            constraint=models.CheckConstraint(condition=models.Q(('party_org_formed_on__isnull', True), ('has_party_org', True), _connector='OR'), name='enterprise_party_org_date_needs_party_org', violation_error_message='填写党组织成立日期时须勾选“已建立党组织”。'),
        ),
    ]
