"""Fast settings for the test suite; the database still comes from DATABASE_URL."""

import os

os.environ.setdefault("DEBUG", "true")

from federation.settings import *  # noqa: E402,F403
from federation.settings import REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # live_server cannot serve hashed names: plain storage in tests.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "tests",
        }
    }
else:
    # The pytest-xdist workers share one Redis database: each gets its own key space (and the
    # suite clears only its own keys, see tests/conftest.py).
    CACHES["default"]["KEY_PREFIX"] = "tests-" + os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
AXES_ENABLED = True
