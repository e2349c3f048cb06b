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


def test_planned_names_are_already_in_their_stored_form():
    """Names are stored normalised (federation.core.names): a planned name that normalisation
    changes would be missing on the next run and inserted twice (seed_demo must stay idempotent)."""
    import dataclasses
    import datetime

    from federation.core.names import normalize_name
    from federation.demo import build_plan

    plan = build_plan(datetime.date(2026, 3, 8))
    keys = {
        "name",
        "short_name",
        "parent",
        "federation",
        "chair_name",
        "contact_name",
        "organizer",
        "site",
    }
    changed = [
        (part.name, key, value)
        for part in dataclasses.fields(plan)
        for row in getattr(plan, part.name)
        if isinstance(getattr(plan, part.name), list)
        if isinstance(row, dict)
        for key, value in row.items()
        if key in keys and isinstance(value, str) and normalize_name(value) != value
    ]
    assert changed == []
