"""One scoping mechanism for every entry point: which records a user may see and change.

District roles (and superusers) see the whole network. A grassroots federation's staff see their
own federation and its women's groups, and every record attached to them. A user with no role
sees nothing. Staff pages, admin changelists and forms, foreign-key choices, exports and imports
all start from :func:`scope_queryset`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.core import registry
from federation.core.roles import DISTRICT_ADMIN, DISTRICT_EDITOR, ROLES, VIEWER

DISTRICT_ROLES = {DISTRICT_ADMIN, DISTRICT_EDITOR, VIEWER}
OUT_OF_SCOPE_MESSAGE = gettext_lazy("该记录不在您的管理范围内。")


def user_roles(user) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._portal_roles = cached
    return cached


def has_network_scope(user) -> bool:
    """True when the user may see the whole network (district roles and superusers)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    roles = user_roles(user)
    if not roles:
        return False
    if user.federation_id is None:
        return bool(roles & DISTRICT_ROLES)
    return user.federation.level == "district"


def federation_ids(user) -> set[int] | None:
    """The federations whose records the user may see; None means all of them."""
    if has_network_scope(user):
        return None
    if not user_roles(user) or user.federation_id is None:
        return set()
    cached = getattr(user, "_portal_federation_ids", None)
    if cached is None:
        own = user.federation_id
        children = registry.owner_model()._default_manager.filter(parent_id=own)
        cached = {own, *children.values_list("pk", flat=True)}
        user._portal_federation_ids = cached
    return cached


def scope_path(model: type[Model]) -> str | None:
    """Path from ``model`` to its owning federation, as its app registered it (None: network-wide)."""
    return registry.scope_path(model)


def scope_queryset(queryset: QuerySet, user) -> QuerySet:
    """Restrict ``queryset`` to what ``user`` may see (unlisted models pass through unchanged)."""
    path = scope_path(queryset.model)
    if path is None:
        return queryset if user_roles(user) or has_network_scope(user) else queryset.none()
    ids = federation_ids(user)
    if ids is None:
        return queryset
    if not ids:
        return queryset.none()
    lookup = f"{path}__in" if path else "pk__in"
    return queryset.filter(Q(**{lookup: ids}))


def in_scope(obj: Model, user) -> bool:
    """Whether one object lies inside the user's scope (for objects not fetched through a scope)."""
    return scope_queryset(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def owner_federation_id(obj: Model) -> int | None:
    """The federation that owns ``obj`` by its scope path (works for unsaved objects too)."""
    path = scope_path(type(obj))
    if path is None:
        return None
    if path == "":
        return obj.pk
    *hops, last = path.split("__")
    target = obj
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def can_write_in_scope(obj: Model, user) -> bool:
    """Whether saving ``obj`` as it now stands keeps it inside the user's scope.

    Used before a create or an update: grassroots staff may only create and keep records in their
    own federation or its women's groups (a new federation only as a women's group of their own).
    """
    path = scope_path(type(obj))
    ids = federation_ids(user)
    if ids is None:
        return True
    if path is None:
        return bool(user_roles(user))
    if path == "":
        if obj.pk is not None and not obj._state.adding:
            return obj.pk in ids
        return obj.parent_id is not None and obj.parent_id == user.federation_id
    return owner_federation_id(obj) in ids


def own_federations(user) -> QuerySet:
    """The federations a user may attach records to (their own and its women's groups)."""
    return scope_queryset(registry.owner_model()._default_manager.all(), user)


def network_field_changes(obj: Model, user) -> list[str]:
    """The network-only fields (as the app registered them) that saving ``obj`` would change,
    for a user without network scope; empty for a new record or a district user."""
    names = registry.network_fields(type(obj))
    if not names or obj.pk is None or obj._state.adding or has_network_scope(user):
        return []
    model = type(obj)
    attnames = [model._meta.get_field(name).attname for name in names]
    stored = model._default_manager.filter(pk=obj.pk).values(*attnames).first()
    if stored is None:
        return []
    return [name for name, att in zip(names, attnames) if getattr(obj, att) != stored[att]]


def network_fields_message(model: type[Model], names: list[str]) -> str:
    labels = "、".join(str(model._meta.get_field(name).verbose_name) for name in names)
    return _("“%(fields)s”只能由区妇联修改。") % {"fields": labels}


def require_write_scope(obj: Model, user) -> None:
    """Refuse (``PermissionDenied``) to save ``obj`` outside the user's scope: an existing record
    that is not theirs, a record that would leave their scope, or a change of a network-only
    field. Every write service calls it, so every entry point gets the same answer."""
    existing = obj.pk is not None and not obj._state.adding
    if existing and federation_ids(user) is not None and not in_scope(obj, user):
        raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)
    if not can_write_in_scope(obj, user):
        raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)
    changed = network_field_changes(obj, user)
    if changed:
        raise PermissionDenied(network_fields_message(type(obj), changed))


def require_delete_scope(obj: Model, user) -> None:
    """Refuse (``PermissionDenied``) to delete a record outside the user's scope."""
    if not in_scope(obj, user):
        raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)
