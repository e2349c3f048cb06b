"""RSS feed of the latest published activity news."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from activities.models import Article
from federation.web import fragments


def _description(article) -> str:
    return article.summary or Truncator(strip_tags(article.body)).chars(200)


class LatestNewsFeed(Feed):
    feed_type = Rss201rev2Feed
    description = _("天津经开区妇联“有你泰好”最新活动资讯。")

    def title(self):
        return _("%(name)s · 活动资讯") % {"name": settings.PORTAL_NAME}

    def link(self):
        return reverse("activities:article_list")

    def get_object(self, request, *args, **kwargs):
        # The request, for items(): a Feed instance serves every request, so it cannot hold it.
        return request

    def items(self, request):
        articles = list(
            Article.objects.published()
            .select_related("federation")
            .only(
                "title",
                "summary",
                "body",
                "publish_at",
                "updated_at",
                "federation",
                "federation__name",
            )[:30]
        )
        for article in articles:
            # Parsing the body's HTML was most of the feed's cost: kept per article, like a card.
            article.feed_description = fragments.kept(
                request, "feed-description", (article.pk,), functools.partial(_description, article)
            )
        return articles

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.feed_description

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.federation.name

    def item_categories(self, item):
        return [item.federation.name]
