"""Rows of a list known by their keys, read only when a piece that is not kept needs them.

A list page whose cards are kept (``federation.web.fragments``) needs each row's key and nothing
else: building its 20–50 model instances (and their joined ones) was a fifth of the page's
cost. ``keyed()`` reads the keys in order; the first attribute read of any row other than ``pk``
reads every row of the list in one query.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.utils.functional import SimpleLazyObject, empty


class Keyed(SimpleLazyObject):
    """A row known by its key: ``pk`` is read without the row; anything else reads it."""

    def __init__(self, key, model: type, load: Callable, known: dict | None = None):
        # SimpleLazyObject's own __init__, written to the instance dict at once: a search page
        # makes 80 of these, and each attribute set through the proxy costs a lookup.
        fields = object.__getattribute__(self, "__dict__")
        fields["_setupfunc"] = load
        fields["_wrapped"] = empty
        if known:
            fields.update(known)  # read with the key (what a card's key varies on)
        fields["pk"] = key
        fields["_model"] = model
        fields["_meta"] = model._meta  # what generic views ask of any object

    def __setattr__(self, name, value):
        if name in ("_wrapped", "_setupfunc"):
            super().__setattr__(name, value)
        else:
            # What a view attaches for the template (item.cover) stays on the proxy: setting it
            # on the row would read the row.
            self.__dict__[name] = value

    @property
    def __class__(self):
        # isinstance() (which a template asks of every variable) without reading the row.
        return self._model

    def __bool__(self) -> bool:
        return True  # a row, as a model instance is (``{% if lead %}`` reads no row)

    def __getitem__(self, item):
        # A template tries obj["name"] before obj.name: answer as a model instance does,
        # without reading the row.
        raise TypeError("not subscriptable")


def rows_by_keys(
    queryset: QuerySet | Callable[[], QuerySet],
    keys: Iterable,
    known: Iterable[dict] = (),
    model: type | None = None,
) -> list[Keyed]:
    """``keys`` as rows of ``queryset`` (its joins and fields), all read on the first need;
    ``known``: for each key, the fields already read with it. ``queryset`` may be a function
    (and then ``model`` given): building a queryset of many joins costs too."""
    keys = list(keys)
    known = list(known) or [{}] * len(keys)
    model = model or queryset.model
    rows: dict | None = None

    def load(key):
        nonlocal rows
        if rows is None:
            every = (queryset() if callable(queryset) else queryset)._chain()
            every.query.clear_limits()
            every.query.clear_ordering(force=True)
            rows = every.filter(pk__in=keys).in_bulk()
        # A row deleted (or hidden) since its key was read shows as an empty card, not an error.
        return rows.get(key) or model(pk=key)

    return [
        Keyed(key, model, functools.partial(load, key), fields)
        for key, fields in zip(keys, known, strict=True)
    ]


def keyed(queryset: QuerySet, also: tuple[str, ...] = ()) -> list[Keyed]:
    """The rows of an ordered (and maybe sliced) queryset: their keys (and the fields ``also``)
    now, the rows when needed."""
    if not also:
        return rows_by_keys(queryset, queryset.values_list("pk", flat=True))
    rows = list(queryset.values_list("pk", *also))
    return rows_by_keys(
        queryset, [row[0] for row in rows], [dict(zip(also, row[1:], strict=True)) for row in rows]
    )
