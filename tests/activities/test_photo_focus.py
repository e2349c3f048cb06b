"""The cover's focal point (issue 10, item 4): the author picks the point a crop keeps, and the
square share card and the list thumbnails keep it in view."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from activities.models import Article
from activities.renditions import pictures_for
from tests.factories import ArticleFactory, PhotoFactory

pytestmark = pytest.mark.django_db

RED, BLUE = (200, 16, 46), (20, 60, 200)


def split_png() -> io.BytesIO:
    """600×300: the left half red, the right half blue (a square crop shows one of them)."""
    image = Image.new("RGB", (600, 300), RED)
    image.paste(BLUE, (300, 0, 600, 300))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def square_colour(photo) -> tuple[int, int, int]:
    square = pictures_for([photo], square_for=photo.pk)[photo.pk].square
    with square.file.open("rb") as handle, Image.open(handle) as image:
        assert image.size == (480, 480)
        return image.convert("RGB").getpixel((240, 240))


def panel_data(article, photo, focus_x: str, focus_y: str) -> dict:
    return {
        "photos-TOTAL_FORMS": "1",
        "photos-INITIAL_FORMS": "1",
        "version": str(Article.objects.get(pk=article.pk).version),
        "cover": str(photo.pk),
        "photos-0-id": photo.pk,
        "photos-0-caption": "合影",
        "photos-0-position": "0",
        "photos-0-focus_x": focus_x,
        "photos-0-focus_y": focus_y,
    }


def test_the_author_moves_the_focal_point_and_the_square_card_follows(client, world):
    article = ArticleFactory(
        federation=world.fed_a, author=world.staff_a, status="draft", publish_at=None
    )
    photo = PhotoFactory(
        article=article, image__from_file=split_png(), image__filename="split.png", caption="合影"
    )
    assert square_colour(photo) != RED  # the centre: half red, half blue
    client.force_login(world.staff_a)
    url = reverse("staff:article_photos", args=[article.pk])
    page = client.get(url).content.decode()
    assert '<option value="50" selected>50%</option>' in page
    assert 'name="photos-0-focus_x"' in page and 'name="photos-0-focus_y"' in page

    response = client.post(url, panel_data(article, photo, "0", "50"), follow=True)
    assert "照片的说明、顺序和封面已保存。" in response.content.decode()
    photo.refresh_from_db()
    assert (photo.focus_x, photo.focus_y) == (0, 50)
    red = square_colour(photo)
    assert red[0] > 150 and red[2] < 100  # the left (red) half

    client.post(url, panel_data(article, photo, "100", "50"))
    photo.refresh_from_db()
    blue = square_colour(photo)
    assert blue[2] > 150 and blue[0] < 100  # made again: the right (blue) half
    assert photo.history.first().focus_x == 100  # in the photo's history


def test_a_point_outside_the_photo_is_refused(client, world):
    article = ArticleFactory(
        federation=world.fed_a, author=world.staff_a, status="draft", publish_at=None
    )
    photo = PhotoFactory(article=article)
    client.force_login(world.staff_a)
    url = reverse("staff:article_photos", args=[article.pk])
    response = client.post(url, panel_data(article, photo, "150", "50"))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    photo.refresh_from_db()
    assert photo.focus_x == 50


def test_list_thumbnails_keep_the_focal_point_in_view(client, world):
    article = ArticleFactory(federation=world.fed_a, title="焦点新闻")
    photo = PhotoFactory(article=article, focus_x=20, focus_y=80)
    Article.objects.filter(pk=article.pk).update(cover_photo=photo)
    page = client.get("/news/").content.decode()
    assert 'class="fx-20 fy-80"' in page
