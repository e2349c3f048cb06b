"""Open data: aggregate CSV (UTF-8 with BOM) and JSON, dated, licensed, without any personal data,
small counts of people suppressed, served through the public page cache."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from tests.factories import (
    ActivityFactory,
    BrandFactory,
    BrandSessionFactory,
    EnterpriseFactory,
    ServiceSiteFactory,
)

pytestmark = pytest.mark.django_db

PHONES = ("022-0555 1234", "13800138000", "022-0666 8888")


@pytest.fixture
def data(world):
    world.fed_a.contact_name, world.fed_a.contact_phone = "张联系", PHONES[0]
    world.fed_a.save()
    for covered in (True, True, False):
        EnterpriseFactory(
            area="泰达街",
            surveyed_on=datetime.date(2025, 3, 1),
            federation=world.fed_a if covered else None,
            contact_name="王经理",
            contact_phone=PHONES[1],
        )
    ServiceSiteFactory(
        federation=world.fed_a,
        name="第三大街妇女之家",
        public_phone=PHONES[2],
        latitude=39.05,
        longitude=117.7,
    )
    now = timezone.localtime()
    ActivityFactory(
        organizer=world.fed_a, starts_at=now - datetime.timedelta(hours=2), participants=3
    )
    ActivityFactory(
        organizer=world.fed_a,
        starts_at=now - datetime.timedelta(hours=1),
        category=Activity.Category.CARE,
        participants=25,
    )
    brand = BrandFactory(name="泰好帮")
    BrandSessionFactory(brand=brand, participants=30, families=2, enterprises=3, couples=0)
    return world


def _csv(client, slug) -> list[list[str]]:
    response = client.get(reverse("open_data_file", args=[slug, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _json(client, slug) -> dict:
    response = client.get(reverse("open_data_file", args=[slug, "json"]))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def test_the_page_lists_every_download_with_date_and_licence(client, data):
    page = client.get(reverse("open_data")).content.decode()
    assert f"数据截至 {timezone.localdate():%Y-%m-%d}" in page
    assert "CC BY 4.0" in page
    assert "少于 5 人的人数" in page
    for slug in (
        "federations-by-form-area",
        "coverage-by-area",
        "coverage-by-sector",
        "sites-by-kind-area",
        "sites",
        "activities-per-month",
        "brand-outcomes",
    ):
        assert f'href="/open-data/{slug}.csv"' in page
        assert f'href="/open-data/{slug}.json"' in page


def test_coverage_by_area_csv_and_json(client, data):
    assert _csv(client, "coverage-by-area") == [
        ["片区", "已摸排", "已覆盖", "覆盖率（%）"],
        ["泰达街", "3", "2", "66.7"],
    ]
    document = _json(client, "coverage-by-area")
    assert document["as_of"] == timezone.localdate().isoformat()
    assert document["licence"].startswith("知识共享署名 4.0 国际许可协议（CC BY 4.0）")
    assert document["rows"] == [{"area": "泰达街", "surveyed": 3, "covered": 2, "rate": 66.7}]


def test_small_counts_of_people_are_suppressed(client, data):
    month = f"{timezone.localdate():%Y-%m}"
    assert _csv(client, "activities-per-month") == [
        ["月份", "活动类别", "场次", "参与人次"],
        [month, "思想引领类", "1", "<5"],
        [month, "走访慰问", "1", "25"],
    ]
    rows = _json(client, "activities-per-month")["rows"]
    assert rows[0]["participants"] is None
    assert rows[1]["participants"] == 25
    assert _csv(client, "brand-outcomes")[1] == ["泰好帮", "1", "30", "<5", "3", "0", "0"]


def test_no_personal_data_in_any_download(client, data):
    from federation.site.opendata import DATASETS

    for dataset in DATASETS:
        for fmt in ("csv", "json"):
            body = client.get(reverse("open_data_file", args=[dataset.slug, fmt])).content.decode(
                "utf-8-sig"
            )
            for secret in (*PHONES, "张联系", "王经理"):
                assert secret not in body, (dataset.slug, fmt, secret)
            assert "phone" not in body and "电话" not in body and "contact" not in body
    sites = _csv(client, "sites")
    assert sites[0] == ["名称", "类型", "片区", "地址", "所属妇联", "纬度", "经度", "线上阵地"]
    assert sites[1][:2] == ["第三大街妇女之家", "妇女之家"]
    assert sites[1][5:] == ["39.05", "117.7", "否"]


def test_downloads_are_public_pages_served_from_the_cache(client, data):
    url = reverse("open_data_file", args=["coverage-by-sector", "csv"])
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    # A change of a public record re-renders it.
    EnterpriseFactory(surveyed_on=datetime.date(2025, 3, 1))
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "新经济组织,4,2,50.0" in response.content.decode("utf-8-sig")


def test_unknown_dataset_or_format_is_404(client, data):
    assert client.get("/open-data/contacts.csv").status_code == 404
    assert client.get("/open-data/sites.xml").status_code == 404
