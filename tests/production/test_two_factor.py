"""Two-step login (TOTP): set up by the account's owner, asked on both login pages, not replayable,
reset by a district admin, and required of district admins when the setting says so."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re
import struct

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def totp(secret_b32: str, at: datetime.datetime, digits: int = 6) -> str:
    """RFC 6238 (HMAC-SHA1, 30 s steps), written here independently of django-otp."""
    key = base64.b32decode(secret_b32.replace(" ", ""))
    counter = struct.pack(">Q", int(at.timestamp()) // 30)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def test_the_tests_own_totp_matches_rfc_6238():
    # RFC 6238 appendix B: the ASCII key "12345678901234567890", T = 59 s → 94287082 (8 digits).
    secret = base64.b32encode(b"12345678901234567890").decode()
    at = datetime.datetime.fromtimestamp(59, tz=datetime.UTC)
    assert totp(secret, at, digits=8) == "94287082"


def login(client, username, password=TEST_PASSWORD, token=None, path=None):
    data = {"username": username, "password": password}
    if token is not None:
        data["otp_token"] = token
    return client.post(path or reverse("login"), data)


def shown_secret(client) -> str:
    page = client.get(reverse("two_factor")).content.decode()
    assert "<svg" in page  # the QR code, drawn by the server
    match = re.search(r'<code class="user-select-all">([A-Z2-7 ]+)</code>', page)
    assert match, page
    return match.group(1)


def enable(client, clock, username="staff_a") -> str:
    assert login(client, username).status_code == 302
    secret = shown_secret(client)
    response = client.post(reverse("two_factor"), {"otp_token": totp(secret, clock())})
    assert response.status_code == 302
    assert "两步验证已开启" in client.get(reverse("two_factor")).content.decode()
    return secret


def now():
    return datetime.datetime.now(tz=datetime.UTC)


def test_set_up_needs_a_right_code_and_keeps_the_current_session(client, world):
    with time_machine.travel(START, tick=False) as clock:
        assert login(client, "staff_a").status_code == 302
        secret = shown_secret(client)
        # Reloading shows the same pending key (the QR code already scanned stays valid).
        assert shown_secret(client) == secret
        wrong = client.post(reverse("two_factor"), {"otp_token": "000000"})
        assert wrong.status_code == 200
        assert "动态验证码不正确或已过期" in wrong.content.decode()
        assert "两步验证已开启" not in client.get(reverse("two_factor")).content.decode()
        # Right after a wrong code django-otp makes one wait (1 s, then 2 s, 4 s …).
        too_soon = client.post(reverse("two_factor"), {"otp_token": totp(secret, now())})
        assert "动态验证码错误次数过多：请在 1 秒后再试" in too_soon.content.decode()
        clock.shift(datetime.timedelta(seconds=2))
        client.post(reverse("two_factor"), {"otp_token": totp(secret, now())})
        assert "两步验证已开启" in client.get(reverse("two_factor")).content.decode()
        assert client.get(reverse("staff:dashboard")).status_code == 200


@pytest.mark.parametrize("path", ["login", "admin:login"])
def test_both_login_pages_ask_for_the_code_once_it_is_on(world, path):
    with time_machine.travel(START, tick=False) as clock:
        secret = enable(Client(), now)
        clock.shift(datetime.timedelta(seconds=60))
        client = Client()
        page = client.get(reverse(path)).content.decode()
        assert 'name="otp_token"' in page
        assert 'autocomplete="one-time-code"' in page

        response = login(client, "staff_a", path=reverse(path))
        assert response.status_code == 200
        assert "此账号已开启两步验证" in response.content.decode()
        response = login(client, "staff_a", token="123456", path=reverse(path))
        assert response.status_code == 200
        assert "动态验证码不正确或已过期" in response.content.decode()
        # A wrong code never gets past the password step: the session stays anonymous.
        assert client.get(reverse("staff:dashboard")).status_code == 302

        # django-otp throttles after a wrong code (1 s, then 2 s, …): wait it out.
        throttled = login(client, "staff_a", token=totp(secret, now()), path=reverse(path))
        assert "请在 1 秒后再试" in throttled.content.decode()
        clock.shift(datetime.timedelta(seconds=2))
        response = login(client, "staff_a", token=totp(secret, now()), path=reverse(path))
        assert response.status_code == 302
        assert client.get(reverse("staff:dashboard")).status_code == 200


def test_accounts_without_the_code_log_in_with_the_password_alone(client, world):
    page = client.get(reverse("login")).content.decode()
    assert "仅已开启两步验证的账号需要填写" in page
    assert login(client, "staff_b").status_code == 302
    assert client.get(reverse("staff:dashboard")).status_code == 200


def test_a_code_once_used_cannot_be_replayed(world):
    with time_machine.travel(START, tick=False) as clock:
        secret = enable(Client(), now)
        clock.shift(datetime.timedelta(seconds=60))
        code = totp(secret, now())
        assert login(Client(), "staff_a", token=code).status_code == 302
        replay = login(Client(), "staff_a", token=code)
        assert replay.status_code == 200
        assert "动态验证码不正确或已过期" in replay.content.decode()


def test_a_session_opened_before_the_code_was_turned_on_is_ended(world):
    with time_machine.travel(START, tick=False):
        older = Client()
        assert login(older, "staff_a").status_code == 302
        enable(Client(), now)
        response = older.get(reverse("staff:dashboard"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert older.get(reverse("staff:dashboard")).status_code == 302


def test_turning_it_off_takes_a_current_code(client, world):
    with time_machine.travel(START, tick=False) as clock:
        secret = enable(client, now)
        refused = client.post(reverse("two_factor"), {"otp_token": "999999"})
        assert "动态验证码不正确或已过期" in refused.content.decode()
        assert "两步验证已开启" in client.get(reverse("two_factor")).content.decode()
        clock.shift(datetime.timedelta(seconds=32))
        client.post(reverse("two_factor"), {"otp_token": totp(secret, now())})
        assert "两步验证已关闭" in client.get(reverse("two_factor"), follow=True).content.decode()
        assert login(Client(), "staff_a").status_code == 302


def test_a_district_admin_resets_a_lost_authenticator(world):
    with time_machine.travel(START, tick=False):
        enable(Client(), now)
        admin = Client()
        assert login(admin, "admin").status_code == 302
        changelist = reverse("admin:federation_user_changelist")
        assert "两步验证" in admin.get(changelist).content.decode()
        admin.post(
            changelist,
            {"action": "reset_two_factor", "_selected_action": [world.staff_a.pk]},
        )
        assert login(Client(), "staff_a").status_code == 302


def test_grassroots_staff_cannot_reset_anyone(client, world):
    with time_machine.travel(START, tick=False):
        enable(Client(), now, username="staff_b")
        assert login(client, "staff_a").status_code == 302
        client.post(
            reverse("admin:federation_user_changelist"),
            {"action": "reset_two_factor", "_selected_action": [world.staff_b.pk]},
        )
        assert "此账号已开启两步验证" in login(Client(), "staff_b").content.decode()


def test_the_device_secrets_have_no_admin_page(client, world):
    assert login(client, "admin").status_code == 302
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_required_for_district_admins_when_the_setting_is_on(client, world, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_DISTRICT_ADMINS = True
    with time_machine.travel(START, tick=False):
        assert login(client, "admin").status_code == 302
        response = client.get(reverse("staff:dashboard"))
        assert response.status_code == 302
        assert response["Location"] == reverse("two_factor")
        secret = shown_secret(client)
        client.post(reverse("two_factor"), {"otp_token": totp(secret, now())})
        assert client.get(reverse("staff:dashboard")).status_code == 200
        # Other roles are not forced.
        other = Client()
        assert login(other, "staff_a").status_code == 302
        assert other.get(reverse("staff:dashboard")).status_code == 200
