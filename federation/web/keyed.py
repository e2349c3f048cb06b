"""Rows of a list known by their keys, read only when a piece that is not kept needs them.

A list page whose cards are kept (``federation.web.fragments``) needs each row's key and nothing
else: building its 20–50 model instances (and their joined ones) was a fifth of the page's
cost. ``keyed()`` reads the keys in order; the first attribute read of any row other than ``pk``
reads every row of the list in one query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.utils.functional import SimpleLazyObject


class Keyed(SimpleLazyObject):
    """A row known by its key: ``pk`` is read without the row; anything else reads it."""

    def __init__(self, key, model: type, load: Callable):
        super().__init__(load)
        self.__dict__["pk"] = key
        self.__dict__["_model"] = model

    @property
    def __class__(self):
        # isinstance() (which a template asks of every variable) without reading the row.
        return self._model

    def __getitem__(self, item):
        # A template tries obj["name"] before obj.name: answer as a model instance does,
        # without reading the row.
        raise TypeError("not subscriptable")


def rows_by_keys(queryset: QuerySet, keys: Iterable) -> list[Keyed]:
    """``keys`` as rows of ``queryset`` (its joins and fields), all read on the first need."""
    keys = list(keys)
    model = queryset.model
    rows: dict | None = None

    def load(key):
        nonlocal rows
        if rows is None:
            every = queryset._chain()
            every.query.clear_limits()
            every.query.clear_ordering(force=True)
            rows = every.filter(pk__in=keys).in_bulk()
        # A row deleted (or hidden) since its key was read shows as an empty card, not an error.
        return rows.get(key) or model(pk=key)

    return [Keyed(key, model, _partial(load, key)) for key in keys]


def keyed(queryset: QuerySet) -> list[Keyed]:
    """The rows of an ordered (and maybe sliced) queryset: their keys now, the rows when needed."""
    return rows_by_keys(queryset, queryset.values_list("pk", flat=True))


def _partial(load, key):
    return lambda: load(key)
