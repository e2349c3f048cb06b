"""Nothing private or unpublished reaches any public page, feed, sitemap or calendar."""

from __future__ import annotations

import re

import pytest

from tests.portal_data import build_portal

pytestmark = pytest.mark.django_db

SECRETS = [
    "王秘密",  # federation contact_name
    "13800138000",  # federation contact_phone
    "赵联系",  # enterprise contact_name
    "13900139000",  # enterprise contact_phone
    "泰达测试科技",  # names of covered enterprises: the public sees a count only
    "张三与李四",  # matchmaking session summary naming participants
    "草稿新闻",
    "待审新闻",
    "撤回新闻",
    "定时新闻",
    "未同意典型",
    "内部会议",
    "已关闭阵地",
    "隐藏品牌",
]


def public_urls(client, portal) -> list[str]:
    urls = {
        "/",
        "/news/",
        "/activities/",
        "/activities/calendar.ics",
        "/federations/",
        "/sites/",
        "/brands/",
        "/brands/for-love/",
        "/brands/children-home/",
        "/exemplars/",
        "/stats/",
        "/about/",
        "/feeds/news/",
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-news.xml",
        "/sitemap-activities.xml",
        "/sitemap-federations.xml",
        "/sitemap-sites.xml",
        "/sitemap-brands.xml",
        "/sitemap-exemplars.xml",
        "/robots.txt",
    }
    for word in ("妇联", "新闻", "典型", "阵地", "品牌", "会议", "泰达", "1"):
        urls.add(f"/search/?q={word}")
    # Follow every internal link of the list pages once (detail pages included).
    for url in list(urls):
        body = client.get(url).content.decode()
        urls.update(
            link
            for link in re.findall(r'href="(/[^"#]*)"', body)
            if not link.startswith(("/static/", "/media/", "/language/", "/admin/"))
        )
    return sorted(urls)


def test_no_public_page_reveals_private_or_unpublished_content(client):
    portal = build_portal(2)
    urls = public_urls(client, portal)
    assert len(urls) > 30  # detail pages of every kind were followed
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, (url, secret)
