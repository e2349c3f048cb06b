"""In Chromium: the article body editor on the staff pages and in the admin — typing, formatting,
saving, reopening exactly what was saved — without any CSP violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from activities.models import Article
from tests.browser.test_staff_publishing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Injected by Playwright before any page script (so the page's CSP does not apply to it): it
# records CSP violations and keeps the editor the page creates.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
document.addEventListener("article-editor:ready", (e) => { window.__editor = e.detail.editor; });
"""


def watch(page) -> list[str]:
    errors: list[str] = []
    page.add_init_script(WATCH)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def open_editor(page, url):
    page.goto(url)
    page.wait_for_function("window.__editor !== undefined")
    return page.locator(".article-editor-content")


def test_type_format_save_and_reopen_exactly(live_server, page, world):
    errors = watch(page)
    base = live_server.url
    log_in(page, base, "staff_a")
    content = open_editor(page, f"{base}/staff/articles/new/")
    toolbar = page.locator(".article-editor-toolbar")
    assert toolbar.locator("button").all_inner_texts() == [
        "正文段落",
        "小标题",
        "加粗",
        "重点标色",
        "引用",
        "项目列表",
        "编号列表",
        "链接",
        "插入照片",
        "分隔线",
        "撤销",
        "重做",
    ]
    page.fill("input[name=title]", "巾帼心向党主题党日活动")
    page.select_option("select[name=federation]", str(world.fed_a.pk))
    content.click()
    # A topic tag that Markdown used to turn into a heading stays text.
    page.keyboard.type("#巾帼心向党# 活动开始")
    page.keyboard.press("Enter")
    toolbar.locator("text=小标题").click()
    page.keyboard.type("活动回顾")
    page.keyboard.press("Enter")
    page.keyboard.type("重点句子")
    page.keyboard.press("Shift+Home")
    toolbar.locator("text=加粗").click()
    toolbar.locator("text=重点标色").click()
    page.wait_for_selector("button[data-command=highlight][aria-pressed=true]")
    page.keyboard.press("End")
    # On a loaded machine the key can arrive late: Enter must not replace the selection.
    # (Polled from Python: wait_for_function compiles its predicate with eval, which the CSP refuses.)
    for _ in range(50):
        if page.evaluate("window.__editor.state.selection.empty"):
            break
        page.wait_for_timeout(100)
    page.keyboard.press("Enter")
    toolbar.locator("text=项目列表").click()
    page.keyboard.type("第一项")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(f"{base}/staff/articles/*/")

    article = Article.objects.get()
    saved = (
        "<p>#巾帼心向党# 活动开始</p><h2>活动回顾</h2>"
        "<p><strong><mark>重点句子</mark></strong></p><ul><li><p>第一项</p></li></ul>"
    )
    assert article.body == saved

    open_editor(page, f"{base}/staff/articles/{article.pk}/edit/")
    assert page.evaluate("window.__editor.getHTML()") == saved
    assert page.input_value("textarea[name=body]") == saved
    # Saving again unchanged stores the same body.
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(f"{base}/staff/articles/*/")
    article.refresh_from_db()
    assert article.body == saved
    assert page.evaluate("window.__csp") == []
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_admin_body_uses_the_editor_and_is_sanitised(live_server, page, world):
    from tests.factories import ArticleFactory

    article = ArticleFactory(
        federation=world.fed_a,
        author=world.staff_a,
        status="draft",
        publish_at=None,
        body="<p>原文</p>",
    )
    watch(page)
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "staff_a")
    from tests.conftest import TEST_PASSWORD

    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("input[type=submit]")
    open_editor(page, f"{base}/admin/activities/article/{article.pk}/change/")
    # Through the editor's own commands: keys typed right after the page opened were lost or
    # split on a loaded machine (the CI runs two suites' browsers), which is not what this
    # test is about; the staff form's test types.
    page.evaluate("window.__editor.chain().focus('end').insertContent('<p>第二段</p>').run()")
    expect(page.locator("textarea[name=body]")).to_have_value(
        "<p>原文</p><p>第二段</p>", timeout=30_000
    )
    page.click("input[name=_save]")
    page.wait_for_load_state()
    article.refresh_from_db()
    assert article.body == "<p>原文</p><p>第二段</p>"


def test_no_csp_violation_on_any_staff_page(live_server, page, world, serve_media):
    from tests.factories import ActivityFactory, ArticleFactory, PhotoFactory, ServiceSiteFactory

    article = ArticleFactory(
        federation=world.fed_a, author=world.staff_a, status="draft", publish_at=None
    )
    photo = PhotoFactory(article=article)
    # A pasted 公众号 picture: marked in the editor, never requested from its host.
    pasted = ArticleFactory(
        federation=world.fed_a,
        author=world.staff_a,
        status="draft",
        publish_at=None,
        body='<p>转载</p><img src="https://mmbiz.qpic.cn/mmbiz_jpg/abc/640">',
    )
    activity = ActivityFactory(organizer=world.fed_a, created_by=world.staff_a)
    site = ServiceSiteFactory(federation=world.fed_a)
    errors = watch(page)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    log_in(page, base, "staff_a")
    paths = [
        "/staff/",
        "/staff/articles/",
        "/staff/articles/new/",
        f"/staff/articles/{article.pk}/",
        f"/staff/articles/{article.pk}/edit/",
        f"/staff/articles/{article.pk}/photos/",
        f"/staff/articles/{article.pk}/delete/",
        f"/staff/articles/{pasted.pk}/",
        f"/staff/articles/{pasted.pk}/edit/",
        f"/staff/activities/{activity.pk}/delete/",
        "/staff/photos/",
        f"/staff/photos/{photo.pk}/edit/",
        "/staff/activities/",
        "/staff/activities/new/",
        f"/staff/activities/{activity.pk}/edit/",
        "/staff/sites/",
        "/staff/sites/new/",
        f"/staff/sites/{site.pk}/edit/",
        "/staff/federation/",
        f"/staff/history/article/{article.pk}/",
        "/accounts/two-factor/",
        "/staff/coverage/",
    ]
    seen = {}
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        seen[path] = page.evaluate("window.__csp")
    assert seen == {path: [] for path in paths}
    assert [e for e in errors if "Content Security Policy" in e] == []
    # The thumbnails are renditions and load (no original, no broken image).
    page.goto(f"{base}/staff/photos/")
    assert page.evaluate("[...document.images].every((i) => i.complete && i.naturalWidth > 0)")


def test_first_load_bytes_of_the_edit_page_with_ten_photos(live_server, page, world, serve_media):
    """Prints the transfer of a first visit (empty cache); static text counts gzip-compressed, as
    whitenoise serves it in production (the test server sends it uncompressed)."""
    import gzip

    from tests.factories import ArticleFactory, PhotoFactory

    article = ArticleFactory(
        federation=world.fed_a, author=world.staff_a, status="draft", publish_at=None
    )
    for _ in range(10):
        PhotoFactory(article=article, image__width=4000, image__height=3000)
    base = live_server.url
    log_in(page, base, "staff_a")
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto(f"{base}/staff/articles/{article.pk}/edit/")
    page.wait_for_load_state("networkidle")
    raw = compressed = 0
    for request in responses:
        body = request.response().body()
        raw += len(body)
        kind = request.response().headers.get("content-type", "")
        text = kind.startswith(("text/", "application/javascript", "text/javascript"))
        compressed += len(gzip.compress(body, 9)) if text else len(body)
    originals = sum(len(p.image.read()) for p in article.photos.all())
    print(
        f"\nedit page, 10 photos, first load: {len(responses)} requests, {raw:,} bytes raw, "
        f"{compressed:,} bytes with gzip; the 10 originals would be {originals:,} bytes"
    )
    assert len(responses) >= 10 + 4
    assert compressed <= 1_000_000


def test_send_back_with_a_reason_and_see_it_as_the_author(live_server, page, world):
    from activities import services
    from tests.factories import ArticleFactory

    article = ArticleFactory(
        title="巾帼志愿服务",
        federation=world.fed_a,
        author=world.staff_a,
        status="draft",
        publish_at=None,
    )
    services.article_submit(article=article, user=world.staff_a)
    base = live_server.url
    log_in(page, base, "editor")
    page.goto(f"{base}/staff/articles/{article.pk}/")
    page.fill("#send-back-form textarea[name=reason]", "请补充活动现场照片")
    page.click("#send-back-form button[type=submit]")
    page.wait_for_load_state()
    assert "已退回修改" in page.inner_text("main")
    page.locator(".navbar-toggler").click()
    page.locator("form[action='/accounts/logout/'] button").click()

    log_in(page, base, "staff_a")
    assert "1 条未读" in page.inner_text("#notifications")
    assert "《巾帼志愿服务》被退回修改：请补充活动现场照片" in page.inner_text("#notifications")
    assert "退回修改：请补充活动现场照片" in page.inner_text("#my-drafts")
    page.click("#notifications >> text=巾帼志愿服务")
    page.wait_for_url(f"{base}/staff/articles/{article.pk}/")
    assert page.inner_text("#send-back-reason") == "退回修改：请补充活动现场照片"


WECHAT_HTML = (
    '<section style="margin:0 8px" data-tools="135编辑器">'
    '<h2 style="font-size:18px;color:#c8102e">一、活动背景</h2>'
    '<p style="text-align:justify"><span style="font-family:微软雅黑">巾帼心向党，</span>'
    '<strong style="color:red">奋进新征程</strong></p>'
    '<ul><li><span style="color:#333">参与人数 120 人</span></li></ul>'
    '<p><img data-src="https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg" '
    'src="data:image/svg+xml,%3Csvg%3E%3C/svg%3E" style="width:100%"></p>'
    '<blockquote style="border-left:3px solid red"><p>引用的一句话</p></blockquote></section>'
)
PASTE = """(html) => {
  const data = new DataTransfer();
  data.setData("text/html", html);
  data.setData("text/plain", "x");
  const event = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
  document.querySelector(".article-editor-content").dispatchEvent(event);
}"""


def test_paste_from_wechat_keeps_structure_marks_foreign_images_and_inserts_a_photo(
    live_server, page, world, serve_media
):
    from tests.factories import ArticleFactory, PhotoFactory

    article = ArticleFactory(
        title="转载的公众号文章",
        federation=world.fed_a,
        author=world.staff_a,
        status="draft",
        publish_at=None,
        body="<p>导语</p>",
    )
    photo = PhotoFactory(article=article, caption="活动合影", image__width=1200, image__height=800)
    errors = watch(page)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    base = live_server.url
    log_in(page, base, "staff_a")
    open_editor(page, f"{base}/staff/articles/{article.pk}/edit/")
    # The cursor on a new line after the lead (Enter at the end, as the editor's command).
    page.evaluate("window.__editor.chain().focus('end').splitBlock().run()")
    assert page.evaluate("window.__editor.getHTML()") == "<p>导语</p><p></p>"
    page.evaluate(PASTE, WECHAT_HTML)
    html = page.evaluate("window.__editor.getHTML()")
    assert html == (
        "<p>导语</p><h2>一、活动背景</h2><p>巾帼心向党，<strong>奋进新征程</strong></p>"
        "<ul><li><p>参与人数 120 人</p></li></ul>"
        '<img src="https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg">'
        "<blockquote><p>引用的一句话</p></blockquote>"
    )
    marker = page.locator(".article-editor-foreign")
    assert marker.count() == 1 and "外站图片" in marker.inner_text()

    # 插入照片: the article's photo goes where the cursor is (the end of the text).
    page.locator("button[data-command=image]").click()
    page.locator(f".article-editor-photos button[data-photo='{photo.pk}']").click()
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(f"{base}/staff/articles/{article.pk}/")
    assert "正文里有外站图片（如公众号文章的图片）：公众页面不会显示它们。" in page.inner_text(
        "main"
    )
    article.refresh_from_db()
    assert f'alt="活动合影" data-photo="{photo.pk}">' in article.body
    assert "mmbiz.qpic.cn" in article.body  # kept in place for the author to replace

    # The preview shows the photo in the text as a picture, and the foreign one not at all.
    figure = page.locator(".article-body figure.inline-figure img")
    assert figure.count() == 1
    assert page.evaluate("document.querySelector('.article-body figure img').naturalWidth") > 0

    # Reopened, the editor shows exactly what was saved.
    open_editor(page, f"{base}/staff/articles/{article.pk}/edit/")
    assert page.evaluate("window.__editor.getHTML()") == article.body
    assert not [url for url in requested if "mmbiz" in url]
    assert page.evaluate("window.__csp") == []
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_photo_panel_reorders_by_dragging_and_sets_the_cover(live_server, page, world, serve_media):
    from tests.factories import ArticleFactory, PhotoFactory

    article = ArticleFactory(
        federation=world.fed_a, author=world.staff_a, status="draft", publish_at=None
    )
    first, second = (
        PhotoFactory(article=article, caption=c, position=n) for n, c in enumerate(["甲", "乙"])
    )
    watch(page)
    base = live_server.url
    log_in(page, base, "staff_a")
    page.goto(f"{base}/staff/articles/{article.pk}/photos/")
    page.locator(f"li[data-photo='{second.pk}']").drag_to(
        page.locator(f"li[data-photo='{first.pk}'] img"), target_position={"x": 5, "y": 2}
    )
    page.check(f"li[data-photo='{second.pk}'] input[name=cover]")
    page.fill(f"li[data-photo='{first.pk}'] input[type=text]", "甲：签到")
    page.click("#photo-panel button[type=submit]")
    page.wait_for_url(f"{base}/staff/articles/{article.pk}/")
    article.refresh_from_db()
    assert article.cover_photo_id == second.pk
    assert list(article.photos.values_list("caption", flat=True)) == ["乙", "甲：签到"]
    assert page.evaluate("window.__csp") == []


PASTE_FILE = """([name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type: "image/png" }));
  const event = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
  document.querySelector(".article-editor-content").dispatchEvent(event);
}"""


def test_a_photo_file_pasted_into_the_text_is_uploaded_and_inserted(
    live_server, page, world, serve_media, png_bytes
):
    import base64

    from tests.factories import ArticleFactory

    article = ArticleFactory(
        federation=world.fed_a,
        author=world.staff_a,
        status="draft",
        publish_at=None,
        body="<p>导语</p>",
    )
    watch(page)
    base = live_server.url
    log_in(page, base, "staff_a")
    open_editor(page, f"{base}/staff/articles/{article.pk}/edit/")
    page.evaluate("window.__editor.commands.focus('end')")
    page.evaluate(PASTE_FILE, ["现场.png", base64.b64encode(png_bytes(900, 600)).decode()])
    for _ in range(100):
        if "data-photo" in page.evaluate("window.__editor.getHTML()"):
            break
        page.wait_for_timeout(100)
    photo = article.photos.get()
    html = page.evaluate("window.__editor.getHTML()")
    assert f'data-photo="{photo.pk}"' in html and html.startswith("<p>导语</p>")
    # The rendition shows (it may still be loading right after the insert on a busy machine).
    loaded = "document.querySelector('.article-editor-content img').naturalWidth"
    for _ in range(100):
        if page.evaluate(loaded) > 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate(loaded) > 0
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(f"{base}/staff/articles/{article.pk}/")
    assert page.locator(".article-body figure.inline-figure img").count() == 1
    assert page.evaluate("window.__csp") == []
