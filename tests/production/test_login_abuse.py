"""Login abuse behind the proxy: lockouts keyed on the real client, no endless lockout, limits
per address (password spraying) and per username (many addresses), with the time to retry."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

# Requests arrive from nginx on the loopback (the test client's REMOTE_ADDR is 127.0.0.1).
ALICE = "203.0.113.5"
BOB = "198.51.100.7"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def login(client, username, password, address, path=None):
    return client.post(
        path or reverse("login"),
        {"username": username, "password": password},
        HTTP_X_FORWARDED_FOR=address,
    )


def test_five_failures_from_one_client_do_not_lock_the_account_for_everybody(client, world):
    for _ in range(5):
        login(client, "staff_a", "wrong", ALICE)
    assert login(client, "staff_a", TEST_PASSWORD, ALICE).status_code == 429  # Alice is locked
    # Bob comes through the same nginx (same REMOTE_ADDR) and logs in.
    assert login(client, "staff_a", TEST_PASSWORD, BOB).status_code == 302


def test_an_attempt_during_the_lockout_does_not_extend_it(client, world):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            login(client, "staff_a", "wrong", ALICE)
        clock.move_to(START + datetime.timedelta(minutes=10))
        assert login(client, "staff_a", "wrong", ALICE).status_code == 429
        # The lockout ends 15 minutes after the failures that caused it, not after the last try.
        clock.move_to(START + datetime.timedelta(minutes=15, seconds=30))
        assert login(client, "staff_a", TEST_PASSWORD, ALICE).status_code == 302


def retry_page(response) -> tuple[str, int]:
    page = response.content.decode()
    assert "登录尝试过于频繁" in page
    match = re.search(r"请在 (\d\d:\d\d:\d\d)（约 (\d+) 分钟后）再试", page)
    assert match, page
    return match.group(1), int(match.group(2))


def test_one_address_trying_many_usernames_is_stopped_and_told_when_to_retry(client, world):
    with time_machine.travel(START, tick=False):
        for i in range(20):
            assert login(client, f"guess{i}", "wrong", ALICE).status_code == 200
        refused = login(client, "staff_a", TEST_PASSWORD, ALICE)
        assert refused.status_code == 429
        at, minutes = retry_page(refused)
        wait = int(refused["Retry-After"])
        assert 0 < wait <= 15 * 60 and 1 <= minutes <= 15
        assert at == (START + datetime.timedelta(seconds=wait)).strftime("%H:%M:%S")
        assert "_auth_user_id" not in client.session
        # Another client is not affected.
        assert login(client, "staff_a", TEST_PASSWORD, BOB).status_code == 302


def test_the_admin_login_page_is_limited_too(client, world):
    for i in range(20):
        login(client, f"guess{i}", "wrong", ALICE, path=reverse("admin:login"))
    assert (
        login(client, "admin", TEST_PASSWORD, ALICE, path=reverse("admin:login")).status_code == 429
    )


def test_many_addresses_trying_one_username_are_stopped(client, world):
    for i in range(30):
        login(client, "admin", "wrong", f"192.0.2.{i + 1}")
    refused = login(client, "admin", TEST_PASSWORD, "192.0.2.200")
    assert refused.status_code == 429
    retry_page(refused)
    # Other accounts still log in from anywhere.
    assert login(client, "staff_a", TEST_PASSWORD, "192.0.2.201").status_code == 302


def test_a_spoofed_forwarded_for_from_a_direct_client_is_ignored(client, world):
    """A client reaching the app server directly cannot pick a fresh address for each try."""
    for i in range(5):
        client.post(
            reverse("login"),
            {"username": "staff_a", "password": "wrong"},
            REMOTE_ADDR="192.0.2.50",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{i}",
        )
    locked = client.post(
        reverse("login"),
        {"username": "staff_a", "password": TEST_PASSWORD},
        REMOTE_ADDR="192.0.2.50",
        HTTP_X_FORWARDED_FOR="10.9.9.99",
    )
    assert locked.status_code == 429
