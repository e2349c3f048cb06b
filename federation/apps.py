from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender, using="default", **kwargs):
    """After every migrate (and test flush) the role groups exist with their permissions."""
    from django.contrib.auth.management import create_permissions

    from federation.core.roles import ensure_roles

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    ensure_roles(using=using)


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = _("账号与站点")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_ensure_roles, sender=self, dispatch_uid="federation.ensure_roles")

        from federation.web.cache import connect_signals

        connect_signals()

        from federation import portal
        from federation.core import registry
        from federation.core.roles import DISTRICT_ADMIN
        from federation.models import PortalSettings

        # Shown in every page's header and footer; only district admins set it.
        registry.register(PortalSettings, cached=True)
        registry.grant(
            DISTRICT_ADMIN,
            "federation.view_portalsettings",
            "federation.add_portalsettings",
            "federation.change_portalsettings",
        )
        portal.connect_signals()

        import federation.core.pinyin  # noqa: F401  (its pre_save receiver keeps pinyin in step)
        from federation.core import search_index

        search_index.connect_signals()
