from django.db import migrations, models

# The fields each searchable model indexed when this migration was written (its SEARCH_FIELDS
# and search_pinyin); later changes are picked up by ``manage.py rebuild_search_index``.
FIELDS = {
    "activities.article": ("title", "summary", "body"),
    "activities.exemplar": ("name", "workplace", "title", "story", "search_pinyin"),
    "brands.brand": ("name", "tagline", "description", "services", "search_pinyin"),
    "organizations.federation": ("name", "short_name", "area", "description", "search_pinyin"),
    "organizations.servicesite": (
        "name", "area", "address", "services", "description", "search_pinyin",
    ),
}


def index_existing_rows(apps, schema_editor):
    from federation.core.search_index import text_grams

    SearchGram = apps.get_model("federation", "SearchGram")
    alias = schema_editor.connection.alias
    for label, fields in FIELDS.items():
        model = apps.get_model(label)
        batch = []
        for pk, *texts in model._base_manager.using(alias).values_list("pk", *fields).iterator():
            batch += [SearchGram(model=label, gram=gram, key=pk) for gram in text_grams(texts)]
            if len(batch) >= 2000:
                SearchGram.objects.using(alias).bulk_create(batch, ignore_conflicts=True)
                batch = []
        SearchGram.objects.using(alias).bulk_create(batch, ignore_conflicts=True)
    if schema_editor.connection.vendor == "postgresql":
        # A freshly filled table has no statistics: the planner would take it for empty.
        schema_editor.execute(f"ANALYZE {schema_editor.quote_name(SearchGram._meta.db_table)}")


class Migration(migrations.Migration):

    dependencies = [
        ("federation", "0005_portal_settings"),
        ("activities", "0013_article_with_cover_index"),
        ("brands", "0004_session_unit_and_pinyin"),
        ("organizations", "0010_federation_directory_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchGram",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("model", models.CharField(max_length=60)),
                ("gram", models.CharField(max_length=2)),
                ("key", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "搜索索引片段",
                "verbose_name_plural": "搜索索引片段",
                "indexes": [models.Index(fields=["model", "key"], name="search_gram_row_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("model", "gram", "key"), name="search_gram_unique")
                ],
            },
        ),
        migrations.RunPython(index_existing_rows, migrations.RunPython.noop),
    ]
