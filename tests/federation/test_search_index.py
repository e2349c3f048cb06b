"""The search index (bigrams of each searchable row) follows every way a row is written, narrows
without deciding (LIKE decides), and a rebuild restores it. Runs on SQLite and PostgreSQL (which
reads a group's first results from it, a common word's by scanning: federation.site.search)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from federation.models import SearchGram
from federation.site import search
from organizations.models import Federation
from tests.factories import ArticleFactory, FederationFactory, ServiceSiteFactory
from tests.organizations.import_helpers import xlsx_bytes
from tests.organizations.test_import import run

pytestmark = pytest.mark.django_db


def found(client, query, group):
    sections = dict(client.get("/search/", {"q": query}).context["sections"])
    return [getattr(o, "title", None) or o.name for o in sections[group]["items"]]


def test_a_saved_row_is_found_by_its_new_words_and_no_longer_by_its_old(client):
    federation = FederationFactory(name="云圣智能妇联", description="关爱女职工")
    assert found(client, "云圣", "federations") == ["云圣智能妇联"]
    assert found(client, "女职工", "federations") == ["云圣智能妇联"]
    federation.name = "凯莱英妇联"
    federation.description = "暑期托管"
    federation.save()
    assert found(client, "云圣", "federations") == []
    assert found(client, "女职工", "federations") == []
    assert found(client, "凯莱英", "federations") == ["凯莱英妇联"]
    assert found(client, "托管", "federations") == ["凯莱英妇联"]
    grams = set(SearchGram.objects.filter(key=federation.pk).values_list("gram", flat=True))
    assert "云圣" not in grams and "凯莱" in grams and "托管" in grams


def test_a_deleted_row_leaves_nothing_in_the_index(client):
    article = ArticleFactory(title="托管班开班")
    assert SearchGram.objects.filter(model="activities.article", key=article.pk).exists()
    key = article.pk
    article.delete()
    assert not SearchGram.objects.filter(model="activities.article", key=key).exists()


def test_the_index_narrows_and_like_decides(client):
    FederationFactory(name="妇女联合会")  # holds 女联 and 联合, and 女联合 in one piece
    FederationFactory(name="女联 联合小组")  # holds both bigrams, not the word
    FederationFactory(name="联合妇女小组")  # holds neither 妇联 nor the word
    assert found(client, "女联合", "federations") == ["妇女联合会"]
    # One character: no bigram to look up; every row's text is read.
    assert set(found(client, "合", "federations")) == {
        "女联 联合小组",
        "妇女联合会",
        "联合妇女小组",
    }
    # A long word: three of its bigrams narrow it, the whole word decides.
    FederationFactory(name="泰达儿童之家联合会")
    FederationFactory(name="泰达儿童乐园之家")
    assert found(client, "泰达儿童之家", "federations") == ["泰达儿童之家联合会"]


def test_rows_written_in_bulk_without_the_index_are_found_after_a_rebuild(
    client, django_capture_on_commit_callbacks
):
    existing = FederationFactory(name="已有妇联")
    Federation.objects.bulk_create(
        [Federation(name="批量托管妇联", level="grassroots", kind="single", parent=existing.parent)]
    )
    if connection.vendor == "sqlite":  # read from the index (PostgreSQL: big tables only)
        assert found(client, "托管", "federations") == []
    with django_capture_on_commit_callbacks(execute=True):  # the public pages are refreshed
        call_command("rebuild_search_index", stdout=io.StringIO())
    assert found(client, "托管", "federations") == ["批量托管妇联"]
    assert found(client, "已有", "federations") == ["已有妇联"]


def test_the_spreadsheet_import_keeps_the_index_in_step(
    client, tmp_path, district, django_capture_on_commit_callbacks
):
    ServiceSiteFactory(name="别处阵地")
    host = FederationFactory(name="泰达中小企业园妇联", parent=district)
    headers = ["名称", "类型", "主办妇联", "地址", "服务内容"]
    row = ["泰达妇女之家", "妇女之家", host.name, "第三大街1号", "暑期托管"]
    with django_capture_on_commit_callbacks(execute=True):
        run(tmp_path, xlsx_bytes([row], headers), kind="site")
    assert found(client, "托管", "sites") == ["泰达妇女之家"]
    row[4] = "亲子阅读"
    with django_capture_on_commit_callbacks(execute=True):
        run(tmp_path, xlsx_bytes([row], headers), kind="site")
    assert found(client, "托管", "sites") == []
    assert found(client, "阅读", "sites") == ["泰达妇女之家"]


@pytest.fixture
def drive_cap_3(monkeypatch):
    """A network where a word held by more than 3 rows counts as common (DRIVE_CAP 3, not 250)
    and every table as big (DRIVE_MIN_ROWS): PostgreSQL scans for a common word, and reads a
    rarer word's rows by key from the index, from its second search on (the first tells it
    the table's size)."""
    monkeypatch.setattr(search, "DRIVE_CAP", 3)
    monkeypatch.setattr(search, "DRIVE_MIN_ROWS", -2)  # an estimate is -1 before any ANALYZE
    monkeypatch.setattr(search, "_table_rows", {})
    search.compiled.cache_clear()  # the cap is part of the compiled SQL
    yield
    search.compiled.cache_clear()


def test_rare_and_common_words_find_the_same_rows_whichever_way_they_are_read(client, drive_cap_3):
    for i in range(6):
        FederationFactory(name=f"阳光妇联{i}")  # 阳光: 6 rows, common
    FederationFactory(name="星光托管妇联")  # 托管: 2 rows, rare
    FederationFactory(name="月光妇联", description="开设暑期托管")
    assert found(client, "月光", "federations") == ["月光妇联"]  # the size is known from here
    assert found(client, "阳光", "federations") == [f"阳光妇联{i}" for i in range(6)]
    assert found(client, "托管", "federations") == ["星光托管妇联", "月光妇联"]
    # 光托 is the rarest of 星光托管's bigrams (1 row); the whole word decides.
    assert found(client, "星光托管", "federations") == ["星光托管妇联"]
    # A bigram every row of the word holds, and rows holding the bigram but not the word.
    assert found(client, "光妇", "federations") == [
        "月光妇联",
        *[f"阳光妇联{i}" for i in range(6)],
    ]
    assert found(client, "阳光妇联3", "federations") == ["阳光妇联3"]
    # Two words: each must be held, the rarest bigram of either drives.
    assert found(client, "托管 月光", "federations") == ["月光妇联"]
    assert found(client, "阳光 托管", "federations") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's size estimates")
def test_postgresql_reads_by_key_only_in_a_big_table(client, monkeypatch):
    monkeypatch.setattr(search, "_table_rows", {})
    search.compiled.cache_clear()
    FederationFactory(name="星光托管妇联")

    def first_query(query: str) -> str:
        with CaptureQueriesContext(connection) as queries:
            assert found(client, query, "federations") == ["星光托管妇联"]
        (sql,) = [
            q["sql"]
            for q in queries
            if "organizations_federation" in q["sql"] and "COUNT(*) OVER" in q["sql"]
        ]
        return sql

    monkeypatch.setattr(search, "DRIVE_MIN_ROWS", 10**9)  # no table is that big
    assert "WITH k AS" not in first_query("星光")
    assert "WITH k AS" not in first_query("托管")
    monkeypatch.setattr(search, "DRIVE_MIN_ROWS", -2)  # every table is
    assert "WITH k AS" in first_query("光托")
    search.compiled.cache_clear()
