"""seed_demo refuses with DEBUG off before loading anything; its plan is the same in every process."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from organizations.models import Federation


def test_refuses_with_debug_off_before_loading_anything(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as excinfo:
        call_command("seed_demo", stdout=StringIO())
    message = str(excinfo.value)
    assert "拒绝创建" in message and "refusing" in message and "--no-accounts" in message
    assert not Federation.objects.exists()
    assert not get_user_model().objects.exists()


def test_the_plan_is_the_same_in_every_process():
    """Same records every run: no dependence on hash randomisation or the process."""
    import datetime
    import hashlib
    import os
    import subprocess
    import sys

    from federation.demo import build_plan

    day = datetime.date(2026, 3, 8)
    here = hashlib.sha256(repr(build_plan(day)).encode()).hexdigest()
    code = (
        "import django, hashlib, datetime; django.setup();"
        "from federation.demo import build_plan;"
        "print(hashlib.sha256(repr(build_plan(datetime.date(2026, 3, 8))).encode()).hexdigest())"
    )
    env = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "DJANGO_SETTINGS_MODULE": "federation.test_settings",
    }
    there = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert here == there
