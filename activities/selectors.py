"""Reads of activities that more than one page needs: article cards with their covers."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from activities.models import Article, Photo
from activities.renditions import pictures_for


def with_covers(articles) -> list:
    """Attach ``cover`` (a Picture or None) to each article: two queries for any number."""
    articles = list(articles)
    ids = [a.cover_id for a in articles if getattr(a, "cover_id", None)]
    photos = Photo.objects.filter(pk__in=ids) if ids else []
    pictures = pictures_for(photos)
    for article in articles:
        article.cover = pictures.get(getattr(article, "cover_id", None))
    return articles


def cover_annotation():
    first_photo = Photo.objects.filter(article=OuterRef("pk")).order_by("position", "pk")
    return Subquery(first_photo.values("pk")[:1])


def latest_news(limit: int):
    return with_covers(
        Article.objects.published()
        .select_related("federation")
        .annotate(cover_id=cover_annotation())[:limit]
    )
