"""What each app tells the core about its models, so that the core knows no app.

Every app describes its models once, from its ``AppConfig.ready()``::

    registry.register(
        Article,
        scope="federation",        # path to the federation that owns a record
        public="published",        # the QuerySet method that is the one public-visibility rule
        cached=True,               # shown on public pages: a save refreshes the page cache
        history="article",         # the key of its history page in /staff/
        content=True,              # a content model: every role views it, district roles edit it
        staff=("add", "change"),   # what grassroots staff may do with it (in their scope)
    )
    registry.grant(FEDERATION_STAFF, "activities.delete_photo")

Scoping (:mod:`federation.core.scoping`), the roles (:mod:`federation.core.roles`), the privacy
rules (:mod:`federation.core.privacy`), the page cache (:mod:`federation.web.cache`) and the staff
history pages read this registry instead of lists of their own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Model, QuerySet
from django.utils.functional import SimpleLazyObject


@dataclass(frozen=True)
class ModelEntry:
    model: type[Model]
    #: Path from the model to the federation owning a record: "" for Federation itself, None
    #: for network-wide reference data (needs, series, brands).
    scope: str | None = None
    #: Name of the QuerySet method that returns the publicly visible objects (None: all are).
    public: str | None = None
    #: Name of the QuerySet method giving the next moment a scheduled object becomes public
    #: (a page is fresh no longer than that).
    scheduled: str | None = None
    #: Whether the model appears on public pages (its saves and deletes refresh the page cache).
    cached: bool = False
    #: Key of the model's history page in /staff/ (None: no staff history page).
    history: str | None = None
    #: Personal fields and how each is masked for roles that may not see them.
    personal: dict[str, Callable[[str], str]] = field(default_factory=dict)
    #: A content model: every role may view it; district roles may add, change and delete it.
    content: bool = False
    #: What grassroots federation staff may do besides viewing ("add", "change", "delete").
    staff: tuple[str, ...] = ()
    #: Fields of an existing record that only users with network scope may change (a
    #: federation's place in the network): every write path refuses other users' changes.
    network_fields: tuple[str, ...] = ()


_entries: dict[str, ModelEntry] = {}
_grants: dict[str, set[str]] = {}
_contributions: dict[str, dict[str, Callable]] = {}


def register(model: type[Model], **options) -> ModelEntry:
    """Describe ``model`` to the core (once, from its app's ``ready()``)."""
    entry = ModelEntry(model=model, **options)
    if entry.public is not None and not callable(
        getattr(model._default_manager, entry.public, None)
    ):
        raise ValueError(f"{model._meta.label} has no queryset method {entry.public}()")
    _entries[model._meta.label_lower] = entry
    return entry


def grant(role: str, *permissions: str) -> None:
    """Give ``role`` extra permissions (``app_label.codename``) an app defines."""
    _grants.setdefault(role, set()).update(permissions)


def entry(model: type[Model] | Model) -> ModelEntry | None:
    return _entries.get(model._meta.label_lower)


def entries() -> Iterable[ModelEntry]:
    return list(_entries.values())


def grants(role: str) -> set[str]:
    return set(_grants.get(role, ()))


def scope_path(model: type[Model]) -> str | None:
    found = entry(model)
    return found.scope if found else None


def owner_model() -> type[Model]:
    """The model that owns records (the federation): the one registered with ``scope=""``."""
    for found in _entries.values():
        if found.scope == "":
            return found.model
    raise LookupError("no model is registered as the owner of records (scope='')")


def public_queryset(model: type[Model]) -> QuerySet | None:
    """The publicly visible objects of ``model`` by its one rule (None: it has no rule)."""
    found = entry(model)
    if found is None or found.public is None:
        return None
    return getattr(model._default_manager, found.public)()


def cached_models() -> list[type[Model]]:
    return [e.model for e in _entries.values() if e.cached]


def history_models() -> dict[str, type[Model]]:
    return {e.history: e.model for e in _entries.values() if e.history}


def network_fields(model: type[Model]) -> tuple[str, ...]:
    found = entry(model)
    return found.network_fields if found else ()


def personal_fields(model: type[Model]) -> dict[str, Callable[[str], str]]:
    found = entry(model)
    return dict(found.personal) if found else {}


def contribute(model: type[Model], name: str, provider: Callable[[Model], object]) -> None:
    """Let an app add ``name`` to the public page of a ``model`` object it does not own (the
    activities of a federation, the brand sessions at a site), so the owner imports no app."""
    _contributions.setdefault(model._meta.label_lower, {})[name] = provider


def contributions(obj: Model) -> dict[str, object]:
    """What the apps contributed to ``obj``'s page, each provider called once, when its value is
    first used: a page that keeps that part as a fragment (federation.web.fragments) reads none."""
    providers = _contributions.get(obj._meta.label_lower, {})
    return {
        name: SimpleLazyObject(functools.partial(provider, obj))
        for name, provider in providers.items()
    }
