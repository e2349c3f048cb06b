"""The signed preview link: a draft in the public layout, for whoever holds the link, expiring,
never cached or indexed."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from activities.models import Article
from tests.factories import ArticleFactory, PhotoFactory

pytestmark = pytest.mark.django_db


def share_link(client, world, article) -> str:
    client.force_login(world.staff_a)
    html = client.get(reverse("staff:article_preview", args=[article.pk])).content.decode()
    client.logout()
    assert 'src="data:image/svg+xml' in html  # the QR code
    return re.search(r'id="share-link"[^>]*>https?://testserver([^<]+)<', html)[1]


def test_a_draft_opens_in_the_public_layout_by_its_signed_link(client, world):
    article = ArticleFactory(
        title="草稿预览",
        body="<p>正文内容</p>",
        federation=world.fed_a,
        status="draft",
        publish_at=None,
    )
    PhotoFactory(article=article, caption="第二张")
    lead = PhotoFactory(article=article, caption="领头照片", position=5)
    Article.objects.filter(pk=article.pk).update(cover_photo=lead)
    path = share_link(client, world, article)
    assert path.startswith("/news/preview/")
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    html = response.content.decode()
    assert "预览：这是发布后的样子，公众现在还看不到。" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    # The public template: a lead photo, then the gallery.
    assert 'class="lead-figure"' in html and "领头照片" in html and "第二张" in html
    # Not kept by the page cache: an edit shows at once.
    Article.objects.filter(pk=article.pk).update(body="<p>改过的正文</p>")
    assert "改过的正文" in client.get(path).content.decode()
    # The public page itself stays closed.
    assert client.get(reverse("activities:article_detail", args=[article.pk])).status_code == 404


def test_the_staff_preview_shows_the_signed_preview_in_a_phone_width_frame(client, world):
    article = ArticleFactory(
        title="手机预览", federation=world.fed_a, status="draft", publish_at=None
    )
    client.force_login(world.staff_a)
    page = client.get(reverse("staff:article_preview", args=[article.pk]))
    html = page.content.decode()
    share = re.search(r'id="share-link"[^>]*>(https?://testserver[^<]+)<', html)[1]
    assert f'<iframe class="phone-frame" id="phone-frame" src="{share}"' in html
    assert "frame-src 'self'" in page["Content-Security-Policy"]
    client.logout()
    framed = client.get(share[len("http://testserver") :])
    assert framed.status_code == 200
    # Framed by this site only; other pages stay unframeable.
    assert "frame-ancestors 'self'" in framed["Content-Security-Policy"]
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'none'" in client.get("/news/")["Content-Security-Policy"]
    assert client.get("/news/")["X-Frame-Options"] == "DENY"


def test_tampered_and_expired_links_are_refused(client, world):
    article = ArticleFactory(federation=world.fed_a, status="draft", publish_at=None)
    path = share_link(client, world, article)
    token = path.split("/")[3]
    other = ArticleFactory(federation=world.fed_a, status="draft", publish_at=None)
    forged = token.replace(f"{article.pk}:", f"{other.pk}:", 1)
    assert client.get(f"/news/preview/{forged}/").status_code == 404
    assert client.get("/news/preview/garbage/").status_code == 404
    with time_machine.travel(datetime.timedelta(days=7, minutes=1)):
        response = client.get(path)
    assert response.status_code == 404
