"""Public sign-up without an account: places, waitlist, ticket, cancel, abuse limits, bad input."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Registration, RegistrationSettings
from activities.tickets import ticket_payload
from tests.factories import ActivityFactory, EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_captcha_unless_asked(settings):
    """Tests submit many forms from one address; the CAPTCHA and limits have their own tests."""
    settings.SIGNUP_CAPTCHA_AFTER = 1000


def open_activity(organizer=None, *, capacity=2, waitlist=True, **settings):
    activity = ActivityFactory(
        title="巾帼心向党读书会",
        starts_at=timezone.now() + datetime.timedelta(days=5),
        **({"organizer": organizer} if organizer else {}),
    )
    RegistrationSettings.objects.create(
        activity=activity, capacity=capacity, waitlist=waitlist, **settings
    )
    return activity


def form(name="李丽", mobile="13812345678", **extra):
    return {"participant_name": name, "mobile": mobile, "consent": "on", "website": "", **extra}


def sign_up(client, activity, **data):
    return client.post(reverse("activities:signup", args=[activity.pk]), form(**data))


def test_sign_up_shows_success_code_and_qr_ticket_and_is_never_cached(client):
    activity = open_activity(capacity=5, result_message="请携带身份证，提前10分钟到场。")
    page = client.get(reverse("activities:signup", args=[activity.pk]))
    assert page.status_code == 200
    assert "个人信息告知" in page.content.decode() and "180 天后自动删除" in page.content.decode()
    assert "no-store" in page["Cache-Control"] and "X-Page-Cache" not in page

    response = sign_up(client, activity)
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{activity.pk}/ticket/{registration.code}/?new=1"
    assert "no-store" in response["Cache-Control"]
    ticket = client.get(response["Location"])
    html = ticket.content.decode()
    assert "报名成功" in html
    assert registration.display_code in html
    assert "李*" in html and "138****5678" in html and "13812345678" not in html
    assert "请携带身份证，提前10分钟到场。" in html
    assert "no-store" in ticket["Cache-Control"] and "noindex" in ticket["X-Robots-Tag"]
    qr = client.get(reverse("activities:ticket_qr", args=[activity.pk, registration.code, "svg"]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert registration.status == "confirmed" and registration.consented_at is not None


def test_full_activity_puts_people_on_the_waitlist_in_order(client):
    activity = open_activity(capacity=1)
    sign_up(client, activity, mobile="13800000001")
    second = sign_up(client, activity, mobile="13800000002")
    third = sign_up(client, activity, mobile="13800000003")
    assert "已进入候补（第 1 位）" in client.get(second["Location"]).content.decode()
    assert "已进入候补（第 2 位）" in client.get(third["Location"]).content.decode()
    assert list(Registration.objects.order_by("pk").values_list("status", flat=True)) == [
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]


def test_cancel_with_the_code_promotes_the_first_on_the_waitlist(client):
    activity = open_activity(capacity=1)
    sign_up(client, activity, mobile="13800000001")
    waiting = sign_up(client, activity, mobile="13800000002")
    first, second = Registration.objects.order_by("pk")
    response = client.post(
        reverse("activities:cancel", args=[activity.pk]), {"code": first.display_code.lower()}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "cancelled" and second.status == "confirmed"
    assert "报名成功" in client.get(waiting["Location"]).content.decode()


def test_cancel_with_a_wrong_code_changes_nothing(client):
    activity = open_activity()
    sign_up(client, activity)
    response = client.post(reverse("activities:cancel", args=[activity.pk]), {"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 400
    assert "报名码不正确" in response.content.decode()
    assert Registration.objects.get().status == "confirmed"
    malformed = client.post(reverse("activities:cancel", args=[activity.pk]), {"code": "12"})
    assert "报名码应为8位" in malformed.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mobile": "1381234567"}, "请填写11位中国大陆手机号码"),
        ({"mobile": "23812345678"}, "请填写11位中国大陆手机号码"),
        ({"consent": ""}, "请阅读并勾选同意《个人信息告知》"),
        ({"name": "  "}, "请填写姓名。"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_keeps_what_was_typed(client, data, message):
    activity = open_activity()
    payload = form(**{k: v for k, v in data.items() if k != "consent"})
    if "consent" in data:
        payload.pop("consent")
    response = client.post(reverse("activities:signup", args=[activity.pk]), payload)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert f'value="{payload["mobile"]}"' in html
    assert not Registration.objects.exists()


def test_one_registration_per_mobile_whatever_its_spelling(client):
    activity = open_activity(capacity=5)
    sign_up(client, activity, mobile="13812345678")
    again = sign_up(client, activity, name="李丽丽", mobile="+86 138-1234-5678")
    assert again.status_code == 409
    assert "该手机号已报名本活动" in again.content.decode()
    assert Registration.objects.count() == 1
    # After cancelling, the same mobile may sign up again.
    services.registration_cancel(registration=Registration.objects.get())
    assert sign_up(client, activity, mobile="13812345678").status_code == 302


def test_closed_not_yet_open_and_full_without_waitlist_refuse(client):
    closed = open_activity(closes_at=timezone.now() - datetime.timedelta(hours=1))
    response = sign_up(client, closed)
    assert response.status_code == 400 and "报名已截止" in response.content.decode()

    later = open_activity(opens_at=timezone.now() + datetime.timedelta(days=1))
    assert (
        "报名尚未开始" in client.get(reverse("activities:signup", args=[later.pk])).content.decode()
    )
    assert "报名尚未开始" in sign_up(client, later).content.decode()

    full = open_activity(capacity=1, waitlist=False)
    sign_up(client, full, mobile="13800000001")
    response = sign_up(client, full, mobile="13800000002")
    assert response.status_code == 409 and "名额已满，本活动不设候补" in response.content.decode()
    assert Registration.objects.count() == 1


def test_no_sign_up_for_activities_without_it_or_hidden(client):
    plain = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=3))
    assert client.get(reverse("activities:signup", args=[plain.pk])).status_code == 404
    hidden = open_activity()
    hidden.is_public = False
    hidden.save()
    assert sign_up(client, hidden).status_code == 404


def test_honeypot_refuses_bots_and_creates_nothing(client):
    activity = open_activity()
    response = sign_up(client, activity, website="http://spam.example")
    assert response.status_code == 400
    assert "提交未通过校验" in response.content.decode()
    assert not Registration.objects.exists()


def test_rate_limits_per_address_and_per_mobile(client, settings):
    settings.SIGNUP_RATE_PER_ADDRESS = "3/h"
    settings.SIGNUP_CAPTCHA_AFTER = 100
    activity = open_activity(capacity=10)
    for n in range(3):
        sign_up(client, activity, mobile=f"1380000000{n}")
    limited = sign_up(client, activity, mobile="13800000009")
    assert limited.status_code == 429
    assert "提交过于频繁" in limited.content.decode()
    assert 'value="13800000009"' in limited.content.decode()
    assert Registration.objects.count() == 3
    # Another address is not affected; nginx's X-Real-IP counts only from the trusted proxy.
    other = client.post(
        reverse("activities:signup", args=[activity.pk]),
        form(mobile="13800000008"),
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert other.status_code == 302
    spoofed = client.post(
        reverse("activities:signup", args=[activity.pk]),
        form(mobile="13800000007"),
        HTTP_X_FORWARDED_FOR="203.0.113.10",
        REMOTE_ADDR="198.51.100.1",
    )
    assert spoofed.status_code == 302  # its own address 198.51.100.1, first submission

    settings.SIGNUP_RATE_PER_ADDRESS = "100/h"
    settings.SIGNUP_RATE_PER_MOBILE = "2/h"
    second = open_activity(capacity=10)
    for n in range(2):
        client.post(
            reverse("activities:signup", args=[second.pk]),
            form(mobile="13900000000"),
            HTTP_X_FORWARDED_FOR=f"203.0.113.{20 + n}",
        )
    by_mobile = client.post(
        reverse("activities:signup", args=[second.pk]),
        form(mobile="13900000000"),
        HTTP_X_FORWARDED_FOR="203.0.113.30",
    )
    assert by_mobile.status_code == 429


def test_captcha_after_repeated_attempts(client, settings):
    from captcha.models import CaptchaStore

    settings.SIGNUP_CAPTCHA_AFTER = 2
    activity = open_activity(capacity=10)
    url = reverse("activities:signup", args=[activity.pk])
    assert "captcha" not in client.get(url).content.decode()
    client.post(url, form(mobile="1380000"))  # two failed tries
    client.post(url, form(mobile="1380001"))
    page = client.get(url).content.decode()
    assert 'name="captcha_1"' in page and "/captcha/image/" in page
    missing = client.post(url, form(mobile="13800000001"))
    assert missing.status_code == 400 and not Registration.objects.exists()
    store = CaptchaStore.objects.order_by("-pk").first()
    wrong = client.post(url, form(mobile="13800000001", captcha_0=store.hashkey, captcha_1="-1"))
    assert "验证码不正确" in wrong.content.decode() and not Registration.objects.exists()
    store = CaptchaStore.objects.order_by("-pk").first()
    right = client.post(
        url, form(mobile="13800000001", captcha_0=store.hashkey, captcha_1=store.response)
    )
    assert right.status_code == 302 and Registration.objects.count() == 1
    image = client.get(f"/captcha/image/{CaptchaStore.generate_key()}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_covered_only_sign_up_needs_a_covered_enterprise(client, world):
    covered = EnterpriseFactory(name="泰达覆盖科技有限公司", federation=world.fed_a)
    EnterpriseFactory(name="未覆盖科技有限公司", federation=None)
    activity = open_activity(world.fed_a, eligibility="covered")
    page = client.get(reverse("activities:signup", args=[activity.pk])).content.decode()
    assert "泰达覆盖科技有限公司" in page and "未覆盖科技有限公司" not in page
    refused = sign_up(client, activity)
    assert refused.status_code == 400 and "请从列表中选择所在企业" in refused.content.decode()
    accepted = sign_up(client, activity, enterprise=str(covered.pk))
    assert accepted.status_code == 302
    assert Registration.objects.get().enterprise == covered


def test_daycare_questions_children_and_ages(client):
    activity = open_activity(ask_children=True, question="孩子有无过敏？")
    mismatch = sign_up(client, activity, children_count="2", children_ages="6")
    assert "填写了 1 个年龄，但子女人数为 2" in mismatch.content.decode()
    sign_up(client, activity, children_count="2", children_ages="6岁、9岁", answer="无")
    registration = Registration.objects.get()
    assert (registration.children_count, registration.children_ages, registration.answer) == (
        2,
        "6,9",
        "无",
    )


def test_activity_page_offers_sign_up_without_any_live_or_personal_data(client):
    activity = open_activity(capacity=30)
    sign_up(client, activity, name="王小红")
    html = client.get(activity.get_absolute_url()).content.decode()
    assert "我要报名" in html and "名额 30 个" in html
    assert "王小红" not in html and "13812345678" not in html


def test_ticket_with_a_forged_or_foreign_code_is_not_found(client):
    activity = open_activity()
    other = open_activity()
    sign_up(client, activity)
    code = Registration.objects.get().code
    assert client.get(reverse("activities:ticket", args=[other.pk, code])).status_code == 404
    assert (
        client.get(reverse("activities:ticket", args=[activity.pk, "AAAAAAAA"])).status_code == 404
    )
    assert ticket_payload(activity_id=activity.pk, code=code).startswith(
        f"YNTH1:{activity.pk}:{code}:"
    )


def test_closing_the_sign_up_refreshes_the_cached_activity_page(client, world):
    activity = open_activity(world.fed_a, capacity=30)
    services.attendance_refresh(activity=activity)  # the figure is counted already: unchanged below
    first = client.get(activity.get_absolute_url())
    assert "我要报名" in first.content.decode()
    assert client.get(activity.get_absolute_url())["X-Page-Cache"] == "hit"
    config = RegistrationSettings.objects.get(activity=activity)
    config.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    services.registration_settings_save(registration_settings=config, user=world.staff_a)
    html = client.get(activity.get_absolute_url()).content.decode()
    assert "报名已截止" in html and "我要报名" not in html
