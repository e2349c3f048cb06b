import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's sync API


def clear_cache() -> None:
    """Empty the test cache. On Redis only this process's keys go: ``cache.clear()`` would
    FLUSHDB the whole database, under the other pytest-xdist worker (or a colleague's tests)."""
    from django.core.cache import cache

    from federation.web import fragments

    fragments.store.clear()  # the pieces of pages each process keeps (keyed by generation)
    if hasattr(cache, "delete_pattern"):  # django-redis: keys under this cache's KEY_PREFIX
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    """Uploads go to a temporary folder and every test starts with an empty cache."""
    settings.MEDIA_ROOT = tmp_path / "media"
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def district(db):
    from tests.factories import DistrictFactory

    return DistrictFactory()


# --- Staff workbench (issue 4): one account per role over two grassroots federations ---
TEST_PASSWORD = "泰达妇联-测试口令-2024"


@pytest.fixture
def world(db):
    """District D with grassroots federations A (with a women's group) and B, and an account
    for every role: viewer, staff of A, staff of B, district editor, district admin."""
    from types import SimpleNamespace

    from federation.core.roles import DISTRICT_ADMIN, DISTRICT_EDITOR, FEDERATION_STAFF, VIEWER
    from tests.factories import DistrictFactory, FederationFactory, UserFactory, WomenGroupFactory

    district = DistrictFactory()
    fed_a = FederationFactory(name="泰达中小企业园妇联", parent=district)
    group_a = WomenGroupFactory(name="中小企业园第一妇女小组", parent=fed_a)
    fed_b = FederationFactory(name="网约车司机妇联", parent=district)
    return SimpleNamespace(
        district=district,
        fed_a=fed_a,
        group_a=group_a,
        fed_b=fed_b,
        viewer=UserFactory(username="viewer", role=VIEWER, federation=district),
        staff_a=UserFactory(username="staff_a", role=FEDERATION_STAFF, federation=fed_a),
        staff_b=UserFactory(username="staff_b", role=FEDERATION_STAFF, federation=fed_b),
        editor=UserFactory(username="editor", role=DISTRICT_EDITOR, federation=district),
        admin=UserFactory(username="admin", role=DISTRICT_ADMIN, federation=district),
    )


@pytest.fixture
def png_bytes():
    """A small valid PNG (``png_bytes(width, height)``)."""
    import io

    from PIL import Image

    def make(width: int = 64, height: int = 48, color=(200, 30, 60)) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (width, height), color).save(buffer, "PNG")
        return buffer.getvalue()

    return make


# --- Translations (i18n): a page requested in English leaves English active in the thread
# (LocaleMiddleware activates, nothing deactivates), so reset after every test. ---
@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    from django.utils import translation

    yield
    translation.deactivate()
