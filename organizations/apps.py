from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("组织网络")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from federation.core import registry
        from federation.core.privacy import CONTACT_FIELDS
        from federation.core.roles import DISTRICT_ADMIN, DISTRICT_EDITOR, FEDERATION_STAFF, VIEWER
        from organizations import models

        edit = ("add", "change")
        registry.register(
            models.Federation,
            scope="",
            public="active",
            cached=True,
            history="federation",
            personal=CONTACT_FIELDS,
            content=True,
            staff=edit,
            # A federation's own staff keep its profile; its place in the network is the district's.
            network_fields=("level", "kind", "parent", "is_active"),
        )
        registry.register(
            models.Enterprise,
            scope="federation",
            cached=True,
            history="enterprise",
            personal=CONTACT_FIELDS,
            content=True,
            staff=edit,
        )
        registry.register(
            models.ServiceSite,
            scope="federation",
            public="active",
            cached=True,
            history="site",
            content=True,
            staff=edit,
        )
        registry.register(
            models.OpeningHours, scope="site__federation", cached=True, content=True, staff=edit
        )
        # Follow-up visits to uncovered enterprises: owned by the visiting federation, logged by
        # its staff; district roles see them all.
        registry.register(
            models.FollowUpVisit,
            scope="federation",
            history="visit",
            content=True,
            staff=("add",),
        )
        # Figures at past dates (written by a command from history): network-wide, public.
        registry.register(models.CoverageSnapshot, cached=True)
        # Coverage targets: network-wide, read by the district's cockpit, set by its admins.
        registry.register(models.CoverageTarget)
        registry.register(models.Need, content=True)
        registry.register(models.MediaAccount, cached=True, content=True)
        # Contacts in full, and the spreadsheet imports (each sees only their own, by scope).
        for role in (DISTRICT_ADMIN, DISTRICT_EDITOR, FEDERATION_STAFF):
            registry.grant(role, "organizations.view_contact", "organizations.view_importjob")
        registry.grant(DISTRICT_ADMIN, "organizations.view_exportlog")
        # The coverage worklist's 纳入覆盖 and 分派跟进 are the district's.
        for role in (DISTRICT_ADMIN, DISTRICT_EDITOR):
            registry.grant(role, "organizations.cover_enterprise")
        # The district cockpit is the district's overview: every district role reads it; only
        # district admins set its targets.
        for role in (DISTRICT_ADMIN, DISTRICT_EDITOR, VIEWER):
            registry.grant(role, "organizations.view_cockpit", "organizations.view_coveragetarget")
        # Grassroots staff get the same cockpit computed over their own federation(s).
        registry.grant(FEDERATION_STAFF, "organizations.view_cockpit")
        registry.grant(
            DISTRICT_ADMIN,
            "organizations.add_coveragetarget",
            "organizations.change_coveragetarget",
        )
