"""Coordinates: stored as WGS-84 (≈ CGCS2000, what 天地图 and a phone's GPS give); AMap and
Tencent maps take GCJ-02, Baidu BD-09. A WGS-84 point handed to AMap lands hundreds of metres off.

The GCJ-02 offset is the published reverse-engineered formula used by every open converter
(Krasovsky ellipsoid, a = 6378245, ee = 0.00669342162296594323); BD-09 adds Baidu's rotation.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
EARTH_RADIUS_M = 6371008.8
REFERER = "teda-women-portal"


def _out_of_china(lng: float, lat: float) -> bool:
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _offset_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _offset_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if _out_of_china(lng, lat):
        return lng, lat
    dlat = _offset_lat(lng - 105.0, lat - 35.0)
    dlng = _offset_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def wgs84_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def parse_point(value: str) -> tuple[float, float] | None:
    """``"39.0427,117.7102"`` (latitude, longitude) as floats, or None when malformed."""
    parts = value.split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lng = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def route_links(name: str, lat: float, lng: float) -> list[dict]:
    """Links that open the site in the phone's map apps, each in the coordinates it expects."""
    g_lng, g_lat = wgs84_to_gcj02(lng, lat)
    b_lng, b_lat = wgs84_to_bd09(lng, lat)
    amap = urlencode(
        {"to": f"{g_lng:.6f},{g_lat:.6f},{name}", "mode": "walk", "coordinate": "gaode"}
    )
    tencent = urlencode(
        {"type": "walk", "to": name, "tocoord": f"{g_lat:.6f},{g_lng:.6f}", "referer": REFERER}
    )
    # Baidu's route page needs a starting point; its marker page offers the route from there.
    baidu = urlencode(
        {
            "location": f"{b_lat:.6f},{b_lng:.6f}",
            "title": name,
            "content": name,
            "coord_type": "bd09ll",
            "output": "html",
            "src": REFERER,
        }
    )
    return [
        {"app": "amap", "url": f"https://uri.amap.com/navigation?{amap}"},
        {"app": "tencent", "url": f"https://apis.map.qq.com/uri/v1/routeplan?{tencent}"},
        {"app": "baidu", "url": f"https://api.map.baidu.com/marker?{baidu}"},
    ]
