import importlib

import pytest
from django.contrib.auth.models import Group
from django.urls import clear_url_caches


@pytest.fixture
def make_user(db):
    from federation.models import User

    def make(role: str | None = None, *, superuser: bool = False, **extra):
        username = extra.pop("username", f"u{User.objects.count() + 1}")
        user = User.objects.create_user(
            username=username,
            password="pw-安全-123",
            is_staff=True,
            is_superuser=superuser,
            **extra,
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def reload_urls(settings):
    """Rebuild the URLconf after changing a setting it reads (ADMIN_URL, DEBUG, BENCH_...)."""
    import federation.urls

    def reload():
        clear_url_caches()
        importlib.reload(federation.urls)

    yield reload
    # Undo the settings first: this fixture tears down before `settings` does, and a URLconf
    # rebuilt with ADMIN_URL still moved left /admin/ a 404 for the worker's later tests.
    settings._finalize()  # pytest-django: idempotent, the fixture calls it again
    clear_url_caches()
    importlib.reload(federation.urls)
