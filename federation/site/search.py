"""The portal's search: what each group searches, and its SQL compiled once per shape.

Chinese has no spaces, so each word is matched with plain ``contains`` (LIKE '%…%'): a
two-character word such as 妇联 finds every text containing it, on SQLite and PostgreSQL. Several
words separated by spaces must all occur. A word of Latin letters also matches the stored pinyin
keys (``kly`` finds 凯莱英). Each group has its true count and its rows ranked name or title
matches first, then the most recent.

Building and compiling the five groups' querysets cost several times what the database spent
running them. Their SQL depends only on the query's shape (the group, how many words, which may be
pinyin), not on the words, so it is compiled once per shape and process from the ORM with
placeholder words and run with each search's words as parameters. A result is known by its key
(``federation.web.keyed``): its row is read, with the rest of its group's in one query, only when
a card that is not kept is rendered.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Case, Exists, Func, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from activities.models import Article, Exemplar
from brands.models import Brand
from federation.core import search_index
from federation.core.pinyin import is_pinyin_query
from federation.models import SearchGram
from federation.web.keyed import Keyed, rows_by_keys
from organizations.models import Federation, ServiceSite

MAX_WORDS = 5
# A group's count on the overview stops here ("1000+"): counting every match of a common word
# would grow with the network, and nobody pages through a thousand results to check it.
COUNT_CAP = 1000
# PostgreSQL reads a word's rows by key from the index entries of its rarest bigram when it has
# at most this many (each a probe of the row's primary key); with more, the word is common
# enough that a scan meets the first COUNT_CAP + 1 matches sooner (bench/public_pages.py).
DRIVE_CAP = 250
# ... and only in a table of more rows than this (PostgreSQL's own estimate): in a smaller one a
# scan costs less than planning and running the reads by key (at the seed's size, twice less).
DRIVE_MIN_ROWS = 2000
# Rows per (database, group) table, as PostgreSQL estimated them at this process's last search
# with results there (each first query carries the estimate): whether to drive by the index.
_table_rows: dict[tuple[str, str], float] = {}
# Placeholders compiled into the SQL in place of the words and of "now", then swapped for the
# real values in the parameters. Mixed case, so that the pinyin match (lower case) is told apart.
_WORD = "QsearchWord{}Q"
_GRAM = "QsearchGram{}x{}Q"
_NOW = datetime.datetime(2000, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Group:
    name: str
    model: type
    public: Callable[[datetime.datetime], QuerySet]  # the public rows, at a moment
    titles: tuple[str, ...]  # a match here ranks first
    others: tuple[str, ...]  # searched too: the long texts are searched, never shown
    order: tuple[str, ...]  # after the rank
    card: Callable[[], QuerySet]  # what a result's card shows

    @property
    def pinyin(self) -> bool:
        return hasattr(self.model, "PINYIN_SOURCES")


GROUPS = {
    group.name: group
    for group in (
        Group(
            "news",
            Article,
            lambda now: Article.objects.published(at=now),
            ("title",),
            ("summary", "body"),
            ("-publish_at", "-pk"),
            lambda: Article.objects.select_related("federation").only(
                "title", "publish_at", "federation", "federation__name"
            ),
        ),
        Group(
            "federations",
            Federation,
            lambda now: Federation.objects.active(),
            ("name", "short_name"),
            ("area", "description"),
            ("name", "pk"),
            lambda: Federation.objects.only("name", "level", "kind"),
        ),
        Group(
            "sites",
            ServiceSite,
            lambda now: ServiceSite.objects.active(),
            ("name",),
            ("area", "address", "services", "description"),
            ("name", "pk"),
            lambda: ServiceSite.objects.only("name", "kind", "address"),
        ),
        Group(
            "brands",
            Brand,
            lambda now: Brand.objects.published(),
            ("name",),
            ("tagline", "description", "services"),
            ("position", "name"),
            lambda: Brand.objects.only("name", "slug", "tagline"),
        ),
        Group(
            "exemplars",
            Exemplar,
            lambda now: Exemplar.objects.published(),
            ("name",),
            ("workplace", "title", "story"),
            ("-year", "name"),
            lambda: Exemplar.objects.only("name", "honour", "year"),
        ),
    )
}


for _group in GROUPS.values():
    # A field searched but not indexed would hide its matches behind the index's narrowing.
    _missing = set(_group.titles + _group.others) - set(search_index.fields_of(_group.model))
    if _missing:
        raise RuntimeError(f"{_group.model.__name__}.SEARCH_FIELDS lacks {sorted(_missing)}")


def uses_index(alias: str) -> bool:
    """Whether every search query narrows by the bigram index on this database.

    SQLite, which has no statistics to plan by, reads a word's rows from the index entries of
    its rarest bigram (forced by the join order), and at 10× the seed's size a rare word costs
    a seventh of a scan. PostgreSQL plans by statistics and underestimates LIKE '%…%': joined
    with the index it scanned the rows and probed an entry per row, slower than its plain scan.
    So on PostgreSQL only the first results of a group use the index, as keys read before the
    rows (see ``_first_sql``); its paging and counting queries scan.
    """
    return connections[alias].vendor == "sqlite"


def drives_first(alias: str) -> bool:
    """Whether a group's first results may be read from the bigram index on this database (on
    PostgreSQL, only in a table of more than DRIVE_MIN_ROWS rows: ``Search._compiled``)."""
    return connections[alias].vendor in ("sqlite", "postgresql")


def _estimates_rows(alias: str) -> bool:
    return connections[alias].vendor == "postgresql"


def words_of(query: str) -> list[str]:
    return query.split()[:MAX_WORDS]


def _condition(fields, word: str, pinyin: bool) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__contains": word})
    if pinyin:
        condition |= Q(search_pinyin__contains=word.lower())
    return condition


def ranked(group: Group, words: list[str], pinyin: tuple[bool, ...], now, grams=()) -> QuerySet:
    """Matching rows, those whose name/title (or pinyin) holds every word first."""
    queryset, title_match = _filtered(group, words, pinyin, now, grams)
    return queryset.annotate(
        title_rank=Case(When(title_match, then=Value(0)), default=Value(1))
    ).order_by("title_rank", *group.order)


@dataclass(frozen=True)
class Compiled:
    alias: str
    sql: str
    params: tuple

    def bind(self, words: list[str], now) -> list:
        """The parameters of this search: its words and its moment in place of the placeholders."""
        ops = connections[self.alias].ops
        values = {}
        for i, word in enumerate(words):
            values[f"%{_WORD.format(i)}%"] = f"%{ops.prep_for_like_query(word)}%"
            values[f"%{_WORD.format(i).lower()}%"] = f"%{ops.prep_for_like_query(word.lower())}%"
            for j, gram in enumerate(search_index.word_grams(word)):
                values[_GRAM.format(i, j)] = gram
        values[_adapted(ops, _NOW)] = _adapted(ops, now)
        return [
            values.get(p, p) if isinstance(p, str | datetime.datetime) else p for p in self.params
        ]

    def rows(self, words, now, extra_sql: str = "", extra_params=()) -> list[tuple]:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql + extra_sql, [*self.bind(words, now), *extra_params])
            return cursor.fetchall()


def _adapted(ops, moment):
    return ops.adapt_datetimefield_value(moment)


def _count_of(queryset: QuerySet) -> QuerySet:
    # COUNT as a plain function: no GROUP BY, one row.
    return queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n")


def _filtered(group: Group, words, pinyin, now, grams=(), drive=False) -> tuple[QuerySet, Q]:
    """The group's public rows holding every word, and the condition of a name/title match.

    grams: per word, the bigrams its rows must hold (``federation.core.search_index``): index
    lookups narrow the rows before LIKE reads their text. drive: the caller reads the rows from
    one gram's index entries (``_first_sql``), so each gram is checked per row (EXISTS) rather
    than listed whole (IN).
    """
    queryset = group.public(now)
    label = search_index.label_of(group.model)
    title_match = Q()
    # Rows read from the only gram's entries hold it: nothing to check.
    checked = grams if not drive or sum(len(word) for word in grams) > 1 else ()
    for i, (word, also_pinyin) in enumerate(zip(words, pinyin, strict=True)):
        for gram in checked[i] if checked else ():
            holding = SearchGram.objects.filter(model=label, gram=gram)
            if drive:
                queryset = queryset.filter(Exists(holding.filter(key=OuterRef("pk"))))
            else:
                queryset = queryset.filter(pk__in=holding.values("key"))
        queryset = queryset.filter(_condition(group.titles + group.others, word, also_pinyin))
        title_match &= _condition(group.titles, word, also_pinyin)
    return queryset, title_match


def _columns(group: Group) -> tuple[list[str], str]:
    """The order's fields after pk and rank, and the ORDER BY of result columns by position."""
    fields = [name.lstrip("-") for name in group.order if name.lstrip("-") != "pk"]
    positions = {"pk": 1} | {name: i for i, name in enumerate(fields, start=3)}
    order = "2, " + ", ".join(
        f"{positions[name.lstrip('-')]}{' DESC' if name.startswith('-') else ''}"
        for name in group.order
    )
    return fields, order


def _sql(queryset: QuerySet, alias: str) -> tuple[str, tuple]:
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    return sql, tuple(params)


def _first_sql(group: Group, queryset, title_match: Q, limit: int, alias: str, drive=()):
    """The first ``limit`` results and the count, from the first COUNT_CAP + 1 matches.

    The database stops at the first COUNT_CAP + 1 matches it meets (m, in no order, each with its
    rank: a name/title match first). With at most COUNT_CAP of them, m is every match: the page
    is m sorted and the count its size, in one scan. With more, the count is "COUNT_CAP and more"
    and the page is read by ``_top_sql`` instead. drive: the words' bigrams; the rows are read
    from the index entries of the one with the fewest (none: the rows are scanned). On
    PostgreSQL, ``queryset`` holds no bigram checks, and a word too common to drive is scanned.
    """
    fields, order = _columns(group)
    rank = Case(When(title_match, then=Value(0)), default=Value(1))
    m = queryset.annotate(r=rank).order_by().values_list("pk", "r", *fields)
    if not drive:
        sql, params = _sql(m[: COUNT_CAP + 1], alias)
    else:
        # The rows are read from the index entries of one bigram, in their order (CROSS JOIN:
        # SQLite keeps the written order), and the scan stops at the cap. Of several bigrams,
        # the one with the fewest entries (counted up to the cap, on the index alone).
        inner, params = _sql(m, alias)
        table = connections[alias].ops.quote_name(SearchGram._meta.db_table)
        label = search_index.label_of(group.model)
        chosen, chosen_params = "%s", [drive[0]]
        sqlite = connections[alias].vendor == "sqlite"
        # PostgreSQL drives only with at most DRIVE_CAP entries: counting further tells nothing.
        enough = (COUNT_CAP if sqlite else DRIVE_CAP) + 1
        if len(drive) > 1:
            counted = " UNION ALL ".join(
                f"SELECT %s AS gram, (SELECT COUNT(*) FROM (SELECT 1 FROM {table} "
                f"WHERE model = %s AND gram = %s LIMIT {enough}) AS c{i}) AS n"
                for i in range(len(drive))
            )
            chosen = f"(SELECT gram FROM ({counted}) AS x ORDER BY n LIMIT 1)"
            chosen_params = [p for gram in drive for p in (gram, label, gram)]
        if sqlite:
            sql = (
                f"SELECT q.* FROM {table} AS g CROSS JOIN ({inner}) AS q "
                f"WHERE g.model = %s AND g.gram = {chosen} AND q.pk = g.key LIMIT {COUNT_CAP + 1}"
            )
            params = (*params, label, *chosen_params)
        else:
            # PostgreSQL: up to DRIVE_CAP + 1 of the bigram's keys as one array, read first (k).
            # With at most DRIVE_CAP, the rows are those keys, each fetched by its primary key
            # (pk = ANY(array) is an index condition, whatever the planner thinks of LIKE);
            # with more, the word is common and the rows are scanned instead. Each branch's
            # condition is on k alone: the database runs one branch and skips the other whole.
            # The rows (inner) carry no bigram checks here: the LIKE conditions decide, over at
            # most DRIVE_CAP rows fetched by key, and the statement plans in a third of the time
            # (planning was most of its cost at the seed's size).
            pk_type = group.model._meta.pk.db_type(connections[alias])
            keys = f"CAST((SELECT keys FROM k) AS {pk_type}[])"
            sql = (
                f"WITH k AS MATERIALIZED (SELECT ARRAY(SELECT key FROM {table} WHERE model = %s"
                f" AND gram = {chosen} LIMIT {DRIVE_CAP + 1}) AS keys) "
                f"(SELECT q.* FROM ({inner}) AS q WHERE cardinality({keys}) <= {DRIVE_CAP}"
                f" AND q.pk = ANY({keys}) LIMIT {COUNT_CAP + 1}) "
                f"UNION ALL (SELECT q.* FROM ({inner}) AS q"
                f" WHERE cardinality({keys}) > {DRIVE_CAP} LIMIT {COUNT_CAP + 1})"
            )
            params = (label, *chosen_params, *params, *params)
    if _estimates_rows(alias):
        # The table's estimated size, with the rows (one InitPlan): how the next search reads.
        size = "(SELECT reltuples FROM pg_class WHERE oid = CAST(%s AS regclass))"
        return (
            f"SELECT m.*, {size}, COUNT(*) OVER () FROM ({sql}) AS m ORDER BY {order} LIMIT {limit}",
            (group.model._meta.db_table, *params),
        )
    return f"SELECT m.*, COUNT(*) OVER () FROM ({sql}) AS m ORDER BY {order} LIMIT {limit}", params


def _top_sql(group: Group, queryset: QuerySet, title_match: Q, limit: int, alias: str):
    """The first ``limit`` results of a word with more than COUNT_CAP matches.

    Sorting every match would grow with the network, so each rank is its own query in the
    group's order, which an index serves: the database stops after ``limit`` rows of p0, and
    reads the other matches (p1) only as far as p0 left room on the page.
    """
    fields, order = _columns(group)
    p0 = queryset.filter(title_match).annotate(r=Value(0))
    p1 = queryset.exclude(title_match).annotate(r=Value(1))
    sql0, params0 = _sql(p0.order_by(*group.order).values_list("pk", "r", *fields)[:limit], alias)
    sql1, params1 = _sql(p1.order_by(*group.order).values_list("pk", "r", *fields), alias)
    # p1's LIMIT is the room p0 left: 0 when p0 filled the page, and then neither database
    # reads a row of it. MATERIALIZED: p0 runs once though named twice.
    sql = (
        f"WITH p0 AS MATERIALIZED ({sql0}) SELECT * FROM p0 UNION ALL "
        f"SELECT * FROM ({sql1} LIMIT ({limit} - (SELECT COUNT(*) FROM p0))) AS p1 "
        f"ORDER BY {order} LIMIT {limit}"
    )
    return sql, (*params0, *params1)


@functools.lru_cache(maxsize=512)
def compiled(
    name: str,
    pinyin: tuple[bool, ...],
    grams: tuple[int, ...],
    alias: str,
    kind: str,
    by_index: bool = True,
) -> Compiled:
    """The SQL of one group's search for one shape of query.

    pinyin: per word, whether it may be pinyin; grams: per word, how many bigrams narrow it.

    kind: ``first:<n>`` (the first n keys in rank order, each row with the count up to
    COUNT_CAP + 1), ``top:<n>`` (the first n keys of a word with more matches), ``keys`` (every
    key in rank order; the caller adds LIMIT/OFFSET) or ``count`` (the true count, for paging).
    by_index: whether ``first:`` may read from the bigram index (drives_first).
    """
    group = GROUPS[name]
    placeholders = [_WORD.format(i) for i in range(len(pinyin))]
    if not (uses_index(alias) or (kind.startswith("first:") and by_index and drives_first(alias))):
        grams = (0,) * len(grams)
    gram_placeholders = [[_GRAM.format(i, j) for j in range(n)] for i, n in enumerate(grams)]
    if kind.startswith("first:"):
        drive = tuple(gram for word in gram_placeholders for gram in word)
        # SQLite checks the other bigrams per row; PostgreSQL reads few rows by key (_first_sql).
        checked = gram_placeholders if connections[alias].vendor == "sqlite" else ()
        queryset, title_match = _filtered(
            group, placeholders, pinyin, _NOW, checked, drive=bool(drive)
        )
        limit = int(kind.removeprefix("first:"))
        sql, params = _first_sql(group, queryset.using(alias), title_match, limit, alias, drive)
    elif kind.startswith("top:"):
        # More matches than the cap: the group's order index finds the first ones sooner than
        # the bigram index would (it would list every match).
        queryset, title_match = _filtered(group, placeholders, pinyin, _NOW)
        limit = int(kind.removeprefix("top:"))
        sql, params = _top_sql(group, queryset.using(alias), title_match, limit, alias)
    else:
        queryset = ranked(group, placeholders, pinyin, _NOW, gram_placeholders).using(alias)
        queryset = _count_of(queryset) if kind == "count" else queryset.values_list("pk")
        sql, params = queryset.query.get_compiler(using=alias).as_sql()
    result = Compiled(alias, sql, tuple(params))
    # Every placeholder must have become a parameter (never text in the SQL): else a word would
    # be searched as the placeholder, or the placeholder shown to the database as text.
    ops = connections[alias].ops
    bound = set(result.params)
    expected = {f"%{word}%" for word in placeholders}
    expected |= {f"%{word.lower()}%" for word, also in zip(placeholders, pinyin) if also}
    if not kind.startswith("top:"):
        expected |= {gram for word in gram_placeholders for gram in word}
    if name == "news":
        expected.add(_adapted(ops, _NOW))
    inlined = [word for word in placeholders if word in sql or word.lower() in sql]
    inlined += [gram for word in gram_placeholders for gram in word if gram in sql]
    if inlined or not expected <= bound:
        raise RuntimeError(f"search SQL for {name!r} does not take its words as parameters")
    return result


class Search:
    """One search: its words, its moment, and the database it reads."""

    def __init__(self, words: list[str]):
        self.words = words
        self.pinyin = tuple(is_pinyin_query(word) for word in words)
        self.grams = tuple(len(search_index.word_grams(word)) for word in words)
        self.now = timezone.now()

    def _compiled(self, name: str, kind: str) -> Compiled:
        group = GROUPS[name]
        pinyin = self.pinyin if group.pinyin else (False,) * len(self.words)
        alias = router.db_for_read(group.model)
        by_index = True
        if _estimates_rows(alias):
            by_index = _table_rows.get((alias, name), 0) > DRIVE_MIN_ROWS
        return compiled(name, pinyin, self.grams, alias, kind, by_index)

    def first(self, name: str, limit: int) -> dict:
        """The first ``limit`` results of a group, and its count up to COUNT_CAP."""
        statement = self._compiled(name, f"first:{limit}")
        rows = statement.rows(self.words, self.now)
        found = rows[0][-1] if rows else 0
        if rows and _estimates_rows(statement.alias):
            _table_rows[(statement.alias, name)] = rows[0][-2]
        if found > COUNT_CAP:  # these rows are some matches, not the first: read those
            rows = self._compiled(name, f"top:{limit}").rows(self.words, self.now)
        keys = tuple(row[0] for row in rows)
        items = rows_by_keys(GROUPS[name].card(), keys)
        # keys: what the group's kept list varies on (its cards are kept by key too).
        return {
            "items": items,
            "count": min(found, COUNT_CAP),
            "more": found > COUNT_CAP,  # the count is COUNT_CAP and more
            "keys": keys,
        }

    def results(self, name: str) -> Results:
        return Results(self, name)


class Results:
    """Every result of one group, for a Paginator: its count, and a slice by LIMIT/OFFSET."""

    def __init__(self, search: Search, name: str):
        self.search, self.name = search, name

    def count(self) -> int:
        (row,) = self.search._compiled(self.name, "count").rows(self.search.words, self.search.now)
        return row[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Keyed]:
        start, stop = window.start or 0, window.stop
        rows = self.search._compiled(self.name, "keys").rows(
            self.search.words,
            self.search.now,
            " LIMIT %s OFFSET %s",
            (stop - start, start),
        )
        return rows_by_keys(GROUPS[self.name].card(), [key for (key,) in rows])
