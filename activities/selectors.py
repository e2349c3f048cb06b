"""Reads of activities that more than one page needs: article cards with their covers, and
what the activities app contributes to the pages of federations, sites and brands."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from activities.models import Activity, Article, Photo
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


def article_cards(articles, limit: int = 10) -> list:
    """The newest of ``articles`` as cards: federation and cover picture included."""
    return with_covers(
        articles.select_related("federation").annotate(cover_id=cover_annotation())[:limit]
    )


def activities_of(federation, limit: int = 10) -> list:
    """The latest public activities ``federation`` organised (for its public page)."""
    return list(
        Activity.objects.public()
        .filter(organizer=federation)
        .select_related("site", "organizer")
        .order_by("-starts_at")[:limit]
    )


def articles_of(federation, limit: int = 10) -> list:
    return list(Article.objects.published().filter(federation=federation)[:limit])


def upcoming_at(site, limit: int = 10) -> list:
    """Public activities still to come at ``site``, soonest first."""
    return list(
        Activity.objects.public()
        .filter(site=site, starts_at__gte=timezone.now())
        .order_by("starts_at")[:limit]
    )


def brand_news(brand, limit: int = 10) -> list:
    return article_cards(Article.objects.published().filter(brand=brand), limit)


def brand_upcoming(brand, limit: int = 10) -> list:
    """Public activities of ``brand`` still to come, soonest first."""
    return list(
        Activity.objects.public()
        .filter(brand=brand, starts_at__gte=timezone.now())
        .select_related("site", "organizer")
        .order_by("starts_at")[:limit]
    )
