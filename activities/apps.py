from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("活动与资讯")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from activities import media, renditions

        renditions.connect_signals()
        media.connect_signals()
