"""Reading configuration from the environment (the one source of truth for settings)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in TRUE_VALUES


def env_list(name: str, default: str = "") -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def load_dotenv(path: Path) -> None:
    """Load KEY=VALUE lines from a .env file without overriding the real environment."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


def parse_database_url(url: str, base_dir: Path) -> dict:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into a DATABASES entry."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative.sqlite3 (relative to the checkout) or sqlite:////abs/path
        path = unquote(parts.path)
        # "sqlite:///db.sqlite3" is relative to the checkout, "sqlite:////srv/db.sqlite3" absolute.
        name = (
            Path("/" + path.lstrip("/")) if path.startswith("//") else base_dir / path.lstrip("/")
        )
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(name),
            "OPTIONS": {
                # WAL lets the web process and the worker read while one writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        options = dict(parse_qsl(parts.query))
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "postgres",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
        }
        return config
    raise ImproperlyConfigured(
        f"DATABASE_URL 不受支持（{scheme}://）：请使用 sqlite:/// 或 postgres:// 。"
    )


def parse_replica_urls(raw: str, base_dir: Path) -> dict[str, dict]:
    """``DATABASE_REPLICA_URLS=postgres://…/a,postgres://…/b`` → {"replica_1": {...}, …}.

    In the test run a replica mirrors the default database (same data, no second test database).
    """
    replicas: dict[str, dict] = {}
    for index, url in enumerate((u.strip() for u in raw.split(",") if u.strip()), start=1):
        config = parse_database_url(url, base_dir)
        config["TEST"] = {"MIRROR": "default"}
        replicas[f"replica_{index}"] = config
    return replicas
