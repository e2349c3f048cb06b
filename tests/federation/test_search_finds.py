"""Search that finds (issue 12, item 4): true counts, 查看全部, relevance, pinyin and initials."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from federation.core.pinyin import pinyin_keys
from tests.factories import (
    ArticleFactory,
    BrandFactory,
    ExemplarFactory,
    FederationFactory,
    ServiceSiteFactory,
)

pytestmark = pytest.mark.django_db


def found(client, query, group):
    sections = dict(client.get("/search/", {"q": query}).context["sections"])
    return [getattr(o, "title", None) or o.name for o in sections[group]["items"]]


def test_pinyin_keys_are_full_pinyin_and_initials():
    assert pinyin_keys("凯莱英妇联") == "kailaiyingfulian klyfl"
    assert pinyin_keys("暑期托管\n亲子阅读") == "shuqituoguan sqtg qinziyuedu qzyd"
    assert pinyin_keys("MSD-G3座") == "msdg3zuo msdg3z"


def test_initials_and_full_pinyin_find_the_chinese_names(client):
    FederationFactory(name="凯莱英医药集团妇联")
    FederationFactory(name="云圣智能妇联")
    ServiceSiteFactory(name="泰达儿童之家", services="暑期托管\n亲子阅读")
    BrandFactory(name="为爱而来")
    ExemplarFactory(name="刘巾帼", workplace="凯莱英医药集团")
    assert found(client, "kly", "federations") == ["凯莱英医药集团妇联"]
    assert found(client, "kailaiying", "federations") == ["凯莱英医药集团妇联"]
    assert found(client, "KLY", "exemplars") == ["刘巾帼"]
    assert found(client, "tuoguan", "sites") == ["泰达儿童之家"]
    assert found(client, "wasl", "brands") == []
    assert found(client, "wael", "brands") == ["为爱而来"]
    # Two-character Chinese words keep working.
    assert found(client, "托管", "sites") == ["泰达儿童之家"]


def test_true_counts_and_see_all_pages_one_group(client):
    for i in range(25):
        ServiceSiteFactory(name=f"托管驿站{i:02d}")
    response = client.get("/search/", {"q": "托管"})
    sites = dict(response.context["sections"])["sites"]
    assert sites["count"] == 25 and len(sites["items"]) == 20
    assert response.context["total"] == 25
    html = response.content.decode()
    assert "找到 25 条结果" in html and "查看全部 25 条" in html
    assert 'href="?q=%E6%89%98%E7%AE%A1&amp;type=sites"' in html
    second = client.get("/search/", {"q": "托管", "type": "sites", "page": "2"})
    assert [o.name for o in second.context["page_obj"]] == [
        f"托管驿站{i:02d}" for i in range(20, 25)
    ]
    assert [name for name, _section in second.context["sections"]] == ["sites"]


def test_name_and_title_matches_come_before_body_matches_then_recent_first(client):
    now = timezone.now()
    ArticleFactory(
        title="健康讲座", body="<p>现场开设托管</p>", publish_at=now - datetime.timedelta(hours=1)
    )
    ArticleFactory(title="托管班开班（旧）", publish_at=now - datetime.timedelta(days=30))
    ArticleFactory(title="托管班结业", publish_at=now - datetime.timedelta(days=2))
    assert found(client, "托管", "news") == ["托管班结业", "托管班开班（旧）", "健康讲座"]


def test_pinyin_is_kept_in_step_on_save(client):
    federation = FederationFactory(name="云圣智能妇联")
    assert found(client, "yszn", "federations") == ["云圣智能妇联"]
    federation.name = "凯莱英妇联"
    federation.save()
    federation.refresh_from_db()
    assert federation.search_pinyin == "kailaiyingfulian klyfl"
    assert found(client, "yszn", "federations") == []


def talks_and_classes():
    """25 newer articles with 托管 only in the text, then 3 older ones with it in the title."""
    now = timezone.now()
    for i in range(25):  # newer, the word only in the text
        ArticleFactory(
            title=f"讲座{i:02d}",
            body="<p>现场开设托管</p>",
            publish_at=now - datetime.timedelta(hours=i),
        )
    for i in range(3):  # older, the word in the title
        ArticleFactory(title=f"托管班{i}", publish_at=now - datetime.timedelta(days=10 + i))


def test_with_more_matches_than_shown_title_matches_first_and_the_true_count(client):
    """The same answer on SQLite and PostgreSQL (this file runs on both)."""
    talks_and_classes()
    sections = dict(client.get("/search/", {"q": "托管"}).context["sections"])
    assert sections["news"]["count"] == 28
    assert [a.title for a in sections["news"]["items"]] == [
        "托管班0",
        "托管班1",
        "托管班2",
        *[f"讲座{i:02d}" for i in range(17)],
    ]
    assert found(client, "托管 讲座", "news") == [f"讲座{i:02d}" for i in range(20)]


def test_like_wildcards_in_a_word_are_matched_as_typed(client):
    ArticleFactory(title="参与率100%")
    ArticleFactory(title="参与率1000")
    FederationFactory(name="A_B妇联")
    FederationFactory(name="AXB妇联")
    assert found(client, "100%", "news") == ["参与率100%"]
    assert found(client, "A_B", "federations") == ["A_B妇联"]
    assert found(client, "1000", "news") == ["参与率1000"]  # the same shape, other words


def test_an_article_published_on_schedule_is_found_from_its_moment(client, time_machine):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    ArticleFactory(title="定时托管新闻", publish_at=now + datetime.timedelta(minutes=5))
    ArticleFactory(title="托管新闻", publish_at=now - datetime.timedelta(days=1))
    assert found(client, "托管", "news") == ["托管新闻"]
    time_machine.move_to(now + datetime.timedelta(minutes=5), tick=False)
    assert found(client, "托管", "news") == ["定时托管新闻", "托管新闻"]


@pytest.fixture
def count_cap_10(monkeypatch):
    """A network where a common word has more matches than the count shows (cap 10, not 1000)."""
    from federation.site import search

    monkeypatch.setattr(search, "COUNT_CAP", 10)
    search.compiled.cache_clear()  # the cap is part of the compiled SQL
    yield
    search.compiled.cache_clear()


def test_past_the_cap_the_count_says_more_and_the_page_is_the_same(client, count_cap_10):
    talks_and_classes()
    response = client.get("/search/", {"q": "托管"})
    news = dict(response.context["sections"])["news"]
    assert (news["count"], news["more"]) == (10, True)
    assert [a.title for a in news["items"]] == [
        "托管班0",
        "托管班1",
        "托管班2",
        *[f"讲座{i:02d}" for i in range(17)],
    ]
    html = response.content.decode()
    assert "找到超过 10 条结果" in html and '<span class="count">10+</span>' in html
    assert "查看全部 10 条" not in html and "查看全部 ›" in html
    # 查看全部 pages every match, with the true count.
    every = client.get("/search/", {"q": "托管", "type": "news", "page": "2"})
    assert every.context["paginator"].count == 28
    assert [a.title for a in every.context["page_obj"]] == [f"讲座{i:02d}" for i in range(17, 25)]


def test_past_the_cap_names_fill_the_page_in_their_order(client, count_cap_10):
    for i in range(24, -1, -1):
        FederationFactory(name=f"托管妇联{i:02d}")
    for i in range(5):
        FederationFactory(name=f"阳光妇联{i}", description="开设暑期托管")
    ServiceSiteFactory(name="托管驿站")  # another group, under the cap: its count as it is
    response = client.get("/search/", {"q": "托管"})
    sections = dict(response.context["sections"])
    assert (sections["federations"]["count"], sections["federations"]["more"]) == (10, True)
    assert [o.name for o in sections["federations"]["items"]] == [
        f"托管妇联{i:02d}" for i in range(20)
    ]
    assert (sections["sites"]["count"], sections["sites"]["more"]) == (1, False)
    assert response.context["total_more"] is True
    assert "找到超过 11 条结果" in response.content.decode()
    with translation.override("en"):
        english = client.get("/search/", {"q": "托管"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "More than 11 results found" in english.content.decode()
