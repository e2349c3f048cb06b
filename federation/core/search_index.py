"""Which rows can hold a word: the two-character pieces (bigrams) of each searchable row's text.

Chinese has no spaces, so search matches each word with LIKE '%…%', which no B-tree index serves
and pg_trgm cannot either for the two-character words people type (妇联, 托管). Without help
every search reads every row's text. This index stores, per row, the set of its lower-cased
bigrams; a word's rows are among those holding all of (up to three of) its bigrams, which an
index lookup finds however large the network grows. It only narrows: LIKE still decides.

A model opts in with ``SEARCH_FIELDS`` (and its ``search_pinyin`` when it has one). ``save()``
and ``delete()`` keep its pieces in step (the receivers below, in the same transaction); bulk
writers (the spreadsheet import, seed_demo) call :func:`index_objects`; ``manage.py
rebuild_search_index`` rebuilds everything from the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.db import connections, models, router
from django.db.models.signals import post_delete, post_save

PINYIN_FIELD = "search_pinyin"
# A word's rows must hold all of these many of its bigrams (its first, middle and last): more
# only add lookups, since LIKE checks the whole word anyway.
MAX_GRAMS_PER_WORD = 3
_WRITE_BATCH = 2000


def fields_of(model) -> tuple[str, ...]:
    fields = tuple(getattr(model, "SEARCH_FIELDS", ()))
    if fields and hasattr(model, "PINYIN_SOURCES"):
        fields += (PINYIN_FIELD,)
    return fields


def label_of(model) -> str:
    return model._meta.concrete_model._meta.label_lower  # a proxy shares its rows


def text_grams(texts: Iterable) -> set[str]:
    """Every bigram of each text, lower-cased; none across a space (a word holds none)."""
    grams = set()
    for text in texts:
        text = str(text or "").lower()
        for i in range(len(text) - 1):
            gram = text[i : i + 2]
            if not (gram[0].isspace() or gram[1].isspace()):
                grams.add(gram)
    return grams


def word_grams(word: str) -> tuple[str, ...]:
    """The bigrams a row must hold to contain ``word``; none for a single character."""
    word = word.lower()
    grams = list(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))
    if len(grams) > MAX_GRAMS_PER_WORD:
        grams = [grams[0], grams[len(grams) // 2], grams[-1]]
    return tuple(grams)


def _store(model, rows: dict[int, set[str]], using: str) -> None:
    """Make the stored pieces of these rows exactly ``rows`` (only the difference is written)."""
    from federation.models import SearchGram

    label = label_of(model)
    stored, stale = defaultdict(set), []
    keys = list(rows)
    for start in range(0, len(keys), 500):
        found = SearchGram.objects.using(using).filter(
            model=label, key__in=keys[start : start + 500]
        )
        for pk, key, gram in found.values_list("pk", "key", "gram"):
            stored[key].add(gram)
            if gram not in rows[key]:
                stale.append(pk)
    for start in range(0, len(stale), 500):  # one DELETE per 500 pieces, not one per row
        SearchGram.objects.using(using).filter(pk__in=stale[start : start + 500]).delete()
    new = [
        SearchGram(model=label, gram=gram, key=key)
        for key, grams in rows.items()
        for gram in grams - stored[key]
    ]
    # ignore_conflicts: two saves of one row at once both add its pieces; neither may fail.
    SearchGram.objects.using(using).bulk_create(new, batch_size=_WRITE_BATCH, ignore_conflicts=True)


def index_objects(objs: Iterable[models.Model], using: str | None = None) -> None:
    """Index saved rows written without signals (bulk_create, bulk_update)."""
    by_model = defaultdict(list)
    for obj in objs:
        if fields_of(type(obj)):
            if obj.pk is None:  # bulk_create returns keys on SQLite 3.35+ and PostgreSQL
                raise ValueError(f"{type(obj).__name__} without a key cannot be indexed")
            by_model[type(obj)].append(obj)
    for model, rows in by_model.items():
        fields = fields_of(model)
        alias = using or router.db_for_write(model)
        _store(model, {obj.pk: text_grams(getattr(obj, f) for f in fields) for obj in rows}, alias)


def analyze(using: str = "default") -> None:
    """Refresh PostgreSQL's statistics of the index after a bulk fill. Without them the planner
    takes a freshly filled table for empty and scans the searched rows once per index entry
    (autovacuum would catch up within minutes; a search page should not wait for it)."""
    from federation.models import SearchGram

    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(SearchGram._meta.db_table)}")


def searchable_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if fields_of(model)]


def rebuild(using: str = "default") -> dict[str, int]:
    """Index every searchable row from scratch; the number of rows per model."""
    from federation.models import SearchGram

    counts = {}
    for model in searchable_models():
        label, fields = label_of(model), fields_of(model)
        SearchGram.objects.using(using).filter(model=label).delete()
        rows = model._base_manager.using(using).order_by("pk").values_list("pk", *fields)
        batch, n = [], 0
        for pk, *texts in rows.iterator(chunk_size=2000):
            batch += [SearchGram(model=label, gram=g, key=pk) for g in text_grams(texts)]
            n += 1
            if len(batch) >= _WRITE_BATCH:
                SearchGram.objects.using(using).bulk_create(batch, ignore_conflicts=True)
                batch = []
        SearchGram.objects.using(using).bulk_create(batch, ignore_conflicts=True)
        counts[label] = n
    analyze(using)
    return counts


def _saved(sender, instance, update_fields=None, using="default", **kwargs):
    fields = fields_of(sender)
    if not fields or (update_fields is not None and not set(update_fields) & set(fields)):
        return
    _store(sender, {instance.pk: text_grams(getattr(instance, f) for f in fields)}, using)


def _deleted(sender, instance, using="default", **kwargs):
    if fields_of(sender):
        from federation.models import SearchGram

        SearchGram.objects.using(using).filter(model=label_of(sender), key=instance.pk).delete()


def connect_signals() -> None:
    """Per searchable model: the other models' saves and deletes call nothing of this."""
    for model in searchable_models():
        uid = f"federation.core.search_index.{label_of(model)}"
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}.saved")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}.deleted")
