"""Every public page answers, for anonymous visitors, with what a visitor expects."""

from __future__ import annotations

import pytest

from tests.portal_data import build_portal

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal():
    return build_portal(2)


def test_every_public_page_renders(client, portal):
    article = portal["articles"][0]
    urls = [
        "/",
        "/news/",
        article.get_absolute_url(),
        "/activities/",
        article.activity.get_absolute_url(),
        "/federations/",
        portal["federation"].get_absolute_url(),
        "/sites/",
        portal["site"].get_absolute_url(),
        "/brands/",
        "/brands/children-home/",
        "/exemplars/",
        "/stats/",
        "/search/?q=妇联",
        "/about/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<html" in response.content
