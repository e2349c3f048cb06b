"""One scoping mechanism for every entry point: which records a user may see and change.

District roles (and superusers) see the whole network. A grassroots federation's staff see their
own federation and its women's groups, and every record attached to them. A user with no role
sees nothing. Staff pages, admin changelists and forms, foreign-key choices, exports and imports
all start from :func:`scope_queryset`.
"""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

from federation.core.roles import DISTRICT_ADMIN, DISTRICT_EDITOR, ROLES, VIEWER

# Path from each scoped model to the federation that owns the record; "" means the model is
# Federation itself. Models not listed are network-wide reference data (needs, series, brands).
SCOPE_PATHS: dict[str, str] = {
    "organizations.federation": "",
    "organizations.enterprise": "federation",
    "organizations.servicesite": "federation",
    "organizations.openinghours": "site__federation",
    "activities.activity": "organizer",
    "activities.article": "federation",
    "activities.photo": "article__federation",
    "activities.articletransition": "article__federation",
    "activities.exemplar": "federation",
    "activities.registrationsettings": "activity__organizer",
    "activities.registration": "activity__organizer",
    "brands.brandsession": "federation",
}

DISTRICT_ROLES = {DISTRICT_ADMIN, DISTRICT_EDITOR, VIEWER}


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
        from organizations.models import Federation

        own = user.federation_id
        cached = {own, *Federation.objects.filter(parent_id=own).values_list("pk", flat=True)}
        user._portal_federation_ids = cached
    return cached


def scope_path(model: type[Model]) -> str | None:
    return SCOPE_PATHS.get(model._meta.label_lower)


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
    from organizations.models import Federation

    return scope_queryset(Federation.objects.all(), user)
