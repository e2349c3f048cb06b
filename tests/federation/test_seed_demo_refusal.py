"""With DEBUG off, seed_demo refuses before it loads anything (the accounts' passwords are public)."""

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
