"""The site finder on a phone (issue 12, item 1): nearest first, opening times in words, route
links in each map app's coordinates, a map without any key."""

from __future__ import annotations

import datetime
import io
import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest

from organizations import geo
from organizations.hours import opening_text
from organizations.models import ServiceSite
from tests.conftest import clear_cache
from tests.factories import OpeningHoursFactory, ServiceSiteFactory

TZ = ZoneInfo("Asia/Shanghai")


# Published results of the open converters for the same input (wandergis/coordtransform's
# example: (116.404, 39.915) → WGS-84→GCJ-02 and GCJ-02→BD-09).
def test_wgs84_to_gcj02_matches_the_published_example():
    lng, lat = geo.wgs84_to_gcj02(116.404, 39.915)
    assert lng == pytest.approx(116.41024449916938, abs=1e-9)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9)


def test_gcj02_to_bd09_matches_the_published_example():
    lng, lat = geo.gcj02_to_bd09(116.404, 39.915)
    assert lng == pytest.approx(116.41036949371029, abs=1e-9)
    assert lat == pytest.approx(39.92133699351021, abs=1e-9)


def test_outside_china_no_offset():
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


def test_distance_of_one_hundredth_degree_of_latitude():
    assert geo.distance_m(39.04, 117.71, 39.05, 117.71) == pytest.approx(1111.95, abs=0.5)


@pytest.mark.parametrize(
    "value, expected",
    [("39.04,117.71", (39.04, 117.71)), ("91,0", None), ("abc", None), ("1,2,3", None)],
)
def test_parse_point(value, expected):
    assert geo.parse_point(value) == expected


def test_route_links_carry_converted_coordinates():
    links = {
        link["app"]: urlparse(link["url"])
        for link in geo.route_links("泰达妇女之家", 39.915, 116.404)
    }
    amap = parse_qs(links["amap"].query)
    assert links["amap"].netloc == "uri.amap.com"
    assert amap["to"] == ["116.410244,39.916404,泰达妇女之家"]
    assert amap["coordinate"] == ["gaode"]
    tencent = parse_qs(links["tencent"].query)
    assert tencent["tocoord"] == ["39.916404,116.410244"]
    baidu = parse_qs(links["baidu"].query)
    # WGS-84 → GCJ-02 → BD-09: the BD-09 of (116.41024449916938, 39.91640428150164).
    bd_lng, bd_lat = geo.gcj02_to_bd09(116.41024449916938, 39.91640428150164)
    assert baidu["location"] == [f"{bd_lat:.6f},{bd_lng:.6f}"]
    assert baidu["coord_type"] == ["bd09ll"]


def hours(*periods):
    return [
        SimpleNamespace(weekday=w, opens=datetime.time(*o), closes=datetime.time(*c))
        for w, o, c in periods
    ]


WEEKDAYS_9_TO_5 = hours(*[(day, (9, 0), (17, 0)) for day in range(5)])


@pytest.mark.parametrize(
    "moment, expected",
    [
        (datetime.datetime(2026, 12, 2, 10, 0, tzinfo=TZ), "今天 9:00–17:00 开放"),  # Wednesday
        (datetime.datetime(2026, 12, 2, 7, 30, tzinfo=TZ), "今天 9:00 开放"),
        (datetime.datetime(2026, 12, 2, 18, 0, tzinfo=TZ), "已闭馆，明天 9:00 开放"),
        (datetime.datetime(2026, 12, 4, 18, 0, tzinfo=TZ), "已闭馆，下周一 9:00 开放"),  # Friday
        (datetime.datetime(2026, 12, 5, 12, 0, tzinfo=TZ), "已闭馆，下周一 9:00 开放"),
    ],
)
def test_opening_text(moment, expected):
    assert opening_text(WEEKDAYS_9_TO_5, moment) == expected


def test_opening_text_later_this_week_and_none():
    only_friday = hours((4, (13, 30), (17, 0)))
    tuesday = datetime.datetime(2026, 12, 1, 20, 0, tzinfo=TZ)
    assert opening_text(only_friday, tuesday) == "已闭馆，周五 13:30 开放"
    assert opening_text([], tuesday) == ""


@pytest.fixture
def sites(db):
    """Three sites around 泰达街 (WGS-84) and one without coordinates."""
    return {
        "far": ServiceSiteFactory(
            name="甲远处妇女之家", area="汉沽", latitude="39.100000", longitude="117.800000"
        ),
        "near": ServiceSiteFactory(
            name="乙附近儿童之家",
            kind=ServiceSite.Kind.CHILDREN_HOME,
            area="泰达街",
            latitude="39.041000",
            longitude="117.711000",
        ),
        "middle": ServiceSiteFactory(
            name="丙中间妇女之家", area="新城", latitude="39.060000", longitude="117.730000"
        ),
        "nowhere": ServiceSiteFactory(name="丁线上妇女微家", area="泰达街"),
    }


def names(response):
    return re.findall(
        r'<h3 class="item-title"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def test_near_sorts_by_distance_and_shows_it(client, sites):
    response = client.get("/sites/?near=39.0400,117.7100")
    assert names(response) == [
        "乙附近儿童之家",
        "丙中间妇女之家",
        "甲远处妇女之家",
        "丁线上妇女微家",
    ]
    html = response.content.decode()
    assert '<strong class="distance">140 米</strong>' in html
    assert '<strong class="distance">10.2 公里</strong>' in html


def test_without_position_by_area_then_name_whatever_the_kind(client, sites):
    assert names(client.get("/sites/")) == [
        "丙中间妇女之家",  # 新城 (areas in code-point order: 新 < 汉 < 泰)
        "甲远处妇女之家",  # 汉沽
        "丁线上妇女微家",  # 泰达街
        "乙附近儿童之家",
    ]


def test_a_bad_position_is_dropped_like_any_unknown_parameter(client, sites):
    assert names(client.get("/sites/?near=abc")) == names(client.get("/sites/"))


def test_the_map_is_drawn_by_the_server_with_no_outside_request(client, sites):
    html = client.get("/sites/?near=39.0400,117.7100").content.decode()
    svg = html.split('<svg class="site-map"')[1].split("</svg>")[0]
    assert svg.count('class="map-dot"') == 3 and 'class="map-here"' in svg
    assert "http" not in svg.split(">", 1)[1]
    assert "tianditu" not in html and "leaflet" not in html.lower()


def test_open_now_with_no_result_says_which_open_first(client, sites, settings):
    OpeningHoursFactory(
        site=sites["middle"], weekday=0, opens=datetime.time(9), closes=datetime.time(9, 1)
    )
    response = client.get("/sites/?open_now=on")
    html = response.content.decode()
    assert "没有符合条件的阵地" in html
    assert 'id="opening-soon"' in html and "丙中间妇女之家" in html.split('id="opening-soon"')[1]


def test_site_page_routes_and_opening(client, sites):
    site = sites["near"]
    OpeningHoursFactory(site=site, weekday=0)
    html = client.get(site.get_absolute_url()).content.decode()
    gcj_lng, gcj_lat = geo.wgs84_to_gcj02(117.711, 39.041)
    assert f"to={gcj_lng:.6f}%2C{gcj_lat:.6f}%2C" in html
    assert "39.041000, 117.711000" not in html  # no raw coordinates
    assert "高德地图" in html and "腾讯地图" in html and "百度地图" in html
    assert 'id="site-opening"' in html


def test_geolocation_is_allowed_for_the_portal_itself(client, db):
    assert "geolocation=(self)" in client.get("/sites/")["Permissions-Policy"]


def test_site_poster_with_a_qr_code_and_its_png(client, sites):
    from PIL import Image

    site = sites["near"]
    OpeningHoursFactory(site=site, weekday=2, opens=datetime.time(9), closes=datetime.time(17))
    html = client.get(f"/sites/{site.pk}/poster/").content.decode()
    poster = html.split('id="site-poster"')[1].split("</article>")[0]
    assert "乙附近儿童之家" in poster and "儿童之家" in poster
    assert "星期三 09:00–17:00" in poster
    assert f'src="/sites/{site.pk}/qr.svg"' in poster
    assert f'href="/sites/{site.pk}/qr.png" download' in html
    response = client.get(f"/sites/{site.pk}/qr.png")
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content)).convert("L")
    # A 4-module quiet zone at 12 px a module: the outer 48 px on every side are white.
    width, height = image.size
    assert width == height
    for box in ((0, 0, width, 48), (0, 0, 48, height), (width - 48, 0, width, height)):
        assert image.crop(box).getextrema() == (255, 255)
    assert image.crop((48, 48, 60, 60)).getextrema() == (0, 0)  # the finder pattern's corner
    site_page = client.get(site.get_absolute_url()).content.decode()
    assert f'href="/sites/{site.pk}/poster/"' in site_page


def test_at_most_600_sites_each_is_a_dot_and_beyond_nearby_sites_are_drawn_as_one(client, db):
    from decimal import Decimal

    from tests.factories import FederationFactory

    federation = FederationFactory()

    def add(count: int, start: int) -> None:
        ServiceSite.objects.bulk_create(
            ServiceSite(
                name=f"网格阵地{start + i}",
                federation=federation,
                area="泰达街",
                address=f"第{start + i}大街",
                # A 30 × 30 grid of sites 0.004° apart around TEDA.
                latitude=Decimal(f"{39.0 + (i // 30) * 0.004:.6f}"),
                longitude=Decimal(f"{117.6 + (i % 30) * 0.004:.6f}"),
            )
            for i in range(count)
        )

    def svg() -> str:
        html = client.get("/sites/").content.decode()
        return html.split('<svg class="site-map"')[1].split("</svg>")[0]

    add(600, 0)
    drawn = svg()
    assert "600 个阵地的位置示意图" in drawn
    assert drawn.count('class="map-dot"') == 600 and "map-cluster" not in drawn

    clear_cache()
    add(300, 600)  # 900 sites: nine to a square of the map or so
    drawn = svg()
    assert "900 个阵地的位置示意图" in drawn
    singles = drawn.count('class="map-dot"')
    clusters = [
        int(n) for n in re.findall(r'class="map-dot map-cluster"[^>]*><title>(\d+) 个阵地', drawn)
    ]
    assert singles + sum(clusters) == 900
    assert singles + len(clusters) < 300
    assert len(drawn.encode()) < 40_000


def test_opening_soon_orders_by_day_then_time_then_distance(client, sites, time_machine):
    # Wednesday 2026-12-02, 20:00 in Beijing: nothing is open.
    time_machine.move_to(
        datetime.datetime(2026, 12, 2, 20, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    )
    nine, five = datetime.time(9), datetime.time(17)
    # 甲: Wednesdays (closed again today) and Fridays at 9:00.
    OpeningHoursFactory(site=sites["far"], weekday=2, opens=nine, closes=five)
    OpeningHoursFactory(site=sites["far"], weekday=4, opens=nine, closes=five)
    # 乙: Fridays at 9:00. 丙: Thursdays at 14:00 and Fridays at 9:00.
    OpeningHoursFactory(site=sites["near"], weekday=4, opens=nine, closes=five)
    OpeningHoursFactory(site=sites["middle"], weekday=4, opens=nine, closes=five)
    OpeningHoursFactory(site=sites["middle"], weekday=3, opens=datetime.time(14), closes=five)
    # 丁: Wednesdays only, so not before next week: the fourth, not shown.
    OpeningHoursFactory(site=sites["nowhere"], weekday=2, opens=nine, closes=five)

    def soon(url: str) -> list[str]:
        html = client.get(url).content.decode().split('id="opening-soon"')[1]
        return re.findall(r'<h3 class="item-title"><a href="[^"]+">([^<]+)</a>', html)

    # 丙 tomorrow; then 甲 and 乙 both on Friday at 9:00, by name (乙 < 甲 in code points).
    assert soon("/sites/?open_now=on") == ["丙中间妇女之家", "乙附近儿童之家", "甲远处妇女之家"]
    # Standing at 甲, it comes before 乙.
    assert soon("/sites/?open_now=on&near=39.1000,117.8000") == [
        "丙中间妇女之家",
        "甲远处妇女之家",
        "乙附近儿童之家",
    ]


def test_open_now_cards_and_count_follow_the_clock_minute_by_minute(client, sites, time_machine):
    """What is open is kept per minute (the cards' state and the open-now count), and each new
    minute is answered afresh though nothing was saved. Each request stands somewhere else, so
    each is a page of its own: only the kept pieces are shared."""
    # Thursday 2026-12-03 in Beijing. 乙 opens 9:00–10:00, 丙 and 甲 10:00–11:00; 丁 not today.
    OpeningHoursFactory(
        site=sites["near"], weekday=3, opens=datetime.time(9), closes=datetime.time(10)
    )
    for site in (sites["middle"], sites["far"]):
        OpeningHoursFactory(site=site, weekday=3, opens=datetime.time(10), closes=datetime.time(11))

    def at(hour: int, minute: int, second: int = 0):
        time_machine.move_to(datetime.datetime(2026, 12, 3, hour, minute, second, tzinfo=TZ))

    def open_cards(html: str) -> list[str]:
        cards = html.split('<h3 class="item-title">')[1:]
        return [
            re.search(r'<a href="[^"]+">([^<]+)</a>', card)[1]
            for card in cards
            if '<span class="tag tag-open">开放中</span>' in card
        ]

    at(9, 59, 10)
    html = client.get("/sites/?near=39.0400,117.7100").content.decode()
    assert open_cards(html) == ["乙附近儿童之家"]
    html = client.get("/sites/?open_now=on&near=39.0400,117.7100").content.decode()
    assert names_in(html) == ["乙附近儿童之家"]
    assert "找到 1 个阵地（09:59 更新）" in html

    at(9, 59, 50)  # the same minute, another place: the kept count and states serve
    html = client.get("/sites/?open_now=on&near=39.0500,117.7200").content.decode()
    assert names_in(html) == ["乙附近儿童之家"] and "找到 1 个阵地（09:59 更新）" in html

    at(10, 0, 5)  # 乙 has closed, 丙 and 甲 opened: nothing saved, only the clock moved
    html = client.get("/sites/?near=39.0600,117.7300").content.decode()
    assert open_cards(html) == ["丙中间妇女之家", "甲远处妇女之家"]
    html = client.get("/sites/?open_now=on&near=39.0600,117.7300").content.decode()
    assert names_in(html) == ["丙中间妇女之家", "甲远处妇女之家"]
    assert "找到 2 个阵地（10:00 更新）" in html

    at(11, 0, 5)  # both closed: none open, and the count says so
    html = client.get("/sites/?open_now=on&near=39.0700,117.7400").content.decode()
    assert names_in(html) == [] and "没有符合条件的阵地" in html
    assert open_cards(client.get("/sites/?near=39.0700,117.7400").content.decode()) == []


def names_in(html: str) -> list[str]:
    listed = html.split('id="opening-soon"')[0]
    return re.findall(r'<h3 class="item-title"><a href="[^"]+">([^<]+)</a>', listed)
