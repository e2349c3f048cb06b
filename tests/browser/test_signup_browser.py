"""In a real phone-sized browser: sign up, see the ticket, cancel, get promoted from the waitlist;
staff check in by code and by a photo of the QR ticket (also while offline); the figures change."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities import services, tickets
from activities.models import Registration, RegistrationSettings
from tests.browser.test_staff_publishing import log_in
from tests.factories import ActivityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _activity(organizer, capacity):
    activity = ActivityFactory(
        title="巾帼心向党主题读书会",
        organizer=organizer,
        starts_at=timezone.now() + datetime.timedelta(days=4),
    )
    RegistrationSettings.objects.create(
        activity=activity, capacity=capacity, result_message="请提前10分钟到场。"
    )
    return activity


def _watch_csp(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_sign_up_ticket_cancel_and_waitlist_promotion_on_a_phone(
    live_server, page, world, settings
):
    settings.SIGNUP_CAPTCHA_AFTER = 1000
    activity = _activity(world.fed_a, capacity=1)
    errors = _watch_csp(page)
    base = live_server.url

    page.goto(f"{base}{activity.get_absolute_url()}")
    page.click("#activity-signup >> text=我要报名")
    assert "个人信息告知" in page.inner_text("#privacy-notice")
    assert _fits_the_phone(page)
    page.fill("input[name=participant_name]", "李丽")
    page.fill("input[name=mobile]", "138 1234 5678")
    page.check("input[name=consent]")
    page.click("form.signup-form button[type=submit]")
    page.wait_for_url(f"{base}/activities/{activity.pk}/ticket/**")
    assert page.inner_text("h1") == "报名成功"
    code = page.inner_text("#ticket-code")
    assert "请提前10分钟到场。" in page.inner_text("#ticket-message")
    assert page.evaluate("document.querySelector('.ticket-qr img').naturalWidth") > 0
    assert _fits_the_phone(page)
    page.screenshot(path="/tmp/signup-ticket.png", full_page=True)

    # A second person fills the only place's waitlist from another phone.
    page.context.clear_cookies()
    page.goto(f"{base}/activities/{activity.pk}/signup/")
    assert "现在提交将进入候补名单" in page.inner_text("#signup-waitlist-note")
    page.fill("input[name=participant_name]", "王芳")
    page.fill("input[name=mobile]", "13900000000")
    page.check("input[name=consent]")
    page.click("form.signup-form button[type=submit]")
    page.wait_for_url(f"{base}/activities/{activity.pk}/ticket/**")
    assert page.inner_text("h1") == "已进入候补（第 1 位）"
    waitlist_ticket = page.url

    # The first person cancels with their code: the waitlisted one is promoted.
    page.goto(f"{base}/activities/{activity.pk}/cancel/?code={code.replace('-', '')}")
    page.click("form.signup-form button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "报名已取消"
    page.goto(waitlist_ticket)
    assert page.inner_text("h1") == "报名成功"
    assert not [e for e in errors if "Content Security Policy" in e]


def test_staff_check_in_by_code_and_by_photo_of_the_ticket_even_offline(
    live_server, page, world, tmp_path
):
    activity = _activity(world.fed_a, capacity=5)
    people = [
        services.registration_create(
            activity=activity, participant_name=name, mobile=mobile, consent=True
        )
        for name, mobile in (
            ("李丽", "13812345678"),
            ("王芳", "13900000000"),
            ("赵敏", "13700000000"),
        )
    ]
    photos = []
    for registration in people[1:]:
        path = tmp_path / f"{registration.code}.png"
        path.write_bytes(
            tickets.qr_png(tickets.ticket_payload(activity_id=activity.pk, code=registration.code))
        )
        photos.append(str(path))
    errors = _watch_csp(page)
    base = live_server.url
    log_in(page, base, "staff_a")
    errors.clear()  # only this feature's pages are watched here
    page.goto(f"{base}/staff/activities/{activity.pk}/checkin/")
    assert page.inner_text("#checkin-count") == "0"

    page.fill("#code-form input[name=code]", people[0].display_code.lower())
    page.click("#code-form button[type=submit]")
    expect(page.locator("#checkin-count")).to_have_text("1")
    assert "李丽 签到成功。" in page.inner_text("#checkin-result")

    page.set_input_files("#scan-photo", photos[0])
    expect(page.locator("#checkin-count")).to_have_text("2")
    assert "王芳 签到成功。" in page.inner_text("#checkin-result")

    # The connection drops: the scan is kept on the phone and sent when it comes back.
    page.context.set_offline(True)
    page.set_input_files("#scan-photo", photos[1])
    expect(page.locator("#checkin-pending")).to_be_visible()
    assert "1 条扫码记录" in page.inner_text("#checkin-pending")
    page.context.set_offline(False)
    expect(page.locator("#checkin-count")).to_have_text("3", timeout=15_000)
    assert "赵敏 签到成功。" in page.inner_text("#checkin-result")
    page.screenshot(path="/tmp/signup-checkin.png", full_page=True)

    # The same photo again is a repeat, not a fourth attendee.
    page.set_input_files("#scan-photo", photos[0])
    expect(page.locator("#checkin-result")).to_contain_text("未重复计数")
    assert page.inner_text("#checkin-count") == "3"
    assert Registration.objects.checked_in().count() == 3

    page.goto(f"{base}{activity.get_absolute_url()}")
    assert "3 签到统计" in page.inner_text("#activity-participants")
    assert not [e for e in errors if "Content Security Policy" in e]
