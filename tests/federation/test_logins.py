"""Logins: Chinese page, lockout that lifts by itself, password validators, sessions that end,
logout by POST only."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_chinese_and_lands_on_the_staff_dashboard(client, world):
    page = client.get(reverse("login")).content.decode()
    assert "工作人员登录" in page and "密码" in page
    response = login(client, "staff_a", TEST_PASSWORD)
    assert response.status_code == 302 and response.url == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_wrong_password_is_refused_in_chinese(client, world):
    response = login(client, "staff_a", "wrong")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_lockout_after_repeated_failures_lifts_by_itself(client, world):
    assert settings.AXES_COOLOFF_TIME, "a lockout must expire (axes' default never does)"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "staff_a", "wrong")
    locked = login(client, "staff_a", TEST_PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    assert "暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    # The cool-off passes: the same correct password works again, without anyone unlocking it.
    cooloff = datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - cooloff - datetime.timedelta(minutes=1)
    )
    response = login(client, "staff_a", TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.staff_a.pk)


def test_lockout_is_per_user_and_address(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "staff_a", "wrong")
    assert login(client, "staff_b", TEST_PASSWORD).status_code == 302


@pytest.mark.parametrize("weak", ["12345678", "password", "staff_a1", "短"])
def test_password_validators_refuse_weak_passwords(world, weak):
    with pytest.raises(ValidationError):
        password_validation.validate_password(weak, user=world.staff_a)
    password_validation.validate_password("泰达-巾帼-2024-向前冲", user=world.staff_a)


def test_sessions_end():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_session_cookie_is_a_browser_session_cookie(client, world):
    login(client, "staff_a", TEST_PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # ends when the browser closes
    assert cookie["httponly"]


def test_logout_is_post_only(client, world):
    client.force_login(world.staff_a)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get("/staff/").status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/staff/").status_code == 302
