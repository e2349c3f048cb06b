from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    name = "brands"
    verbose_name = _("品牌项目")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from brands import models
        from federation.core import registry

        registry.register(models.Brand, public="published", cached=True, content=True)
        registry.register(models.BrandSession, scope="federation", cached=True, content=True)

        from brands.selectors import sessions_at
        from organizations.models import ServiceSite

        registry.contribute(ServiceSite, "sessions", sessions_at)
