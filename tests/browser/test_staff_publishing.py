"""In a real browser: staff write an article with a photo and submit it; an editor publishes it;
the public page shows it."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/staff/")


def log_out(page):
    page.locator("form[action='/accounts/logout/'] button").click()


def test_staff_write_submit_editor_publish_public_sees_it(
    live_server, page, world, tmp_path, png_bytes
):
    photo = tmp_path / "现场.png"
    photo.write_bytes(png_bytes(120, 80))
    base = live_server.url
    # The shared page is phone-sized: the staff pages must work there.
    log_in(page, base, "staff_a")
    page.goto(f"{base}/staff/articles/new/")
    page.fill("input[name=title]", "巾帼心向党主题党日活动")
    # Typed into the editor, a tag is text, never markup.
    page.locator(".article-editor-content").click()
    page.keyboard.type("活动圆满成功。<script>window.hacked=1</script>")
    page.select_option("select[name=federation]", str(world.fed_a.pk))
    page.set_input_files("input[name=photos]", str(photo))
    page.fill("input[name=photo_caption]", "活动现场")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(f"{base}/staff/articles/*/")
    assert "这是预览" in page.inner_text("#article-status")
    assert page.locator("article img").count() == 1
    page.click("text=提交审核")
    page.wait_for_load_state()
    assert "待审核" in page.inner_text("#article-status")
    article_url = page.url
    page.locator(".navbar-toggler").click()
    log_out(page)

    log_in(page, base, "editor")
    assert "巾帼心向党主题党日活动" in page.inner_text("#waiting-list")
    page.click("#waiting-list >> text=巾帼心向党主题党日活动")
    page.wait_for_url(article_url)
    page.click("#publish-form button[type=submit]")
    page.wait_for_load_state()
    assert "公众可以看到" in page.inner_text("#article-status")
    public_path = page.locator("#article-status a").get_attribute("href")
    page.locator(".navbar-toggler").click()
    log_out(page)

    page.goto(f"{base}{public_path}")
    assert "巾帼心向党主题党日活动" in page.content()
    assert "圆满" in page.inner_text("body")
    assert page.evaluate("window.hacked") is None
