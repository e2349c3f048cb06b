"""Who may open what: every staff page and every admin page × every role → one status.

The expectations are the literal tables below, one cell per page and role, each what the role is
for (federation/core/roles.py, DOMAIN.md); nothing is computed from the code under test, so one
permission too many or too few for a role changes a cell and fails a test.

Roles (columns): anonymous; ``no_role`` (a staff account of federation A in no group);
``viewer`` (district, read only); ``staff_a`` / ``staff_b`` (grassroots staff of federations A
and B); ``editor`` (district editor); ``admin`` (district admin, not a superuser); ``superuser``.
Objects in the URLs belong to federation A (or to nobody, for network-wide data); the import
jobs were uploaded by staff_a.

302 = anonymous: to the login page; after a POST: back to a page. 403 = no permission.
404 = outside the user's scope, exactly like a missing record.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from import_export.admin import ImportExportMixin

from activities.images import clean_image
from activities.models import Registration, RegistrationSettings
from activities.services import photo_add
from federation.core.audit import personal_data_access_log
from federation.core.roles import FEDERATION_STAFF, VIEWER
from federation.models import PortalSettings
from organizations.models import Enterprise, ExportLog, ImportJob
from tests.factories import (
    ActivityFactory,
    ArticleFactory,
    BrandFactory,
    BrandSessionFactory,
    EnterpriseFactory,
    ExemplarFactory,
    MediaAccountFactory,
    NeedFactory,
    SeriesFactory,
    ServiceSiteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "no_role", "viewer", "staff_a", "staff_b", "editor", "admin", "superuser")

# --- the staff workbench (/staff/) ---------------------------------------------------------------
# GET of (URL name in "staff:", object of A in the URL) → status per role, in the order of ROLES.
# The viewer reads everything and changes nothing; staff B never reach A's records; the superuser
# has no federation, so no profile of their own.
# fmt: off
STAFF_GET = [
    # URL name            object                       anon none view  A    B   edit admin super
    ("dashboard",          None,                        302, 403, 200, 200, 200, 200, 200, 200),
    ("activity_list",      None,                        302, 403, 200, 200, 200, 200, 200, 200),
    ("article_list",       None,                        302, 403, 200, 200, 200, 200, 200, 200),
    ("site_list",          None,                        302, 403, 200, 200, 200, 200, 200, 200),
    ("photo_list",         None,                        302, 403, 200, 200, 200, 200, 200, 200),
    ("activity_create",    None,                        302, 403, 403, 200, 200, 200, 200, 200),
    ("article_create",     None,                        302, 403, 403, 200, 200, 200, 200, 200),
    ("site_create",        None,                        302, 403, 403, 200, 200, 200, 200, 200),
    ("federation_profile", None,                        302, 403, 403, 200, 200, 200, 200, 404),
    # The coverage drive: district roles see the worklist, staff what was given to them; only
    # the federation an enterprise was given to (and the district) logs visits to it.
    ("coverage",           None,                        302, 403, 200, 200, 200, 200, 200, 200),
    ("coverage_visit",     "organizations.followedup",  302, 403, 403, 200, 404, 200, 200, 200),
    # The cockpit and its xlsx: district roles see the district, grassroots staff their own.
    ("cockpit",            None,                        302, 403, 200, 200, 200, 200, 200, 200),
    ("cockpit_export",     None,                        302, 403, 200, 200, 200, 200, 200, 200),
    # Without a quarter: back to the cockpit with the message (staff: for their own federation).
    ("quarterly_report",   None,                        302, 403, 302, 302, 302, 302, 302, 302),
    # The kept quarterly reports (district-wide): district roles only.
    ("kept_reports",       None,                        302, 403, 200, 403, 403, 200, 200, 200),
    ("kept_report_download", None,                      302, 403, 200, 403, 403, 200, 200, 200),
    ("activity_edit",      "activities.activity",       302, 403, 403, 200, 404, 200, 200, 200),
    ("article_edit",       "activities.article",        302, 403, 403, 200, 404, 200, 200, 200),
    ("site_edit",          "organizations.servicesite", 302, 403, 403, 200, 404, 200, 200, 200),
    # Deleting (the confirmation page): district roles any record, staff only their own drafts
    # and activities (these were written by nobody in particular).
    ("activity_delete",    "activities.activity",       302, 403, 403, 403, 404, 200, 200, 200),
    ("article_delete",     "activities.article",        302, 403, 403, 403, 404, 200, 200, 200),
    ("photo_edit",         "activities.photo",          302, 403, 403, 200, 404, 200, 200, 200),
    ("article_photos",     "activities.article",        302, 403, 403, 200, 404, 200, 200, 200),
    ("article_preview",    "activities.article",        302, 403, 200, 200, 404, 200, 200, 200),
    ("history",            "organizations.federation",  302, 403, 200, 200, 404, 200, 200, 200),
    ("history",            "organizations.servicesite", 302, 403, 200, 200, 404, 200, 200, 200),
    ("history",            "organizations.enterprise",  302, 403, 200, 200, 404, 200, 200, 200),
    ("history",            "activities.activity",       302, 403, 200, 200, 404, 200, 200, 200),
    ("history",            "activities.article",        302, 403, 200, 200, 404, 200, 200, 200),
    ("history",            "activities.photo",          302, 403, 200, 200, 404, 200, 200, 200),
    # Sign-up (by the activity): every role of the scope reads the list; exporting it is no
    # viewer's job; settings, check-in and the venue's code change things.
    ("registration_list",     "activities.registrationsettings", 302, 403, 200, 200, 404, 200, 200, 200),
    ("registration_export",   "activities.registrationsettings", 302, 403, 403, 200, 404, 200, 200, 200),
    ("registration_settings", "activities.registrationsettings", 302, 403, 403, 200, 404, 200, 200, 200),
    ("checkin",               "activities.registrationsettings", 302, 403, 403, 200, 404, 200, 200, 200),
    ("checkin_code",          "activities.registrationsettings", 302, 403, 403, 200, 404, 200, 200, 200),
]
# POSTs with a body of their own, each in a test of its own below.
DEDICATED_POST = {
    "checkin_scan",
    "registration_action",
    "coverage_action",
    "article_photo_upload",  # tests/activities/test_photos_in_text.py
}
# POSTs that change something (each on fresh records): publishing is for editors and admins only.
STAFF_POST = [
    ("article_transition", "activities.article",        302, 403, 403, 403, 404, 302, 302, 302),
    ("photo_delete",       "activities.photo",          302, 403, 403, 302, 404, 302, 302, 302),
    # Sending back needs the editor's right; the check-in staff B never reach A's article.
    ("article_send_back",  "activities.article",        302, 403, 403, 403, 404, 302, 302, 302),
    ("notifications_read", None,                        302, 403, 302, 302, 302, 302, 302, 302),
    # Coverage targets are set by district admins alone (an empty form: back with its errors).
    ("cockpit_target",     None,                        302, 403, 403, 403, 403, 403, 302, 302),
]
# fmt: on

# --- the admin ----------------------------------------------------------------------------------
# (model, admin view) → status per role. Every registered model × changelist, add, change, delete,
# history (GET), plus the import/export pages of the three spreadsheet lists.
# Network-wide data (needs, series, brands, media accounts) are read by every role and kept by the
# district; account lockouts, users and groups are the district admin's; the audit trail, the task
# queue and successful-login log are the superuser's alone. Import jobs and export logs are never
# added or edited by hand. ``no_role`` sees no record at all: the scoped admins answer 404 even
# for network-wide data, the others 403. An import job of someone else is "missing": Django's
# admin then redirects to the index (302).
# fmt: off
ADMIN = [
    # model                               view              anon none view  A    B   edit admin super
    ("activities.activity",                "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("activities.activity",                "add",            302, 403, 403, 200, 200, 200, 200, 200),
    ("activities.activity",                "change",         302, 404, 200, 200, 404, 200, 200, 200),
    ("activities.activity",                "delete",         302, 404, 403, 403, 404, 200, 200, 200),
    ("activities.activity",                "history",        302, 404, 200, 200, 404, 200, 200, 200),

    ("activities.article",                 "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("activities.article",                 "add",            302, 403, 403, 200, 200, 200, 200, 200),
    ("activities.article",                 "change",         302, 404, 200, 200, 404, 200, 200, 200),
    ("activities.article",                 "delete",         302, 404, 403, 403, 404, 200, 200, 200),
    ("activities.article",                 "history",        302, 404, 200, 200, 404, 200, 200, 200),

    ("activities.exemplar",                "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("activities.exemplar",                "add",            302, 403, 403, 403, 403, 200, 200, 200),
    ("activities.exemplar",                "change",         302, 404, 200, 200, 404, 200, 200, 200),
    ("activities.exemplar",                "delete",         302, 404, 403, 403, 404, 200, 200, 200),
    ("activities.exemplar",                "history",        302, 404, 200, 200, 404, 200, 200, 200),

    ("activities.registrationsettings",    "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("activities.registrationsettings",    "add",            302, 403, 403, 200, 200, 200, 200, 200),
    ("activities.registrationsettings",    "change",         302, 404, 200, 200, 404, 200, 200, 200),
    ("activities.registrationsettings",    "delete",         302, 404, 403, 403, 404, 200, 200, 200),
    ("activities.registrationsettings",    "history",        302, 404, 200, 200, 404, 200, 200, 200),

    ("activities.registration",            "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("activities.registration",            "add",            302, 403, 403, 403, 403, 403, 403, 403),
    ("activities.registration",            "change",         302, 404, 200, 200, 404, 200, 200, 200),
    ("activities.registration",            "delete",         302, 404, 403, 403, 404, 403, 403, 403),
    ("activities.registration",            "history",        302, 404, 200, 200, 404, 200, 200, 200),

    ("activities.series",                  "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("activities.series",                  "add",            302, 403, 403, 403, 403, 200, 200, 200),
    ("activities.series",                  "change",         302, 404, 200, 200, 200, 200, 200, 200),
    ("activities.series",                  "delete",         302, 404, 403, 403, 403, 200, 200, 200),
    ("activities.series",                  "history",        302, 404, 200, 200, 200, 200, 200, 200),

    ("auth.group",                         "changelist",     302, 403, 403, 403, 403, 403, 200, 200),
    ("auth.group",                         "add",            302, 403, 403, 403, 403, 403, 403, 200),
    ("auth.group",                         "change",         302, 403, 403, 403, 403, 403, 200, 200),
    ("auth.group",                         "delete",         302, 403, 403, 403, 403, 403, 403, 200),
    ("auth.group",                         "history",        302, 403, 403, 403, 403, 403, 200, 200),

    ("axes.accessattempt",                 "changelist",     302, 403, 403, 403, 403, 403, 200, 200),
    ("axes.accessattempt",                 "add",            302, 403, 403, 403, 403, 403, 403, 403),
    ("axes.accessattempt",                 "change",         302, 403, 403, 403, 403, 403, 200, 200),
    ("axes.accessattempt",                 "delete",         302, 403, 403, 403, 403, 403, 200, 200),
    ("axes.accessattempt",                 "history",        302, 403, 403, 403, 403, 403, 200, 200),

    ("axes.accessfailurelog",              "changelist",     302, 403, 403, 403, 403, 403, 200, 200),
    ("axes.accessfailurelog",              "add",            302, 403, 403, 403, 403, 403, 403, 403),
    ("axes.accessfailurelog",              "change",         302, 403, 403, 403, 403, 403, 200, 200),
    ("axes.accessfailurelog",              "delete",         302, 403, 403, 403, 403, 403, 403, 200),
    ("axes.accessfailurelog",              "history",        302, 403, 403, 403, 403, 403, 200, 200),

    ("axes.accesslog",                     "changelist",     302, 403, 403, 403, 403, 403, 403, 200),
    ("axes.accesslog",                     "add",            302, 403, 403, 403, 403, 403, 403, 403),
    ("axes.accesslog",                     "change",         302, 403, 403, 403, 403, 403, 403, 200),
    ("axes.accesslog",                     "delete",         302, 403, 403, 403, 403, 403, 403, 200),
    ("axes.accesslog",                     "history",        302, 403, 403, 403, 403, 403, 403, 200),

    ("brands.brand",                       "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("brands.brand",                       "add",            302, 403, 403, 403, 403, 200, 200, 200),
    ("brands.brand",                       "change",         302, 404, 200, 200, 200, 200, 200, 200),
    ("brands.brand",                       "delete",         302, 404, 403, 403, 403, 200, 200, 200),
    ("brands.brand",                       "history",        302, 404, 200, 200, 200, 200, 200, 200),

    ("brands.brandsession",                "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("brands.brandsession",                "add",            302, 403, 403, 403, 403, 200, 200, 200),
    ("brands.brandsession",                "change",         302, 404, 200, 200, 404, 200, 200, 200),
    ("brands.brandsession",                "delete",         302, 404, 403, 403, 404, 200, 200, 200),
    ("brands.brandsession",                "history",        302, 404, 200, 200, 404, 200, 200, 200),

    ("django_tasks_database.dbtaskresult", "changelist",     302, 403, 403, 403, 403, 403, 403, 200),
    ("django_tasks_database.dbtaskresult", "add",            302, 403, 403, 403, 403, 403, 403, 403),
    ("django_tasks_database.dbtaskresult", "change",         302, 403, 403, 403, 403, 403, 403, 200),
    ("django_tasks_database.dbtaskresult", "delete",         302, 403, 403, 403, 403, 403, 403, 403),
    ("django_tasks_database.dbtaskresult", "history",        302, 403, 403, 403, 403, 403, 403, 200),

    # District admins only; one row, never deleted (its fields are cleared instead).
    ("federation.portalsettings",          "changelist",     302, 403, 403, 403, 403, 403, 200, 200),
    ("federation.portalsettings",          "add",            302, 403, 403, 403, 403, 403, 403, 403),
    ("federation.portalsettings",          "change",         302, 404, 403, 403, 403, 403, 200, 200),
    ("federation.portalsettings",          "delete",         302, 404, 403, 403, 403, 403, 403, 403),
    ("federation.portalsettings",          "history",        302, 404, 403, 403, 403, 403, 200, 200),

    ("federation.personaldataaccess",      "changelist",     302, 403, 403, 403, 403, 403, 403, 200),
    ("federation.personaldataaccess",      "add",            302, 403, 403, 403, 403, 403, 403, 403),
    ("federation.personaldataaccess",      "change",         302, 403, 403, 403, 403, 403, 403, 200),
    ("federation.personaldataaccess",      "delete",         302, 403, 403, 403, 403, 403, 403, 403),
    ("federation.personaldataaccess",      "history",        302, 403, 403, 403, 403, 403, 403, 200),

    ("federation.user",                    "changelist",     302, 403, 403, 403, 403, 403, 200, 200),
    ("federation.user",                    "add",            302, 403, 403, 403, 403, 403, 200, 200),
    ("federation.user",                    "change",         302, 404, 403, 403, 403, 403, 200, 200),
    ("federation.user",                    "delete",         302, 404, 403, 403, 403, 403, 403, 200),
    ("federation.user",                    "history",        302, 404, 403, 403, 403, 403, 200, 200),

    ("organizations.enterprise",           "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("organizations.enterprise",           "add",            302, 403, 403, 200, 200, 200, 200, 200),
    ("organizations.enterprise",           "change",         302, 404, 200, 200, 404, 200, 200, 200),
    ("organizations.enterprise",           "delete",         302, 404, 403, 403, 404, 200, 200, 200),
    ("organizations.enterprise",           "history",        302, 404, 200, 200, 404, 200, 200, 200),
    ("organizations.enterprise",           "import",         302, 403, 403, 200, 200, 200, 200, 200),
    ("organizations.enterprise",           "import_template",302, 403, 403, 200, 200, 200, 200, 200),
    ("organizations.enterprise",           "export",         302, 403, 200, 200, 200, 200, 200, 200),
    ("organizations.enterprise",           "import_job",     302, 403, 403, 200, 404, 200, 200, 200),
    ("organizations.enterprise",           "process_import", 302, 403, 403, 302, 404, 302, 302, 302),
    ("organizations.enterprise",           "import_cancel",  302, 403, 403, 302, 404, 302, 302, 302),
    ("organizations.enterprise",           "import_mapping", 302, 403, 403, 302, 404, 302, 302, 302),

    ("organizations.exportlog",            "changelist",     302, 403, 403, 403, 403, 403, 200, 200),
    ("organizations.exportlog",            "add",            302, 403, 403, 403, 403, 403, 403, 403),
    ("organizations.exportlog",            "change",         302, 403, 403, 403, 403, 403, 200, 200),
    ("organizations.exportlog",            "delete",         302, 403, 403, 403, 403, 403, 403, 403),
    ("organizations.exportlog",            "history",        302, 403, 403, 403, 403, 403, 200, 200),

    ("organizations.federation",           "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("organizations.federation",           "add",            302, 403, 403, 200, 200, 200, 200, 200),
    ("organizations.federation",           "change",         302, 404, 200, 200, 404, 200, 200, 200),
    ("organizations.federation",           "delete",         302, 404, 403, 403, 404, 200, 200, 200),
    ("organizations.federation",           "history",        302, 404, 200, 200, 404, 200, 200, 200),
    ("organizations.federation",           "import",         302, 403, 403, 200, 200, 200, 200, 200),
    ("organizations.federation",           "import_template",302, 403, 403, 200, 200, 200, 200, 200),
    ("organizations.federation",           "export",         302, 403, 200, 200, 200, 200, 200, 200),
    ("organizations.federation",           "import_job",     302, 403, 403, 200, 404, 200, 200, 200),
    ("organizations.federation",           "process_import", 302, 403, 403, 302, 404, 302, 302, 302),
    ("organizations.federation",           "import_cancel",  302, 403, 403, 302, 404, 302, 302, 302),
    ("organizations.federation",           "import_mapping", 302, 403, 403, 302, 404, 302, 302, 302),

    ("organizations.importjob",            "changelist",     302, 403, 403, 200, 200, 200, 200, 200),
    ("organizations.importjob",            "add",            302, 403, 403, 403, 403, 403, 403, 403),
    ("organizations.importjob",            "change",         302, 403, 403, 200, 302, 200, 200, 200),
    ("organizations.importjob",            "delete",         302, 403, 403, 403, 403, 403, 403, 200),
    ("organizations.importjob",            "history",        302, 302, 403, 200, 302, 200, 200, 200),

    ("organizations.mediaaccount",         "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("organizations.mediaaccount",         "add",            302, 403, 403, 403, 403, 200, 200, 200),
    ("organizations.mediaaccount",         "change",         302, 404, 200, 200, 200, 200, 200, 200),
    ("organizations.mediaaccount",         "delete",         302, 404, 403, 403, 403, 200, 200, 200),
    ("organizations.mediaaccount",         "history",        302, 404, 200, 200, 200, 200, 200, 200),

    ("organizations.need",                 "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("organizations.need",                 "add",            302, 403, 403, 403, 403, 200, 200, 200),
    ("organizations.need",                 "change",         302, 404, 200, 200, 200, 200, 200, 200),
    ("organizations.need",                 "delete",         302, 404, 403, 403, 403, 200, 200, 200),
    ("organizations.need",                 "history",        302, 404, 200, 200, 200, 200, 200, 200),

    ("organizations.servicesite",          "changelist",     302, 403, 200, 200, 200, 200, 200, 200),
    ("organizations.servicesite",          "add",            302, 403, 403, 200, 200, 200, 200, 200),
    ("organizations.servicesite",          "change",         302, 404, 200, 200, 404, 200, 200, 200),
    ("organizations.servicesite",          "delete",         302, 404, 403, 403, 404, 200, 200, 200),
    ("organizations.servicesite",          "history",        302, 404, 200, 200, 404, 200, 200, 200),
    ("organizations.servicesite",          "import",         302, 403, 403, 200, 200, 200, 200, 200),
    ("organizations.servicesite",          "import_template",302, 403, 403, 200, 200, 200, 200, 200),
    ("organizations.servicesite",          "export",         302, 403, 200, 200, 200, 200, 200, 200),
    ("organizations.servicesite",          "import_job",     302, 403, 403, 200, 404, 200, 200, 200),
    ("organizations.servicesite",          "process_import", 302, 403, 403, 302, 404, 302, 302, 302),
    ("organizations.servicesite",          "import_cancel",  302, 403, 403, 302, 404, 302, 302, 302),
    ("organizations.servicesite",          "import_mapping", 302, 403, 403, 302, 404, 302, 302, 302),
]
# fmt: on

OBJECT_VIEWS = ("change", "delete", "history")
MODEL_VIEWS = ("changelist", "add", *OBJECT_VIEWS)
IMPORT_VIEWS = (
    "import",
    "import_template",
    "export",
    "import_job",
    "process_import",
    "import_cancel",
    "import_mapping",
)
JOB_KINDS = {"federation": "federation", "enterprise": "enterprise", "servicesite": "site"}


def _table(rows, key_columns: int):
    """{key: {role: status}} from rows of (*key, one status per role)."""
    table = {}
    for row in rows:
        key, statuses = tuple(row[:key_columns]), row[key_columns:]
        assert len(statuses) == len(ROLES), row
        assert key not in table, f"{key} twice"
        table[key] = dict(zip(ROLES, statuses, strict=True))
    return table


STAFF_GET_TABLE = _table(STAFF_GET, 2)
STAFF_POST_TABLE = _table(STAFF_POST, 2)
ADMIN_TABLE = _table(ADMIN, 2)


@pytest.fixture
def records(world, png_bytes, settings, tmp_path):
    """One record of every registered admin model; a scoped one belongs to federation A."""
    settings.REPORTS_DIR = tmp_path
    (tmp_path / "quarterly-2026Q1.xlsx").write_bytes(b"PK kept report")
    world.no_role = UserFactory(username="no_role", federation=world.fed_a)
    world.superuser = UserFactory(username="root", is_superuser=True)
    enterprise = EnterpriseFactory(federation=world.fed_a)
    article = ArticleFactory(federation=world.fed_a, status="draft", publish_at=None)
    photo = photo_add(
        article=article,
        image=clean_image(SimpleUploadedFile("a.png", png_bytes(), "image/png")),
        user=world.staff_a,
    )
    signup = RegistrationSettings.objects.create(
        activity=ActivityFactory(organizer=world.fed_a, title="A的报名活动"), capacity=10
    )
    registration = Registration.objects.create(
        activity=signup.activity,
        participant_name="王小花",
        mobile="13800001111",
        code="ABCD2345",
        status=Registration.Status.CONFIRMED,
    )
    jobs = {
        kind: ImportJob.objects.create(
            kind=kind,
            user=world.staff_a,
            file_name="名单.xlsx",
            file_size=1024,
            status=ImportJob.Status.APPLIED,
        )
        for kind in ("federation", "enterprise", "site")
    }
    return {
        "world": world,
        "jobs": jobs,
        "organizations.federation": world.fed_a,
        "organizations.enterprise": enterprise,
        "organizations.servicesite": ServiceSiteFactory(federation=world.fed_a),
        # Uncovered, surveyed, given to A to follow up.
        "organizations.followedup": EnterpriseFactory(
            surveyed_on=datetime.date(2025, 3, 1), followed_by=world.fed_a
        ),
        "organizations.need": NeedFactory(),
        "organizations.mediaaccount": MediaAccountFactory(),
        "organizations.importjob": jobs["enterprise"],
        "organizations.exportlog": ExportLog.objects.create(
            kind="enterprise", user=world.staff_a, file_format="xlsx", row_count=1
        ),
        "activities.series": SeriesFactory(),
        "activities.activity": ActivityFactory(organizer=world.fed_a),
        "activities.article": article,
        "activities.photo": photo,
        "activities.exemplar": ExemplarFactory(federation=world.fed_a),
        "activities.registrationsettings": signup,
        "activities.registration": registration,
        "brands.brand": BrandFactory(),
        "brands.brandsession": BrandSessionFactory(federation=world.fed_a),
        "federation.user": UserFactory(
            username="colleague_a", role=FEDERATION_STAFF, federation=world.fed_a
        ),
        "federation.portalsettings": PortalSettings.objects.create(
            icp_number="津ICP备2024012345号-1"
        ),
        "federation.personaldataaccess": personal_data_access_log(
            user=world.staff_a, model=Enterprise, obj=enterprise, fields=["contact_phone"]
        ),
        "auth.group": Group.objects.get(name=VIEWER),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="staff_a",
            ip_address="10.0.0.1",
            user_agent="pytest",
            get_data="",
            post_data="",
            failures_since_start=1,
        ),
        "axes.accesslog": AccessLog.objects.create(
            username="staff_a", ip_address="10.0.0.1", user_agent="pytest"
        ),
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="staff_a", ip_address="10.0.0.1", user_agent="pytest"
        ),
        "django_tasks_database.dbtaskresult": DBTaskResult.objects.create(
            id=uuid.uuid4(),
            args_kwargs={"args": [], "kwargs": {}},
            task_path="tests.example",
            backend_name="default",
            run_after=timezone.now(),
            exception_class_path="",
            traceback="",
        ),
    }


def _client_for(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def _staff_url(records, name, label):
    obj = records[label] if label else None
    if name == "history":
        kind = {"servicesite": "site"}.get(obj._meta.model_name, obj._meta.model_name)
        return reverse("staff:history", args=[kind, obj.pk])
    if name == "article_transition":
        return reverse("staff:article_transition", args=[obj.pk, "publish"])
    if name == "kept_report_download":
        return reverse("staff:kept_report_download", args=["quarterly-2026Q1.xlsx"])
    if label == "activities.registrationsettings":
        return reverse(f"staff:{name}", args=[obj.activity_id])
    return reverse(f"staff:{name}", args=[obj.pk] if obj else [])


def _admin_response(client, records, label, view):
    app_label, model_name = label.split(".")
    name = f"admin:{app_label}_{model_name}_{view}"
    if view in OBJECT_VIEWS:
        return client.get(reverse(name, args=[records[label].pk]))
    if view in ("changelist", "add", "import", "import_template", "export"):
        return client.get(reverse(name))
    job = records["jobs"][
        JOB_KINDS[model_name]
    ]  # applied: confirming or cancelling changes nothing
    if view == "import_job":
        return client.get(reverse(name, args=[job.pk]))
    if view in ("import_cancel", "import_mapping"):
        return client.post(reverse(name, args=[job.pk]))
    assert view == "process_import", view
    return client.post(reverse(name), {"job": job.pk})


def _status(response, role):
    if role == "anonymous" and response.status_code == 302:
        assert "/login/" in response["Location"], response["Location"]
    return response.status_code


def test_the_tables_cover_every_staff_url_and_every_admin_page():
    """A new staff URL or a newly registered admin fails here until it has its row."""
    from federation.staff.urls import urlpatterns

    assert {p.name for p in urlpatterns} == {
        *(row[0] for row in [*STAFF_GET, *STAFF_POST]),
        *DEDICATED_POST,
    }
    pages = set()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        pages.update((label, view) for view in MODEL_VIEWS)
        if isinstance(model_admin, ImportExportMixin):
            pages.update((label, view) for view in IMPORT_VIEWS)
    assert set(ADMIN_TABLE) == pages


@pytest.mark.parametrize("role", ROLES)
def test_staff_get_matrix(client, records, role):
    client = _client_for(client, records["world"], role)
    got, want = {}, {}
    for (name, label), expected in STAFF_GET_TABLE.items():
        url = _staff_url(records, name, label)
        got[url] = _status(client.get(url), role)
        want[url] = expected[role]
    assert got == want


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "label"), list(STAFF_POST_TABLE))
def test_staff_post_matrix(client, records, name, label, role):
    article = records["activities.article"]
    response = _client_for(client, records["world"], role).post(_staff_url(records, name, label))
    assert _status(response, role) == STAFF_POST_TABLE[name, label][role]
    article.refresh_from_db()
    if name == "article_transition":
        assert (article.status == "published") == (role in {"editor", "admin", "superuser"})
    elif name == "photo_delete":
        assert article.photos.exists() == (role not in {"staff_a", "editor", "admin", "superuser"})
    else:
        # Sending back without a reason (or a draft) and reading notifications change no article.
        assert (article.status, article.photos.exists()) == ("draft", True)


@pytest.mark.parametrize("role", ROLES)
def test_admin_matrix(client, records, role):
    client = _client_for(client, records["world"], role)
    got, want = {}, {}
    for (label, view), expected in ADMIN_TABLE.items():
        got[label, view] = _status(_admin_response(client, records, label, view), role)
        want[label, view] = expected[role]
    assert got == want


@pytest.mark.parametrize("role", ["staff_b", "editor"])
def test_admin_missing_object_is_404_too(client, world, role):
    client.force_login(getattr(world, role))
    assert (
        client.get(reverse("admin:organizations_servicesite_change", args=[999999])).status_code
        == 404
    )
    assert (
        client.get(reverse("admin:organizations_servicesite_delete", args=[999999])).status_code
        == 404
    )


def test_admin_delete_of_another_federations_record_is_404_and_deletes_nothing(client, world):
    from organizations.models import ServiceSite

    site = ServiceSiteFactory(federation=world.fed_a)
    url = reverse("admin:organizations_servicesite_delete", args=[site.pk])
    client.force_login(world.staff_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {"post": "yes"}).status_code == 404
    assert ServiceSite.objects.filter(pk=site.pk).exists()


# --- sign-up POSTs: a check-in scanned on a staff phone, a registration cancelled by staff ------
# fmt: off
CHECKIN_SCAN = {"anonymous": 302, "no_role": 403, "viewer": 403, "staff_a": 200, "staff_b": 404,
                "editor": 200, "admin": 200, "superuser": 200}
REGISTRATION_CANCEL = {"anonymous": 302, "no_role": 403, "viewer": 403, "staff_a": 302,
                       "staff_b": 404, "editor": 302, "admin": 302, "superuser": 302}
# fmt: on


@pytest.mark.parametrize("role", ROLES)
def test_staff_post_matrix_check_in(client, records, role):
    registration = records["activities.registration"]
    response = _client_for(client, records["world"], role).post(
        reverse("staff:checkin_scan", args=[registration.activity_id]),
        {"code": registration.code},
        content_type="application/json",
    )
    assert _status(response, role) == CHECKIN_SCAN[role]
    registration.refresh_from_db()
    assert (registration.checked_in_at is not None) == (
        role in {"staff_a", "editor", "admin", "superuser"}
    )


@pytest.mark.parametrize("role", ROLES)
def test_staff_post_matrix_registration_cancel(client, records, role):
    registration = records["activities.registration"]
    response = _client_for(client, records["world"], role).post(
        reverse("staff:registration_action", args=[registration.pk, "cancel"])
    )
    assert _status(response, role) == REGISTRATION_CANCEL[role]
    registration.refresh_from_db()
    assert (registration.status == "cancelled") == (
        role in {"staff_a", "editor", "admin", "superuser"}
    )


# fmt: off
COVERAGE_ACTION = dict(zip(ROLES, (302, 403, 403, 403, 403, 302, 302, 302), strict=True))
# fmt: on


@pytest.mark.parametrize("role", ROLES)
def test_coverage_action_matrix(client, records, role):
    """分派跟进 is the district's: every other role is refused and nothing changes."""
    world = records["world"]
    enterprise = EnterpriseFactory(surveyed_on=datetime.date(2025, 3, 1))
    response = _client_for(client, world, role).post(
        reverse("staff:coverage_action"),
        {"action": "assign", "enterprise": [enterprise.pk], "federation": world.fed_b.name},
    )
    assert _status(response, role) == COVERAGE_ACTION[role]
    enterprise.refresh_from_db()
    assert (enterprise.followed_by_id == world.fed_b.pk) == (
        role in {"editor", "admin", "superuser"}
    )
