"""Staff pages show photos as renditions (<= 480 px wide), never the original upload."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, PhotoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article_with_photos(world):
    article = ArticleFactory(
        federation=world.fed_a, author=world.staff_a, status="draft", publish_at=None
    )
    photos = [
        PhotoFactory(article=article, image__width=2400, image__height=1600) for _ in range(3)
    ]
    return article, photos


@pytest.mark.parametrize("page", ["article_edit", "article_preview", "photo_list", "photo_edit"])
def test_staff_pages_send_renditions_not_originals(client, world, article_with_photos, page):
    article, photos = article_with_photos
    client.force_login(world.staff_a)
    args = {
        "article_edit": [article.pk],
        "article_preview": [article.pk],
        "photo_edit": [photos[0].pk],
    }
    html = client.get(reverse(f"staff:{page}", args=args.get(page, []))).content.decode()
    shown = photos[:1] if page == "photo_edit" else photos
    for photo in shown:
        assert photo.image.name.rsplit("/", 1)[-1] not in html
        # Renditions are 240, 480 and 960 px wide (settings): staff pages use the smallest.
        thumb = photo.renditions.get(spec="w240.jpeg")
        assert (thumb.width, thumb.height) == (240, 160)
        assert f'src="{thumb.file.url}"' in html
