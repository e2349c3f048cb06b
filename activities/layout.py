"""The article page's layout, the same on the public page, the signed preview and the staff
preview: the cover as lead photo, the photos inserted in the text where the author put them,
and a gallery of the others."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from activities.renditions import Picture, pictures_for
from activities.richtext import photo_ids_in, resolve_images, sanitize_html
from activities.selectors import public_photos


@dataclass
class ArticleLayout:
    lead: Picture | None
    body: SafeString
    gallery: list[Picture]

    @property
    def pictures(self) -> list[Picture]:
        return [p for p in [self.lead, *self.gallery] if p is not None]


def article_layout(article) -> ArticleLayout:
    """Only photos a public page may show (``public_photos``), each as its renditions."""
    photos = list(public_photos().filter(article=article).order_by("position", "pk"))
    # The cover also gets its square (the WeChat share card).
    pictures = pictures_for(photos, square_for=article.cover_photo_id)
    body = sanitize_html(article.body, lazy_images=True)
    inline = set(photo_ids_in(body))

    def render(photo_id: int) -> str | None:
        picture = pictures.get(photo_id)
        if picture is None:
            return None
        return render_to_string("includes/inline_photo.html", {"pic": picture})

    lead = pictures.get(article.cover_photo_id) if article.cover_photo_id else None
    gallery = [
        pictures[p.pk]
        for p in photos
        if p.pk in pictures and p.pk != article.cover_photo_id and p.pk not in inline
    ]
    return ArticleLayout(
        lead=lead,
        body=mark_safe(resolve_images(body, render)),  # noqa: S308 - sanitised above
        gallery=gallery,
    )
