"""RSS feed of the latest published activity news."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from activities.models import Article


class LatestNewsFeed(Feed):
    feed_type = Rss201rev2Feed
    description = _("天津经开区妇联“有你泰好”最新活动资讯。")

    def title(self):
        return _("%(name)s · 活动资讯") % {"name": settings.PORTAL_NAME}

    def link(self):
        return reverse("activities:article_list")

    def items(self):
        return Article.objects.published().select_related("federation")[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary or Truncator(strip_tags(item.body)).chars(200)

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.federation.name

    def item_categories(self, item):
        return [item.federation.name]
