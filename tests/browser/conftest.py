"""Shared fixtures of the browser tests: Playwright driving Debian's Chromium.

Use the ``page`` fixture (a phone-sized page, 375×812, Chinese locale) together with pytest-django's
``live_server``; mark the tests ``@pytest.mark.browser``. ``launch_debian_chromium`` is the one place
that knows how to start the browser on this machine (see PITFALLS.md). Tests are skipped with a
clear reason where Chromium or Playwright is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


def launch_debian_chromium(playwright):
    """Start Debian's Chromium (Playwright cannot download a browser here)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium not installed at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev dependency missing
        pytest.skip("playwright (Python package) is not installed")
    with sync_playwright() as playwright:
        browser = launch_debian_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(browser):
    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    """A fresh phone-sized page (375 px wide, Chinese locale, nothing cached)."""
    page = browser_context.new_page()
    yield page
    page.close()


@pytest.fixture
def serve_media(settings):
    """Let the live server answer /media/ (uploaded photos and their renditions)."""
    settings.ROOT_URLCONF = "tests.browser.urls"
