from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("活动与资讯")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings
        from PIL import Image

        from activities import media, models, renditions

        # Any decode anywhere (renditions included) refuses what the upload validator would.
        Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS
        from federation.core import registry
        from federation.core.privacy import mask_name, mask_phone
        from federation.core.roles import DISTRICT_ADMIN, DISTRICT_EDITOR, FEDERATION_STAFF

        edit = ("add", "change")
        registry.register(models.Series, cached=True, content=True)
        registry.register(
            models.Activity,
            scope="organizer",
            public="public",
            cached=True,
            history="activity",
            content=True,
            staff=edit,
        )
        registry.register(
            models.Article,
            scope="federation",
            public="published",
            scheduled="next_publish_at",
            cached=True,
            history="article",
            content=True,
            staff=edit,
        )
        registry.register(
            models.Photo,
            scope="article__federation",
            cached=True,
            history="photo",
            content=True,
            staff=(*edit, "delete"),
        )
        registry.register(models.ArticleTransition, scope="article__federation", content=True)
        registry.register(
            models.Exemplar, scope="federation", public="published", cached=True, content=True
        )
        for role in (DISTRICT_ADMIN, DISTRICT_EDITOR):
            registry.grant(role, "activities.publish_article")
        # Sign-up and check-in (issue 13): the registrations hold a name and a mobile number.
        registry.register(
            models.RegistrationSettings,
            scope="activity__organizer",
            cached=True,  # its window and places show on the public activity page
            content=True,
            staff=edit,
        )
        registry.register(
            models.Registration,
            scope="activity__organizer",
            personal={"participant_name": mask_name, "mobile": mask_phone},
            content=True,
            staff=edit,
        )
        for role in (DISTRICT_ADMIN, DISTRICT_EDITOR, FEDERATION_STAFF):
            registry.grant(role, "activities.export_registration")
        registry.grant(DISTRICT_ADMIN, "activities.view_sensitive_registration")

        from activities import selectors
        from brands.models import Brand
        from organizations.models import Federation, ServiceSite

        # What the pages of records other apps own show of activities.
        registry.contribute(Federation, "activities", selectors.activities_of)
        registry.contribute(Federation, "articles", selectors.articles_of)
        registry.contribute(ServiceSite, "upcoming", selectors.upcoming_at)
        registry.contribute(Brand, "articles", selectors.brand_news)
        registry.contribute(Brand, "upcoming", selectors.brand_upcoming)

        renditions.connect_signals()
        media.connect_signals()

        from django.db.models.signals import pre_delete

        pre_delete.connect(
            models.unlink_sessions_of_deleted_brand,
            sender=Brand,
            dispatch_uid="activities:unlink-sessions-of-deleted-brand",
        )
