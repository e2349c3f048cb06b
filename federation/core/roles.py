"""The portal's roles: Django groups plus each user's federation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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

# Model permissions of each role (app_label.codename); object scope comes from federation.core.scoping.
_CONTENT_MODELS = {
    "organizations": [
        "federation",
        "enterprise",
        "servicesite",
        "openinghours",
        "need",
        "mediaaccount",
    ],
    "activities": [
        "activity",
        "article",
        "photo",
        "exemplar",
        "series",
        "articletransition",
        "registrationsettings",
        "registration",
    ],
    "brands": ["brand", "brandsession"],
}
_STAFF_EDITABLE = {
    "organizations": ["federation", "servicesite", "openinghours", "enterprise"],
    "activities": ["activity", "article", "photo", "registrationsettings", "registration"],
}
# Sign-up lists: exported by the roles that run activities; sensitive programmes' lists (婚恋交友)
# only by whoever is given the separate permission (district admins by default).
_EXPORT_REGISTRATIONS = "activities.export_registration"
_VIEW_SENSITIVE_REGISTRATIONS = "activities.view_sensitive_registration"


def _perms(models: dict[str, list[str]], actions: tuple[str, ...]) -> set[str]:
    return {
        f"{app}.{action}_{model}"
        for app, names in models.items()
        for model in names
        for action in actions
    }


def role_permissions() -> dict[str, set[str]]:
    view_all = _perms(_CONTENT_MODELS, ("view",))
    everything = _perms(_CONTENT_MODELS, ("view", "add", "change", "delete"))
    return {
        DISTRICT_ADMIN: everything
        | {
            "activities.publish_article",
            "organizations.view_contact",
            "federation.view_user",
            "federation.add_user",
            "federation.change_user",
            "auth.view_group",
            "auth.change_group",
            # Account lockouts (django-axes): see them and lift one before its cool-off ends.
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
            "axes.view_accessfailurelog",
            # Spreadsheet imports and the export log.
            "organizations.view_importjob",
            "organizations.view_exportlog",
            _EXPORT_REGISTRATIONS,
            _VIEW_SENSITIVE_REGISTRATIONS,
        },
        DISTRICT_EDITOR: everything
        | {
            "activities.publish_article",
            "organizations.view_contact",
            "organizations.view_importjob",
            _EXPORT_REGISTRATIONS,
        },
        FEDERATION_STAFF: view_all
        | _perms(_STAFF_EDITABLE, ("add", "change"))
        | {
            "activities.delete_photo",
            "organizations.view_contact",
            "organizations.view_importjob",
            _EXPORT_REGISTRATIONS,
        },
        VIEWER: view_all,
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
