"""Photos in the text (图文混排) and the photo panel (issue 10, item 4), and pasted foreign
images (item 3): the sanitiser keeps the editor's photo images, the public page shows each
inserted photo's current rendition where the author put it, the chosen cover as lead photo and
the others in the gallery; another host's picture is never hot-linked, and staff are warned."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from activities import services
from activities.layout import article_layout
from activities.media import article_files_rename
from activities.models import Article, Photo
from activities.richtext import foreign_images, photo_ids_in, render_body, resolve_images
from tests.factories import ArticleFactory, FederationFactory, PhotoFactory

pytestmark = pytest.mark.django_db

WECHAT_PASTE = (
    '<section style="margin:0 8px" data-tools="135编辑器">'
    '<h2 style="font-size:18px;color:#c8102e">一、活动背景</h2>'
    '<p style="text-align:justify"><span style="font-family:微软雅黑">巾帼心向党，</span>'
    '<strong style="color:red">奋进新征程</strong></p>'
    "<ul><li><span>参与人数 120 人</span></li></ul>"
    '<p><img data-src="https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg" '
    'src="https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg" data-ratio="0.75" '
    'onerror="alert(1)" style="width:100%"></p></section>'
)


def test_the_sanitiser_keeps_structure_and_photo_images_and_drops_styles():
    body = render_body(
        WECHAT_PASTE
        + '<img src="/media/renditions/2026/12/x-w480-jpeg.jpg" alt="合影" data-photo="7">'
    )
    assert body == (
        "<h2>一、活动背景</h2>"
        # Bare spans stay (harmless); the editor's schema drops them on paste.
        "<p><span>巾帼心向党，</span><strong>奋进新征程</strong></p>"
        "<ul><li><span>参与人数 120 人</span></li></ul>"
        '<p><img src="https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg"></p>'
        '<img src="/media/renditions/2026/12/x-w480-jpeg.jpg" alt="合影" data-photo="7">'
    )
    assert photo_ids_in(body) == [7]
    assert foreign_images(body) == ["https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg"]


@pytest.mark.parametrize(
    ("src", "foreign"),
    [
        ("/media/photos/a.jpg", False),
        ("https://mmbiz.qpic.cn/a.jpg", True),
        ("http://img.xiumi.us/a.png", True),
        ("//evil.example/media/a.jpg", True),
        ("/static/img/logo.png", True),
    ],
)
def test_only_our_own_media_is_ours(src, foreign):
    assert bool(foreign_images(render_body(f'<p>x</p><img src="{src}">'))) is foreign


def test_the_output_never_hot_links_and_shows_only_this_articles_photos():
    body = '<p>a</p><img src="https://mmbiz.qpic.cn/a.jpg"><img src="/x" data-photo="3"><img src="/y" data-photo="4">'
    shown = resolve_images(body, {3: "<figure>3</figure>"}.get)
    assert shown == "<p>a</p><figure>3</figure>"


def _article(world, **kwargs):
    return ArticleFactory(title="图文混排", federation=world.fed_a, author=world.staff_a, **kwargs)


def test_public_layout_lead_cover_in_text_photos_and_a_gallery_of_the_rest(client, world):
    article = _article(world)
    first, inline, other, cover = (
        PhotoFactory(article=article, caption=caption, position=n)
        for n, caption in enumerate(["第一张", "正文里的", "其余的", "封面"])
    )
    alien = PhotoFactory(caption="别的文章的照片")
    article.body = render_body(
        f'<p>开头</p><img src="/media/old.jpg" alt="正文里的" data-photo="{inline.pk}">'
        f'<p>中间</p><img src="/media/a.jpg" data-photo="{alien.pk}">'
        '<img src="https://mmbiz.qpic.cn/b.jpg"><p>结尾</p>'
    )
    article.cover_photo = cover
    article.save()
    page = client.get(article.get_absolute_url()).content.decode()
    lead = page[page.index('class="lead-figure"') : page.index('class="article-body"')]
    assert "封面" in lead
    body = page[page.index('class="article-body"') : page.index("活动照片")]
    assert re.search(
        r"<p>开头</p><figure class=\"inline-figure\"><picture>.*正文里的</figcaption></figure>\s*<p>中间</p><p>结尾</p>",
        body,
        re.S,
    )
    assert "mmbiz.qpic.cn" not in page and "别的文章的照片" not in page
    gallery = page[page.index("活动照片") :]
    assert "第一张" in gallery and "其余的" in gallery
    assert "正文里的" not in gallery and ">封面<" not in gallery

    # Withdrawn, the files get new names: the text shows the photo's new rendition all the same.
    old = Photo.objects.get(pk=inline.pk).image.name
    article_files_rename(article)
    assert Photo.objects.get(pk=inline.pk).image.name != old
    layout = article_layout(Article.objects.get(pk=article.pk))
    assert str(layout.body).count("<picture>") == 1


def test_no_cover_chosen_means_no_lead_photo_and_the_preview_says_so(client, world):
    article = _article(world, status="draft", publish_at=None)
    PhotoFactory(article=article)
    client.force_login(world.staff_a)
    page = client.get(reverse("staff:article_preview", args=[article.pk])).content.decode()
    assert 'id="no-cover"' in page and "还没有选封面" in page
    assert 'class="lead-figure"' not in page


def test_the_photo_panel_sets_captions_order_cover_and_deletes_in_one_save(client, world):
    article = _article(world, status="draft", publish_at=None)
    a, b, c = (PhotoFactory(article=article, caption=f"旧{n}", position=n) for n in range(3))
    client.force_login(world.staff_a)
    url = reverse("staff:article_photos", args=[article.pk])
    page = client.get(url).content.decode()
    assert page.count('name="cover"') == 4  # one per photo and 不要封面
    data = {
        "photos-TOTAL_FORMS": "3",
        "photos-INITIAL_FORMS": "3",
        "version": str(Article.objects.get(pk=article.pk).version),
        "cover": str(c.pk),
        "photos-0-id": a.pk,
        "photos-0-caption": "开幕式",
        "photos-0-position": "2",
        "photos-1-id": b.pk,
        "photos-1-caption": "旧1",
        "photos-1-position": "1",
        "photos-1-DELETE": "on",
        "photos-2-id": c.pk,
        "photos-2-caption": "大合影\r\n",
        "photos-2-position": "1",
    }
    response = client.post(url, data, follow=True)
    assert "照片的说明、顺序和封面已保存。" in response.content.decode()
    article.refresh_from_db()
    assert article.cover_photo_id == c.pk
    assert list(article.photos.values_list("caption", "position")) == [("大合影", 1), ("开幕式", 2)]
    assert article.history.first().cover_photo_id == c.pk  # the choice is in the history

    # A stale panel (another save in between) is refused; a cover of another article too.
    stale = client.post(
        url, {**data, "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"}, follow=True
    )
    assert "保存失败：在您打开此页面之后，这条记录已被他人修改并保存。" in stale.content.decode()
    alien = PhotoFactory()
    refused = client.post(
        url,
        {
            "photos-TOTAL_FORMS": "0",
            "photos-INITIAL_FORMS": "0",
            "version": str(Article.objects.get(pk=article.pk).version),
            "cover": str(alien.pk),
        },
    )
    assert "请选择本文的一张照片作为封面。" in refused.content.decode()
    assert Article.objects.get(pk=article.pk).cover_photo_id == c.pk


def test_the_panel_is_scoped(client, world):
    article = _article(world, status="draft", publish_at=None)
    client.force_login(world.staff_b)
    assert client.get(reverse("staff:article_photos", args=[article.pk])).status_code == 404
    client.force_login(world.viewer)
    assert client.get(reverse("staff:article_photos", args=[article.pk])).status_code == 403


def test_the_service_refuses_a_cover_that_is_deleted_in_the_same_save(world):
    article = _article(world, status="draft", publish_at=None)
    photo = PhotoFactory(article=article)
    with pytest.raises(Exception, match="封面只能是本文保留的照片之一"):
        services.article_photos_save(
            article=article, user=world.staff_a, rows=[(photo, "", 0, True)], cover=photo
        )
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_saving_a_pasted_article_warns_about_foreign_images(client, world):
    client.force_login(world.staff_a)
    response = client.post(
        reverse("staff:article_create"),
        {"title": "公众号转载", "body": WECHAT_PASTE, "federation": world.fed_a.pk},
        follow=True,
    )
    page = response.content.decode()
    assert "正文里有外站图片（如公众号文章的图片）：公众页面不会显示它们。" in page
    assert 'id="foreign-images"' in page  # the preview repeats it
    article = Article.objects.get()
    edit = client.get(reverse("staff:article_edit", args=[article.pk])).content.decode()
    assert "正文里有 1 张外站图片（已用红框标出）" in edit


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_each_articles_first_photo_its_chosen_cover():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = ("activities", "0009_article_body_plain_text_to_html")
    federation = FederationFactory()
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        old = MigrationExecutor(connection).loader.project_state([before]).apps
        OldArticle, OldPhoto = (old.get_model("activities", n) for n in ("Article", "Photo"))
        # bulk_create: no signals (the page cache's receivers expect the current models).
        with_photos, without = OldArticle.objects.bulk_create(
            [
                OldArticle(title=title, body="<p>x</p>", federation_id=federation.pk)
                for title in ("有照片", "无照片")
            ]
        )
        later, first = OldPhoto.objects.bulk_create(
            [
                OldPhoto(
                    article_id=with_photos.pk, image="photos/b.jpg", position=2, width=9, height=9
                ),
                OldPhoto(
                    article_id=with_photos.pk, image="photos/a.jpg", position=1, width=9, height=9
                ),
            ]
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert Article.objects.get(pk=with_photos.pk).cover_photo_id == first.pk != later.pk
    assert Article.objects.get(pk=without.pk).cover_photo_id is None


def test_the_admin_offers_only_the_articles_own_photos_as_cover(client, world):
    article = _article(world, status="draft", publish_at=None)
    mine = PhotoFactory(article=article, caption="本文照片")
    PhotoFactory(caption="别的文章")
    client.force_login(world.editor)
    response = client.get(reverse("admin:activities_article_change", args=[article.pk]))
    field = response.context["adminform"].form.fields["cover_photo"]
    assert list(field.queryset) == [mine]


def test_a_photo_dropped_into_the_text_is_uploaded_through_the_validator(client, world, png_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    article = _article(world, status="draft", publish_at=None)
    url = reverse("staff:article_photo_upload", args=[article.pk])
    client.force_login(world.staff_a)
    ok = client.post(url, {"image": SimpleUploadedFile("现场.png", png_bytes(), "image/png")})
    assert ok.status_code == 200
    photo = article.photos.get()
    assert ok.json() == {"id": photo.pk, "src": ok.json()["src"], "caption": ""}
    assert ok.json()["src"].startswith("/media/renditions/")
    bad = client.post(url, {"image": SimpleUploadedFile("假.png", b"GIF89a", "image/png")})
    assert bad.status_code == 400
    assert bad.json() == {
        "error": "假.png：只能上传 JPEG、PNG 或 WebP 格式的照片（按文件内容判断，不看文件名）。"
    }
    assert article.photos.count() == 1
    client.force_login(world.staff_b)
    other = client.post(url, {"image": SimpleUploadedFile("b.png", png_bytes(), "image/png")})
    assert other.status_code == 404
    client.force_login(world.viewer)
    assert (
        client.post(
            url, {"image": SimpleUploadedFile("c.png", png_bytes(), "image/png")}
        ).status_code
        == 403
    )
    assert article.photos.count() == 1
