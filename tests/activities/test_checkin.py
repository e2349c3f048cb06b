"""Staff side of sign-up: the scoped list, confirm / waitlist / cancel, export, check-in by QR
ticket, code, walk-in and the rotating 签到码; attendance figures that count themselves."""

from __future__ import annotations

import datetime
import io
import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities import services, tickets
from activities.models import Registration, RegistrationSettings
from federation.models import PersonalDataAccess
from tests.factories import ActivityFactory, BrandFactory, BrandSessionFactory

pytestmark = pytest.mark.django_db


def activity_of(federation, *, capacity=3, **extra):
    activity = ActivityFactory(
        title="园区女性创业沙龙",
        organizer=federation,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        **extra,
    )
    RegistrationSettings.objects.create(activity=activity, capacity=capacity)
    return activity


def register(activity, name="李丽", mobile="13812345678"):
    return services.registration_create(
        activity=activity, participant_name=name, mobile=mobile, consent=True
    )


def scan(client, activity, **data):
    response = client.post(
        reverse("staff:checkin_scan", args=[activity.pk]),
        json.dumps(data),
        content_type="application/json",
    )
    return response.status_code, (response.json() if response.status_code == 200 else None)


def test_scan_checks_in_once_and_the_figure_counts_itself(client, world):
    activity = activity_of(world.fed_a)
    registration = register(activity)
    register(activity, mobile="13900000000")
    client.force_login(world.staff_a)
    payload = tickets.ticket_payload(activity_id=activity.pk, code=registration.code)

    status, body = scan(client, activity, ticket=payload, scan_id="scan-1")
    assert status == 200 and body["ok"] and body["outcome"] == "ok"
    assert body["message"] == "李丽 签到成功。" and body["checked_in"] == 1
    activity.refresh_from_db()
    assert (activity.participants, activity.participants_counted) == (1, True)

    # The same scan re-sent after a lost connection: fine, nothing counted twice.
    assert scan(client, activity, ticket=payload, scan_id="scan-1")[1]["outcome"] == "ok"
    # Another scan of the same ticket (a replayed QR): refused as a repeat.
    _status, replay = scan(client, activity, ticket=payload, scan_id="scan-2")
    assert (
        replay["outcome"] == "already"
        and "已于" in replay["message"]
        and "未重复计数" in replay["message"]
    )
    activity.refresh_from_db()
    assert activity.participants == 1
    page = client.get(activity.get_absolute_url())  # staff are logged in: a fresh page
    assert "签到统计" in page.content.decode()


def test_forged_foreign_and_unknown_tickets_change_nothing(client, world):
    activity = activity_of(world.fed_a)
    other = activity_of(world.fed_a)
    registration = register(activity)
    client.force_login(world.staff_a)
    forged = f"YNTH1:{activity.pk}:{registration.code}:forgedsignature"
    assert (
        scan(client, activity, ticket=forged)[1]["message"]
        == "无法识别的二维码：不是本平台签发的报名凭证。"
    )
    foreign = tickets.ticket_payload(activity_id=other.pk, code=registration.code)
    assert (
        scan(client, activity, ticket=foreign)[1]["message"]
        == "这张凭证不属于本场活动，请核对活动。"
    )
    assert "没有找到这个报名码" in scan(client, activity, code="ZZZZZZZZ")[1]["message"]
    assert not Registration.objects.checked_in().exists()


def test_check_in_for_another_federations_activity_is_refused(client, world):
    activity = activity_of(world.fed_b)
    registration = register(activity)
    client.force_login(world.staff_a)
    status, _body = scan(client, activity, code=registration.code)
    assert status == 404
    assert client.get(reverse("staff:checkin", args=[activity.pk])).status_code == 404
    client.force_login(world.viewer)
    assert scan(client, activity, code=registration.code)[0] == 403
    assert not Registration.objects.checked_in().exists()


def test_waitlisted_and_cancelled_cannot_check_in(client, world):
    activity = activity_of(world.fed_a, capacity=1)
    register(activity)
    waiting = register(activity, mobile="13900000000")
    client.force_login(world.staff_a)
    assert "候补名单中" in scan(client, activity, code=waiting.code)[1]["message"]
    services.registration_cancel(registration=waiting)
    assert "已取消" in scan(client, activity, code=waiting.code)[1]["message"]


def test_typed_code_and_walk_in_without_javascript(client, world):
    activity = activity_of(world.fed_a)
    registration = register(activity)
    client.force_login(world.staff_a)
    url = reverse("staff:checkin", args=[activity.pk])
    response = client.post(url, {"code": registration.display_code.lower()}, follow=True)
    assert "李丽 签到成功。" in response.content.decode()
    bad = client.post(url, {"code": "AB"})
    assert bad.status_code == 400 and "没有找到这个报名码" in bad.content.decode()

    walk_in = client.post(url, {"participant_name": "赵敏", "mobile": "13700000000"}, follow=True)
    assert "赵敏 签到成功。" in walk_in.content.decode()
    added = Registration.objects.get(mobile="13700000000")
    assert (added.source, added.status, added.checkin_method) == ("walk_in", "confirmed", "walk_in")
    # The same person again: their registration, not a second one.
    client.post(url, {"participant_name": "赵敏", "mobile": "137 0000 0000"})
    assert Registration.objects.filter(mobile="13700000000").count() == 1
    bad_mobile = client.post(url, {"participant_name": "钱", "mobile": "12345"})
    assert "11位中国大陆手机号码" in bad_mobile.content.decode()
    activity.refresh_from_db()
    assert activity.participants == 2


def test_participant_checks_in_with_the_rotating_code_on_the_phone_that_signed_up(client, world):
    activity = activity_of(world.fed_a)
    url = reverse("activities:signup", args=[activity.pk])
    client.post(url, {"participant_name": "李丽", "mobile": "13812345678", "consent": "on"})
    token = tickets.checkin_code(activity.pk, now=time.time())
    page = client.get(reverse("activities:self_checkin", args=[activity.pk]), {"k": token})
    assert "本机保存有您的报名" in page.content.decode()
    code = Registration.objects.get().code
    done = client.post(
        reverse("activities:self_checkin", args=[activity.pk]), {"k": token, "code": code}
    )
    assert "签到成功，欢迎参加！" in done.content.decode()
    assert Registration.objects.get().checkin_method == "self"

    stale = tickets.checkin_code(activity.pk, now=time.time() - 600)
    expired = client.post(
        reverse("activities:self_checkin", args=[activity.pk]), {"k": stale, "code": code}
    )
    assert "签到码已过期或无效" in expired.content.decode()
    other_phone = client.__class__()
    assert (
        "本机保存有您的报名"
        not in other_phone.get(
            reverse("activities:self_checkin", args=[activity.pk]), {"k": token}
        ).content.decode()
    )


def test_rotating_code_expires():
    shown = 1_000_000.0
    token = tickets.checkin_code(7, now=shown)
    assert tickets.checkin_code_valid(token, 7, now=shown + 60)
    assert not tickets.checkin_code_valid(token, 7, now=shown + 600)
    assert not tickets.checkin_code_valid(token, 8, now=shown + 60)
    assert not tickets.checkin_code_valid(token + "x", 7, now=shown + 60)


def test_brand_session_and_brand_totals_come_from_check_ins(client, world):
    brand = BrandFactory(name="泰达儿童之家", slug="children-home")
    session = BrandSessionFactory(brand=brand, number=22, participants=999, federation=world.fed_a)
    BrandSessionFactory(brand=brand, number=21, participants=40)
    activity = activity_of(world.fed_a, brand=brand, brand_session=session)
    first, second = register(activity), register(activity, mobile="13900000000")
    for registration in (first, second):
        services.registration_check_in(
            activity=activity, user=world.staff_a, code=registration.code
        )
    session.refresh_from_db()
    assert (session.participants, session.participants_counted) == (2, True)
    html = client.get(brand.get_absolute_url()).content.decode()
    assert "签到统计" in html and "其中 1 期" in html
    assert '<span class="figure-value">42</span>' in html  # 2 counted + 40 reported


def test_typed_figure_stays_for_activities_without_sign_up(client, world):
    activity = ActivityFactory(organizer=world.fed_a, participants=35)
    services.attendance_refresh(activity=activity)
    activity.refresh_from_db()
    assert (activity.participants, activity.participants_counted) == (35, False)
    html = client.get(activity.get_absolute_url()).content.decode()
    assert "35" in html and "填报" in html


def test_staff_edit_cannot_overwrite_a_counted_figure(client, world):
    activity = activity_of(world.fed_a)
    registration = register(activity)
    services.registration_check_in(activity=activity, user=world.staff_a, code=registration.code)
    client.force_login(world.staff_a)
    url = reverse("staff:activity_edit", args=[activity.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "participants"}
    data.update(
        title="园区女性创业沙龙",
        category="guidance",
        format="offline",
        organizer=world.fed_a.pk,
        starts_at=timezone.localtime(activity.starts_at).strftime("%Y-%m-%dT%H:%M"),
        participants="500",
        version_token=form.initial.get("version_token") or activity.version,
        is_public="on",
    )
    data.pop("ends_at", None)
    data.pop("series", None)
    data.pop("site", None)
    client.post(url, data)
    activity.refresh_from_db()
    assert activity.participants == 1


def test_staff_list_masks_for_roles_without_contacts_and_logs_unmasked_views(client, world):
    activity = activity_of(world.fed_a)
    register(activity, name="李丽", mobile="13812345678")
    url = reverse("staff:registration_list", args=[activity.pk])
    client.force_login(world.viewer)
    html = client.get(url).content.decode()
    assert "李*" in html and "138****5678" in html and "13812345678" not in html
    # The viewer may not find a person by a value they only see masked.
    assert "李*" not in client.get(url, {"q": "13812345678"}).content.decode()
    assert not PersonalDataAccess.objects.exists()
    client.force_login(world.staff_a)
    html = client.get(url).content.decode()
    assert "李丽" in html and "13812345678" in html
    assert "李丽" in client.get(url, {"q": "1381234"}).content.decode()
    assert "李丽" not in client.get(url, {"q": "1399999"}).content.decode()
    log = PersonalDataAccess.objects.filter(username="staff_a").first()
    assert log is not None and log.fields == "participant_name,mobile"
    client.force_login(world.staff_b)
    assert client.get(url).status_code == 404


def test_staff_confirm_waitlist_cancel_keep_the_capacity(client, world):
    activity = activity_of(world.fed_a, capacity=1)
    first = register(activity)
    second = register(activity, mobile="13900000000")
    client.force_login(world.staff_a)
    confirm = reverse("staff:registration_action", args=[second.pk, "confirm"])
    response = client.post(confirm, follow=True)
    assert "名额已满（1 个），不能再确认" in response.content.decode()
    second.refresh_from_db()
    assert second.status == "waitlisted"
    client.post(reverse("staff:registration_action", args=[first.pk, "waitlist"]))
    client.post(confirm)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("waitlisted", "confirmed")
    response = client.post(
        reverse("staff:registration_action", args=[second.pk, "cancel"]), follow=True
    )
    first.refresh_from_db()
    assert first.status == "confirmed"  # promoted into the freed place
    assert "已自动递补获得名额" in response.content.decode()


def test_more_places_in_the_settings_promote_the_waitlist(client, world):
    activity = activity_of(world.fed_a, capacity=1)
    register(activity)
    waiting = register(activity, mobile="13900000000")
    client.force_login(world.staff_a)
    config = RegistrationSettings.objects.get(activity=activity)
    response = client.post(
        reverse("staff:registration_settings", args=[activity.pk]),
        {
            "mode": "open",
            "capacity": "2",
            "waitlist": "on",
            "eligibility": "everyone",
            "version_token": config.version,
        },
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_export_is_logged_masked_for_the_role_and_refused_for_sensitive_programmes(client, world):
    activity = activity_of(world.fed_a)
    register(activity, name="李丽", mobile="13812345678")
    client.force_login(world.staff_a)
    response = client.get(reverse("staff:registration_export", args=[activity.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:5] == ("报名码", "状态", "来源", "姓名", "手机号")
    assert rows[1][3:5] == ("李丽", "13812345678")
    log = PersonalDataAccess.objects.get(kind="export")
    assert (log.username, log.object_count) == ("staff_a", 1)

    client.force_login(world.viewer)
    assert client.get(reverse("staff:registration_export", args=[activity.pk])).status_code == 403

    sensitive = activity_of(world.fed_a, is_sensitive=True)
    client.force_login(world.admin)
    assert client.get(reverse("staff:registration_export", args=[sensitive.pk])).status_code == 403


def test_sensitive_registrations_need_the_separate_permission(client, world):
    love = BrandFactory(name="为爱而来", slug="for-love", is_matchmaking=True)
    activity = activity_of(world.fed_a, brand=love)
    registration = register(activity, name="周婷")
    client.force_login(world.staff_a)
    assert client.get(reverse("staff:registration_list", args=[activity.pk])).status_code == 403
    admin_list = client.get(reverse("admin:activities_registration_changelist"))
    assert (
        admin_list.status_code == 200
        and registration.display_code not in admin_list.content.decode()
    )
    client.force_login(world.admin)
    assert (
        "周婷"
        in client.get(reverse("staff:registration_list", args=[activity.pk])).content.decode()
    )
    # Checking in still works for the organiser's staff, without showing who it was.
    status, body = scan(client, activity, code=registration.code)
    assert body["ok"] and "周婷" not in body["message"]


def test_admin_refuses_filtering_by_masked_values(client, world):
    activity = activity_of(world.fed_a)
    register(activity, mobile="13812345678")
    client.force_login(world.viewer)
    url = reverse("admin:activities_registration_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"mobile__startswith": "138"}).status_code == 400
    assert client.get(url, {"q": "13812345678"}).content.decode().count("138****5678") == 0
    assert "13812345678" not in client.get(url).content.decode()


def test_a_brand_session_opens_sign_up_through_its_activity(client, world):
    brand = BrandFactory(name="泰达儿童之家", slug="children-home", organizer=world.district)
    session = BrandSessionFactory(
        brand=brand,
        number=22,
        federation=world.fed_a,
        starts_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:brands_brandsession_changelist"),
        {"action": "open_signup", "_selected_action": [session.pk]},
    )
    activity = session.activities.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:registration_settings", args=[activity.pk])
    assert (activity.organizer, activity.brand) == (world.fed_a, brand)
    assert RegistrationSettings.objects.get(activity=activity).is_enabled
    register(activity)
    services.registration_check_in(
        activity=activity, user=world.admin, code=Registration.objects.get().code
    )
    session.refresh_from_db()
    assert (session.participants, session.participants_counted) == (1, True)
