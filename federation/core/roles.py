"""The portal's roles: Django groups plus each user's federation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from federation.core import registry

DISTRICT_ADMIN = "district_admin"
DISTRICT_EDITOR = "district_editor"
FEDERATION_STAFF = "federation_staff"
VIEWER = "viewer"

ROLE_LABELS = {
    DISTRICT_ADMIN: _("区妇联管理员"),
    DISTRICT_EDITOR: _("区妇联编辑"),
    FEDERATION_STAFF: _("基层妇联工作人员"),
    VIEWER: _("只读用户"),
}
ROLES = tuple(ROLE_LABELS)

# Each role's model permissions (app_label.codename) come from what the apps registered
# (federation.core.registry): content models, what grassroots staff may do, and extra grants.
# Object scope comes from federation.core.scoping.
ACCOUNT_PERMISSIONS = {
    "federation.view_user",
    "federation.add_user",
    "federation.change_user",
    "auth.view_group",
    "auth.change_group",
    # Account lockouts (django-axes): see them and lift one before its cool-off ends.
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "axes.view_accessfailurelog",
}
# Sign-up lists: exported by the roles that run activities; sensitive programmes' lists (婚恋交友)
# only by whoever is given the separate permission (district admins by default).
_EXPORT_REGISTRATIONS = "activities.export_registration"
_VIEW_SENSITIVE_REGISTRATIONS = "activities.view_sensitive_registration"


def _model_perms(actions_of) -> set[str]:
    perms = set()
    for entry in registry.entries():
        meta = entry.model._meta
        perms.update(f"{meta.app_label}.{action}_{meta.model_name}" for action in actions_of(entry))
    return perms


def role_permissions() -> dict[str, set[str]]:
    view_all = _model_perms(lambda e: ("view",) if e.content else ())
    everything = _model_perms(lambda e: ("view", "add", "change", "delete") if e.content else ())
    staff = _model_perms(lambda e: e.staff)
    return {
        DISTRICT_ADMIN: everything | ACCOUNT_PERMISSIONS | registry.grants(DISTRICT_ADMIN),
        DISTRICT_EDITOR: everything | registry.grants(DISTRICT_EDITOR),
        FEDERATION_STAFF: view_all | staff | registry.grants(FEDERATION_STAFF),
        VIEWER: view_all | registry.grants(VIEWER),
    }


def ensure_roles(using: str = "default") -> None:
    """Create the role groups and give each exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for role, wanted in role_permissions().items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        perms = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".", 1)
            perms.append(
                Permission.objects.using(using).get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(perms)
