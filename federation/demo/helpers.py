"""Small deterministic helpers: names, phones, codes, places."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from federation.demo.vocabulary import AREAS, GIVEN, SURNAMES, TZ
from organizations.validators import credit_code_check_char


# --- Small deterministic helpers ----------------------------------------------------------------
def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def phone_number(rng: random.Random) -> str:
    # Fictional on purpose: Tianjin local numbers never begin with 0, so 022-0xxx xxxx cannot ring.
    return f"022-0{rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def org_code(rng: random.Random) -> str:
    """A 9-character organization code (GB 11714) with its own check character."""
    allowed = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = (
        "MA0" + "".join(rng.choice(allowed) for _ in range(5))
        if rng.random() < 0.7
        else (str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(7)))
    )
    total = sum(int(char, 36) * w for char, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2)))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, prefix: str) -> str:
    """A valid unified social credit code; region 120116 is Tianjin Binhai New Area."""
    region = "120000" if prefix == "31" else "120116"
    first17 = f"{prefix}{region}{org_code(rng)}"
    return first17 + credit_code_check_char(first17)


def cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def local_time(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


def area_coords(rng: random.Random, area: str) -> tuple[Decimal, Decimal]:
    (lat, lon), _roads = AREAS[area]
    lat = min(max(lat + rng.uniform(-0.012, 0.012), 38.951), 39.099)
    lon = min(max(lon + rng.uniform(-0.015, 0.015), 117.601), 117.799)
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def street_address(rng: random.Random, area: str) -> str:
    road = rng.choice(AREAS[area][1])
    return f"天津经济技术开发区{road}{rng.randint(1, 199)}号"


def place_name(area: str, road: str) -> str:
    """“西区中南五街”, but “新城西路” rather than “新城新城西路”."""
    return road if road[:2] == area[:2] else area + road


def name_stem(federation_name: str) -> str:
    """A federation's name without the organisational suffix, for naming its sites."""
    name = federation_name.removesuffix("妇联")
    for suffix in ("联合", "楼宇", "岛屿式", "网上"):
        name = name.removesuffix(suffix)
    return name
