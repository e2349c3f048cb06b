"""What the apps registered with the core: every model is described, none is forgotten.

An unregistered model has no scope path, so grassroots staff with a role would see all of its
rows; these tables are written out by hand on purpose.
"""

from __future__ import annotations

from django.apps import apps

from federation.core import registry

# label → (scope path, public rule, cached on public pages, history key, personal fields)
EXPECTED = {
    "organizations.federation": (
        "",
        "active",
        True,
        "federation",
        ["contact_name", "contact_phone"],
    ),
    "organizations.enterprise": (
        "federation",
        None,
        True,
        "enterprise",
        ["contact_name", "contact_phone"],
    ),
    "organizations.servicesite": ("federation", "active", True, "site", []),
    "organizations.openinghours": ("site__federation", None, True, None, []),
    "organizations.followupvisit": ("federation", None, False, "visit", []),
    "organizations.coveragesnapshot": (None, None, True, None, []),
    "organizations.coveragetarget": (None, None, False, None, []),
    "organizations.need": (None, None, False, None, []),
    "organizations.mediaaccount": (None, None, True, None, []),
    "activities.series": (None, None, True, None, []),
    "activities.activity": ("organizer", "public", True, "activity", []),
    "activities.article": ("federation", "published", True, "article", []),
    "activities.photo": ("article__federation", None, True, "photo", []),
    "activities.articletransition": ("article__federation", None, False, None, []),
    "activities.exemplar": ("federation", "published", True, None, []),
    "activities.registrationsettings": ("activity__organizer", None, True, None, []),
    "activities.registration": (
        "activity__organizer",
        None,
        False,
        None,
        ["participant_name", "mobile"],
    ),
    "brands.brand": (None, "published", True, None, []),
    "brands.brandsession": ("federation", None, True, None, []),
    "federation.portalsettings": (None, None, True, None, []),
}

# Models that are no records of the network: scoped or hidden by their own admin.
INTERNAL = {
    "organizations.importjob",  # each user sees their own imports (importing/admin.py)
    "organizations.exportlog",  # district admins only
    "activities.rendition",  # resized copies of a photo, never listed
}


def test_every_model_of_the_apps_is_registered_or_known_internal():
    labels = {
        model._meta.label_lower
        for app in ("organizations", "activities", "brands")
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
    }
    # The project package's own registered model (the portal settings) is not an app's.
    assert labels == {label for label in EXPECTED if not label.startswith("federation.")} | INTERNAL


def test_each_registration_states_scope_rule_cache_history_and_personal_fields():
    found = {}
    for entry in registry.entries():
        found[entry.model._meta.label_lower] = (
            entry.scope,
            entry.public,
            entry.cached,
            entry.history,
            list(entry.personal),
        )
    assert found == EXPECTED


def test_the_owner_of_records_is_the_federation():
    assert registry.owner_model()._meta.label_lower == "organizations.federation"
