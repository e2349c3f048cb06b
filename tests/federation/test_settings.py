import os
import subprocess
import sys
from pathlib import Path

import pytest

from federation.ops.env import parse_database_url

ROOT = Path(__file__).resolve().parents[2]


def _start(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="federation.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_start_up_fails_clearly_without_a_secret_key_in_production(tmp_path):
    result = _start({"DEBUG": "false", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "未设置" in result.stderr


def test_development_mode_starts_without_a_secret_key(tmp_path):
    result = _start({"DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert result.returncode == 0, result.stderr


def test_database_urls(tmp_path):
    sqlite = parse_database_url("sqlite:///db.sqlite3", tmp_path)
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == str(tmp_path / "db.sqlite3")
    absolute = parse_database_url("sqlite:////srv/teda/db.sqlite3", tmp_path)
    assert absolute["NAME"] == "/srv/teda/db.sqlite3"
    pg = parse_database_url("postgres://teda:p%40ss@db.internal:5433/portal", tmp_path)
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "teda",
        "p@ss",
        "db.internal",
        "5433",
        "portal",
    )


def test_unknown_database_scheme_is_refused(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        parse_database_url("mysql://root@localhost/x", tmp_path)


def test_chinese_is_the_default_language(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
