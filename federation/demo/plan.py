"""The plan: every demo record, in memory, keyed by its natural key."""

from __future__ import annotations

import dataclasses
import datetime
import random
from dataclasses import dataclass, field

from activities.models import Activity, Article, Exemplar
from brands.models import Brand
from federation.core.names import normalize_name
from federation.demo.helpers import (
    area_coords,
    cn_date,
    credit_code,
    local_time,
    name_stem,
    person_name,
    phone_number,
    place_name,
    street_address,
)
from federation.demo.vocabulary import (
    AREA_NAMES,
    AREAS,
    BRAND_ARTICLES,
    BUILDINGS,
    CATEGORY_PARAGRAPHS,
    CHILDREN_HOME_CLASSES,
    CHILDREN_HOME_ENTERPRISES,
    CHILDREN_HOME_FAMILIES,
    CHILDREN_HOME_SESSIONS,
    CHILDREN_HOME_SLUG,
    CLOUD_TOPICS,
    CORE_FIRST,
    CORE_SECOND,
    COVERED_ENTERPRISES,
    CULTURE_TOPICS,
    DISTRICT_NAME,
    DRIVERS_NAME,
    ECONOMIC_INDUSTRIES,
    EDITORS,
    EMPLOYMENT_FORMS,
    ENTERPRISES,
    EXEMPLARS,
    EXEMPLARS_WITHOUT_CONSENT,
    FEDERATIONS_BY_KIND,
    HEART_TO_PARTY_ACTIVITIES,
    HEART_TOPICS,
    INDUSTRY_FEDERATIONS,
    JOINT_THEMES,
    LIVESTREAM_NAME,
    MATCHMAKING_COUPLES,
    MATCHMAKING_EVENTS,
    MATCHMAKING_SLUG,
    MERIT_TOPICS,
    NEED_WEIGHTS,
    NEEDS,
    NEEDS_TOPICS,
    ONLINE_FEDERATIONS,
    PARK_GROUPS,
    PARK_NAME,
    PARKS,
    PARTY_ORG_ENTERPRISE,
    PHOTO_CAPTIONS,
    PROOFREADERS,
    PUBLISHED_ACTIVITY_ARTICLES,
    RANDOM_SEED,
    SINGLE_SEED_FEDERATIONS,
    SITE_NOTES,
    SITE_SERVICES,
    SITES_BY_KIND,
    SOCIAL_FORMS,
    SURVEYED_ENTERPRISES,
    VOLUNTEER_TOPICS,
    WARMTH_TOPICS,
)
from organizations.models import (
    Enterprise,
    Federation,
    MediaAccount,
    ServiceSite,
)


# --- The plan: every record, in memory, keyed by its natural key ---------------------------------
@dataclass
class Plan:
    federations: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    enterprises: list[dict] = field(default_factory=list)
    sites: list[dict] = field(default_factory=list)
    series: list[dict] = field(default_factory=list)
    brands: list[dict] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    articles: list[dict] = field(default_factory=list)
    exemplars: list[dict] = field(default_factory=list)
    media_accounts: list[dict] = field(default_factory=list)


def _enterprise_name(rng: random.Random, used: set[str], sector: str) -> tuple[str, str, str, str]:
    """(full name, short name, industry, credit-code prefix) not yet in ``used``."""
    while True:
        core = rng.choice(CORE_FIRST) + rng.choice(CORE_SECOND)
        if sector == Enterprise.Sector.NEW_SOCIAL:
            form, short_part, industry, prefix = rng.choice(SOCIAL_FORMS)
            name, short = form.format(core=core), core + short_part
        elif sector == Enterprise.Sector.NEW_EMPLOYMENT:
            form, short_part, industry = rng.choice(EMPLOYMENT_FORMS)
            name, short, prefix = form.format(core=core), core + short_part, "91"
        else:
            part, short_part, industry = rng.choice(ECONOMIC_INDUSTRIES)
            roll = rng.random()
            if roll < 0.65:
                name = f"天津{core}{part}有限公司"
            elif roll < 0.85:
                name = f"{core}{part}(天津)有限公司"
            else:
                name = f"天津{core}{part}股份有限公司"
            short, prefix = core + short_part, "91"
        if name not in used and short not in used:
            used.update((name, short))
            return name, short, industry, prefix


# Keys holding a name: stored normalised (federation.core.names), so the plan holds them in that form
# too, or a re-run would not find them and seed_demo would not stay idempotent.
NAME_KEYS = (
    "name",
    "short_name",
    "parent",
    "federation",
    "chair_name",
    "contact_name",
    "organizer",
    "site",
)


def _in_stored_form(plan: Plan) -> Plan:
    for part in dataclasses.fields(plan):
        for row in getattr(plan, part.name):
            if isinstance(row, dict):
                for key in NAME_KEYS:
                    if isinstance(row.get(key), str):
                        row[key] = normalize_name(row[key])
    return plan


def build_plan(today: datetime.date) -> Plan:  # noqa: C901 - one linear recipe reads best whole
    rng = random.Random(RANDOM_SEED)
    plan = Plan()
    used_names: set[str] = set(PARKS)
    codes: set[str] = set()

    def established(earliest: int = 2016) -> datetime.date:
        start = datetime.date(earliest, 1, 1)
        return start + datetime.timedelta(days=rng.randint(0, (today - start).days - 400))

    def federation(name: str, kind: str, area: str, **extra) -> dict:
        record = {
            "name": name,
            "level": Federation.Level.GRASSROOTS,
            "kind": kind,
            "area": area,
            "address": "" if kind == Federation.Kind.ONLINE else street_address(rng, area),
            "channel": "",
            "established_on": established(),
            "chair_name": person_name(rng),
            "contact_name": person_name(rng),
            "contact_phone": phone_number(rng),
            "member_count": rng.randint(12, 180),
            "description": "",
            "covers": [],
        }
        record.update(extra)
        plan.federations.append(record)
        return record

    def enterprise(sector: str, **extra) -> dict:
        name, short, industry, prefix = _enterprise_name(rng, used_names, sector)
        code = credit_code(rng, prefix)
        while code in codes:
            code = credit_code(rng, prefix)
        codes.add(code)
        employees = int(min(rng.lognormvariate(4.2, 1.0), 3000)) + 5
        share = (
            rng.uniform(0.15, 0.45)
            if sector == Enterprise.Sector.NEW_EMPLOYMENT
            else rng.uniform(0.25, 0.7)
        )
        area = rng.choice(AREA_NAMES)
        record = {
            "credit_code": code,
            "name": name,
            "short": short,
            "sector": sector,
            "industry": industry,
            "area": area,
            "address": street_address(rng, area),
            "building": "",
            "employees": employees,
            "female_employees": int(employees * share),
            "has_party_org": rng.random() < 0.3,
            "party_org_formed_on": None,
            "federation": None,
            "covered_since": None,
            "surveyed_on": None,
            "needs": [],
            "contact_name": person_name(rng) if rng.random() < 0.8 else "",
            "contact_phone": "",
            "note": "",
        }
        if record["contact_name"]:
            record["contact_phone"] = phone_number(rng)
        record.update(extra)
        plan.enterprises.append(record)
        return record

    def any_sector() -> str:
        roll = rng.random()
        if roll < 0.86:
            return Enterprise.Sector.NEW_ECONOMIC
        return Enterprise.Sector.NEW_SOCIAL if roll < 0.94 else Enterprise.Sector.NEW_EMPLOYMENT

    # The district federation.
    plan.federations.append(
        {
            "name": DISTRICT_NAME,
            "level": Federation.Level.DISTRICT,
            "kind": "",
            "area": "泰达街",
            "address": "天津经济技术开发区宏达街19号",
            "channel": "",
            "established_on": datetime.date(1995, 3, 8),
            "chair_name": person_name(rng),
            "contact_name": person_name(rng),
            "contact_phone": phone_number(rng),
            "member_count": None,
            "short_name": "经开区妇联",
            "description": "天津经济技术开发区妇女联合会，“有你泰好”品牌的主办单位，"
            "统筹推进“三新”领域妇联组织建设和服务。",
            "covers": [],
        }
    )

    # Single federations (单建): one enterprise each, a tenth with a subsidiary.
    singles = [
        ("凯莱英医药集团", "凯莱英医药集团(天津)股份有限公司", "生物医药", 5800, 2750),
        ("深之蓝海洋科技", "天津深之蓝海洋设备科技有限公司", "海洋经济", 460, 150),
        ("云圣智能", "云圣智能科技(天津)有限公司", "人工智能", 380, 120),
        ("橙意家人", PARTY_ORG_ENTERPRISE, "互联网服务", 160, 98),
    ]
    for short, name, industry, employees, female in singles:
        used_names.update((name, short))
        area = "泰达街" if short != "深之蓝海洋科技" else "西区"
        record = federation(f"{short}妇联", Federation.Kind.SINGLE, area, short_name=short)
        code = credit_code(rng, "91")
        codes.add(code)
        company = enterprise(Enterprise.Sector.NEW_ECONOMIC)
        company.update(
            credit_code=code,
            name=name,
            short=short,
            industry=industry,
            area=area,
            employees=employees,
            female_employees=female,
            has_party_org=True,
        )
        if name == PARTY_ORG_ENTERPRISE:
            company["note"] = "妇联组织先行“破局”，以服务带动党组织组建。"
        record["covers"].append(company)
    while (
        sum(1 for f in plan.federations if f["kind"] == Federation.Kind.SINGLE)
        < FEDERATIONS_BY_KIND[Federation.Kind.SINGLE]
    ):
        company = enterprise(any_sector())
        record = federation(
            f"{company['short']}妇联",
            Federation.Kind.SINGLE,
            company["area"],
            short_name=company["short"],
        )
        record["covers"].append(company)
        if rng.random() < 0.1:
            record["covers"].append(
                enterprise(Enterprise.Sector.NEW_ECONOMIC, area=company["area"])
            )

    # Joint federations (联合妇联) along a road or of one industry.
    joint_names: list[tuple[str, str, str]] = []
    for area, (_centre, roads) in AREAS.items():
        joint_names += [(f"{place_name(area, road)}联合妇联", area, road) for road in roads]
    for theme in JOINT_THEMES:
        for area in ("泰达街", "西区", "现代产业区", "逸仙园"):
            joint_names.append((f"{area}{theme}联合妇联", area, rng.choice(AREAS[area][1])))
    rng.shuffle(joint_names)
    for name, area, road in joint_names[: FEDERATIONS_BY_KIND[Federation.Kind.JOINT]]:
        federation(
            name,
            Federation.Kind.JOINT,
            area,
            short_name=name.removesuffix("联合妇联"),
            address=f"天津经济技术开发区{road}{rng.randint(1, 199)}号",
        )

    # Building federations (楼宇妇联).
    for building in BUILDINGS[: FEDERATIONS_BY_KIND[Federation.Kind.BUILDING]]:
        area = "泰达街" if "泰达" in building or "金融街" in building else rng.choice(AREA_NAMES)
        federation(
            f"{building}楼宇妇联",
            Federation.Kind.BUILDING,
            area,
            building=building,
            short_name=building,
        )

    # Online federations (网上妇联): a channel, no street address.
    for name, channel in ONLINE_FEDERATIONS[: FEDERATIONS_BY_KIND[Federation.Kind.ONLINE]]:
        federation(name, Federation.Kind.ONLINE, rng.choice(AREA_NAMES), channel=channel)

    # Industry and new-employment-group federations (行业/新就业群体妇联).
    for name in INDUSTRY_FEDERATIONS[: FEDERATIONS_BY_KIND[Federation.Kind.INDUSTRY]]:
        extra = {}
        if name == DRIVERS_NAME:
            extra["description"] = "全市首家网约车司机妇联，服务辖区无固定工作场所的网约车女司机。"
        federation(
            name,
            Federation.Kind.INDUSTRY,
            "泰达街" if name == DRIVERS_NAME else rng.choice(AREA_NAMES),
            **extra,
        )

    # Park and industrial-base federations (园区/产业基地妇联).
    for park in PARKS[: FEDERATIONS_BY_KIND[Federation.Kind.PARK]]:
        extra = {"building": park, "short_name": park}
        if park + "妇联" == PARK_NAME:
            extra["description"] = "裂变45个妇女小组，为园区创业女性提供孵化、融资等支持。"
        if park + "妇联" == LIVESTREAM_NAME:
            extra["description"] = "服务直播电商基地的主播、运营等新就业形态女性。"
        federation(
            f"{park}妇联",
            Federation.Kind.PARK,
            rng.choice(("泰达街", "西区", "逸仙园", "现代产业区")),
            **extra,
        )

    # Island-style federations (岛屿式妇联) for small scattered units.
    islands = [
        (f"{place_name(area, road)}沿线岛屿式妇联", area, road)
        for area, (_c, roads) in AREAS.items()
        for road in roads
    ]
    rng.shuffle(islands)
    for name, area, road in islands[: FEDERATIONS_BY_KIND[Federation.Kind.ISLAND]]:
        federation(
            name,
            Federation.Kind.ISLAND,
            area,
            address=f"天津经济技术开发区{road}{rng.randint(1, 199)}号",
        )

    for kind, count in FEDERATIONS_BY_KIND.items():
        planned = sum(1 for f in plan.federations if f["kind"] == kind)
        if planned != count:
            raise AssertionError(f"planned {planned} federations of kind {kind}, want {count}")

    # Coverage: joint/building/park federations cover many, industry and island ones a few.
    grassroots = [f for f in plan.federations if f["level"] == Federation.Level.GRASSROOTS]
    sizes = {
        Federation.Kind.JOINT: (5, 14),
        Federation.Kind.BUILDING: (4, 13),
        Federation.Kind.PARK: (3, 9),
        Federation.Kind.INDUSTRY: (1, 4),
        Federation.Kind.ISLAND: (2, 5),
        Federation.Kind.ONLINE: (0, 0),
    }
    wanted: dict[str, int] = {}
    for fed in grassroots:
        if fed["kind"] in sizes:
            low, high = sizes[fed["kind"]]
            wanted[fed["name"]] = rng.randint(low, high)
    wanted[PARK_NAME] = 58  # its 45 women's groups sit in 45 of these enterprises
    wanted[LIVESTREAM_NAME] = 32
    wanted[DRIVERS_NAME] = 6
    already = sum(len(f["covers"]) for f in grassroots)
    # Trim or grow the joint federations so that exactly COVERED_ENTERPRISES are covered.
    joints = [f["name"] for f in grassroots if f["kind"] == Federation.Kind.JOINT]
    index = 0
    while already + sum(wanted.values()) != COVERED_ENTERPRISES:
        step = 1 if already + sum(wanted.values()) < COVERED_ENTERPRISES else -1
        name = joints[index % len(joints)]
        if wanted[name] + step >= 3:
            wanted[name] += step
        index += 1
    for fed in grassroots:
        for _ in range(wanted.get(fed["name"], 0)):
            if fed["name"] == DRIVERS_NAME:
                sector = Enterprise.Sector.NEW_EMPLOYMENT
            elif fed["kind"] == Federation.Kind.INDUSTRY:
                sector = rng.choice(
                    (Enterprise.Sector.NEW_EMPLOYMENT, Enterprise.Sector.NEW_SOCIAL)
                )
            else:
                sector = any_sector()
            company = enterprise(sector, area=fed["area"])
            if fed.get("building"):
                company["building"] = fed["building"]
                if fed["kind"] == Federation.Kind.BUILDING:
                    company["address"] = (
                        f"天津经济技术开发区{fed['building']}{rng.randint(2, 28)}层"
                    )
            fed["covers"].append(company)
    for fed in grassroots:
        for company in fed["covers"]:
            company["federation"] = fed["name"]
            start = max(fed["established_on"], today - datetime.timedelta(days=3000))
            company["covered_since"] = start + datetime.timedelta(days=rng.randint(0, 200))
    # The rest of the network's enterprises are not covered yet.
    while len(plan.enterprises) < ENTERPRISES:
        enterprise(any_sector(), building=rng.choice(BUILDINGS) if rng.random() < 0.2 else "")

    # The survey (摸排): every covered enterprise and enough of the others.
    uncovered = [e for e in plan.enterprises if e["federation"] is None]
    to_survey = [e for e in plan.enterprises if e["federation"]] + uncovered[
        : SURVEYED_ENTERPRISES - COVERED_ENTERPRISES
    ]
    need_codes = [code for code, _name in NEEDS]
    for company in to_survey:
        company["surveyed_on"] = today - datetime.timedelta(days=rng.randint(30, 700))
        if rng.random() < 0.62:
            company["needs"] = sorted(
                set(rng.choices(need_codes, NEED_WEIGHTS, k=rng.randint(1, 3)))
            )
    for company in plan.enterprises:
        if company["has_party_org"] and company["federation"] and rng.random() < 0.25:
            company["party_org_formed_on"] = company["covered_since"] + datetime.timedelta(
                days=rng.randint(120, 600)
            )
        if company["name"] == PARTY_ORG_ENTERPRISE:
            company["party_org_formed_on"] = company["covered_since"] + datetime.timedelta(days=300)
        if company["party_org_formed_on"] and company["party_org_formed_on"] > today:
            company["party_org_formed_on"] = today - datetime.timedelta(days=10)

    # 泰达中小企业园妇联's 45 women's groups, each in one enterprise of the park.
    park = next(f for f in plan.federations if f["name"] == PARK_NAME)
    for company in park["covers"][:PARK_GROUPS]:
        plan.groups.append(
            {
                "name": f"泰达中小企业园{company['short']}妇女小组",
                "parent": PARK_NAME,
                "area": park["area"],
                "address": company["address"],
                "established_on": park["established_on"]
                + datetime.timedelta(days=rng.randint(30, 900)),
                "chair_name": person_name(rng),
                "contact_name": person_name(rng),
                "contact_phone": phone_number(rng),
                "member_count": rng.randint(5, 40),
                "description": f"设在{company['name']}，为园区创业女性提供孵化、融资对接等服务。",
            }
        )

    _plan_sites(plan, rng, grassroots)
    _plan_brands(plan, rng, today)
    _plan_activities(plan, rng, today)
    _plan_exemplars(plan, rng, today)
    plan.media_accounts = [
        {
            "name": "滨城女性",
            "platform": MediaAccount.Platform.WECHAT,
            "handle": "滨城女性",
            "position": 1,
        },
        {
            "name": "有你泰好",
            "platform": MediaAccount.Platform.VIDEO,
            "handle": "有你泰好",
            "position": 2,
        },
        {
            "name": "泰达女性",
            "platform": MediaAccount.Platform.DOUYIN,
            "handle": "泰达女性",
            "position": 3,
        },
        {
            "name": "天津经开区妇联",
            "platform": MediaAccount.Platform.WEIBO,
            "handle": "天津经开区妇联",
            "position": 4,
        },
    ]
    return _in_stored_form(plan)


def _plan_sites(plan: Plan, rng: random.Random, grassroots: list[dict]) -> None:
    by_kind: dict[str, list[dict]] = {}
    for fed in grassroots:
        by_kind.setdefault(fed["kind"], []).append(fed)
    offline = [f for f in grassroots if f["kind"] != Federation.Kind.ONLINE]
    named = {f["name"]: f for f in grassroots}
    hosts: dict[str, list[dict]] = {
        ServiceSite.Kind.WOMEN_HOME: [named[PARK_NAME], named[LIVESTREAM_NAME]]
        + rng.sample([f for f in offline if f["name"] not in (PARK_NAME, LIVESTREAM_NAME)], 118),
        ServiceSite.Kind.CHILDREN_HOME: [named[PARK_NAME]]
        + rng.sample(
            [
                f
                for f in offline
                if f["kind"] != Federation.Kind.INDUSTRY and f["name"] != PARK_NAME
            ],
            95,
        ),
        ServiceSite.Kind.MICRO_HOME: rng.sample(
            by_kind[Federation.Kind.ISLAND] + by_kind[Federation.Kind.BUILDING], 30
        ),
        ServiceSite.Kind.MOBILE_MICRO_HOME: [named[DRIVERS_NAME]] * 6
        + [named["快递从业人员妇联"], named["外卖配送员妇联"], named["货车司机妇联"]] * 2,
        ServiceSite.Kind.WARM_STATION: rng.sample(
            by_kind[Federation.Kind.INDUSTRY] + by_kind[Federation.Kind.JOINT], 30
        ),
        ServiceSite.Kind.CLOUD_STATION: by_kind[Federation.Kind.ONLINE][:8],
        ServiceSite.Kind.HEART_STATION: rng.sample(
            by_kind[Federation.Kind.PARK] + by_kind[Federation.Kind.JOINT], 16
        ),
        ServiceSite.Kind.INNOVATION_STUDIO: [named[n] for n in SINGLE_SEED_FEDERATIONS]
        + rng.sample(by_kind[Federation.Kind.SINGLE][4:], 11),
        ServiceSite.Kind.HEALTH_ISLAND: rng.sample(
            by_kind[Federation.Kind.SINGLE] + by_kind[Federation.Kind.PARK], 10
        ),
    }
    labels = dict(ServiceSite.Kind.choices)
    stops = ("泰达站", "西区站", "新城站", "南港站", "现代产业区站", "逸仙园站")
    used: set[str] = set()
    for kind, feds in hosts.items():
        assert len(feds) == SITES_BY_KIND[kind], kind
        for position, fed in enumerate(feds):
            label = str(labels[kind])
            if kind == ServiceSite.Kind.MOBILE_MICRO_HOME:
                name = f"{name_stem(fed['name'])}{label}（{stops[position % len(stops)]}）"
            elif kind == ServiceSite.Kind.CLOUD_STATION:
                name = f"{name_stem(fed['name'])}“云上”温馨驿站"
            else:
                name = f"{name_stem(fed['name'])}{label}"
            if name in used:
                name = f"{fed['area']}{name}"
            used.add(name)
            online = kind == ServiceSite.Kind.CLOUD_STATION
            mobile = kind == ServiceSite.Kind.MOBILE_MICRO_HOME
            area = fed["area"]
            latitude, longitude = (None, None) if online else area_coords(rng, area)
            services = list(SITE_SERVICES[kind])
            rng.shuffle(services)
            hours: list[tuple[int, datetime.time, datetime.time]] = []
            if mobile:
                for weekday in (1, 3):
                    hours.append((weekday, datetime.time(10), datetime.time(15)))
            elif not online:
                split = rng.random() < 0.6
                for weekday in range(5):
                    if split:
                        hours.append((weekday, datetime.time(9), datetime.time(11, 30)))
                        hours.append((weekday, datetime.time(13, 30), datetime.time(17, 30)))
                    else:
                        hours.append((weekday, datetime.time(9), datetime.time(17)))
                if rng.random() < 0.3:
                    hours.append((5, datetime.time(9), datetime.time(12)))
            note = rng.choice(SITE_NOTES) if rng.random() < 0.35 else ""
            if mobile:
                note = "每周二、周四停靠，停靠点以公众号通知为准。"
            plan.sites.append(
                {
                    "name": name,
                    "kind": kind,
                    "federation": fed["name"],
                    "area": area,
                    "address": ""
                    if online
                    else (
                        f"{stops[position % len(stops)].removesuffix('站')}片区流动停靠点"
                        if mobile
                        else fed["address"] or street_address(rng, area)
                    ),
                    "latitude": latitude,
                    "longitude": longitude,
                    "hours_note": note,
                    "services": "\n".join(services[: rng.randint(3, len(services))]),
                    "is_online": online,
                    "is_mobile": mobile,
                    "public_phone": "" if online else phone_number(rng),
                    "established_on": fed["established_on"]
                    + datetime.timedelta(days=rng.randint(30, 360)),
                    "description": (
                        f"依托{fed['channel']}开展线上服务，姐妹们足不出户即可咨询、学习。"
                        if online
                        else f"由{fed['name']}主办的{label}，就近为“三新”领域女性和家庭提供服务。"
                    ),
                    "hours": hours,
                }
            )


def _plan_brands(plan: Plan, rng: random.Random, today: datetime.date) -> None:
    master = "有你泰好"
    brands = [
        (master, "youni-taihao", None, Brand.Focus.OTHER, "有你泰好，幸福相伴", False),
        (
            "泰达儿童之家",
            CHILDREN_HOME_SLUG,
            master,
            Brand.Focus.CHILDCARE,
            "职工子女托管，解除后顾之忧",
            False,
        ),
        (
            "为爱而来",
            MATCHMAKING_SLUG,
            master,
            Brand.Focus.MATCHMAKING,
            "为“三新”领域单身青年搭桥",
            True,
        ),
        (
            "巾帼科创营",
            "sci-tech-camp",
            master,
            Brand.Focus.ENTREPRENEURSHIP,
            "助力女性科技创业",
            False,
        ),
        (
            "女职工健康安全岛",
            "health-island",
            master,
            Brand.Focus.HEALTH,
            "守护女职工健康与安全",
            False,
        ),
        (
            "泰达女子排球训练营",
            "volleyball-camp",
            master,
            Brand.Focus.SPORTS,
            "在运动中绽放",
            False,
        ),
        (
            "巾帼创新工作室",
            "innovation-studio",
            master,
            Brand.Focus.ENTREPRENEURSHIP,
            "巾帼建功，创新争先",
            False,
        ),
        ("心悦驿站", "heart-station", master, Brand.Focus.COUNSELLING, "倾听你的心声", False),
    ]
    descriptions = {
        "youni-taihao": "群团“有你泰好”主品牌服务进基层，统领经开区妇联各项品牌服务。",
        CHILDREN_HOME_SLUG: "首创“有你泰好——泰达儿童之家”职工子女托管班孵化项目，在寒暑假为职工子女提供托管服务，"
        "并孵化基层职工子女托管班。",
        MATCHMAKING_SLUG: "为“三新”领域单身青年定制交友活动，助力人才扎根新区。参与者信息严格保密。",
        "sci-tech-camp": "为创业女性提供项目路演、资源对接和创业辅导。",
        "health-island": "在企业设立女职工健康安全岛，提供健康讲座、筛查宣传和职业安全培训。",
        "volleyball-camp": "组织女职工排球训练和联谊赛，丰富“三新”领域女性文体生活。",
        "innovation-studio": "以巾帼创新工作室为平台，带动女职工技术攻关和创新创效。",
        "heart-station": "提供心理咨询、情绪疏导和婚姻家庭辅导。",
    }
    for position, (name, slug, parent, focus, tagline, matchmaking) in enumerate(brands):
        plan.brands.append(
            {
                "name": name,
                "slug": slug,
                "parent": parent,
                "focus": focus,
                "tagline": tagline,
                "description": descriptions[slug],
                "is_matchmaking": matchmaking,
                "session_unit": Brand.Unit.EVENT if matchmaking else Brand.Unit.PERIOD,
                "position": position,
                "launched_on": today.replace(
                    year=today.year - (10 if slug == CHILDREN_HOME_SLUG else 6), month=3, day=8
                ),
                "services": "\n".join(SITE_SERVICES[ServiceSite.Kind.CHILDREN_HOME][:3])
                if slug == CHILDREN_HOME_SLUG
                else "",
            }
        )
    children_sites = [s["name"] for s in plan.sites if s["kind"] == ServiceSite.Kind.CHILDREN_HOME]

    # 泰达儿童之家: one session each winter and summer holiday, the 21 most recent ones.
    holidays: list[tuple[datetime.date, datetime.date, str]] = []
    year = today.year
    while len(holidays) < CHILDREN_HOME_SESSIONS:
        for start, end, label in (
            (datetime.date(year, 7, 8), datetime.date(year, 8, 23), "暑期"),
            (datetime.date(year, 1, 20), datetime.date(year, 2, 22), "寒假"),
        ):
            if end < today and len(holidays) < CHILDREN_HOME_SESSIONS:
                holidays.append((start, end, f"{year}年{label}托管班"))
        year -= 1
    holidays.reverse()
    families = _split(rng, CHILDREN_HOME_FAMILIES, CHILDREN_HOME_SESSIONS, low=25)
    companies = _split(rng, CHILDREN_HOME_ENTERPRISES, CHILDREN_HOME_SESSIONS, low=2)
    incubated = {8, 14, 19}
    assert len(incubated) == CHILDREN_HOME_CLASSES
    for number, (start, end, title) in enumerate(holidays, start=1):
        plan.sessions.append(
            {
                "brand": CHILDREN_HOME_SLUG,
                "number": number,
                "title": title,
                "starts_on": start,
                "ends_on": end,
                "site": children_sites[number % len(children_sites)],
                "federation": DISTRICT_NAME,
                "participants": families[number - 1] + rng.randint(0, 20),
                "families": families[number - 1],
                "enterprises": companies[number - 1],
                "classes_incubated": int(number in incubated),
                "couples": 0,
                "summary": f"本期托管班服务职工子女{families[number - 1]}名，覆盖{companies[number - 1]}家企业的职工家庭。"
                + ("本期孵化一家基层职工子女托管班。" if number in incubated else ""),
            }
        )

    # 为爱而来: events spread over about five years; only figures, never a participant's identity.
    themes = (
        "春日徒步",
        "七夕专场",
        "生物医药青年专场",
        "读书分享会",
        "户外烧烤",
        "桌游联谊",
        "手作体验",
        "音乐沙龙",
        "海滨骑行",
        "冬日暖心",
    )
    couples = _split(rng, MATCHMAKING_COUPLES, MATCHMAKING_EVENTS, low=1)
    for number in range(1, MATCHMAKING_EVENTS + 1):
        day = today - datetime.timedelta(days=(MATCHMAKING_EVENTS - number) * 16 + 20)
        plan.sessions.append(
            {
                "brand": MATCHMAKING_SLUG,
                "number": number,
                "title": f"为爱而来第{number}场·{themes[number % len(themes)]}",
                "starts_on": day,
                "ends_on": day,
                "site": None,
                "federation": DISTRICT_NAME,
                "participants": rng.randint(40, 120),
                "families": 0,
                "enterprises": rng.randint(5, 30),
                "classes_incubated": 0,
                "couples": couples[number - 1],
                "summary": "活动为“三新”领域单身青年提供交流机会，参与者信息严格保密。",
            }
        )

    others = {
        "sci-tech-camp": 5,
        "health-island": 4,
        "volleyball-camp": 6,
        "innovation-studio": 3,
        "heart-station": 4,
    }
    names = {b["slug"]: b["name"] for b in plan.brands}
    for slug, count in others.items():
        for number in range(1, count + 1):
            start = today - datetime.timedelta(days=(count - number) * 120 + 40)
            plan.sessions.append(
                {
                    "brand": slug,
                    "number": number,
                    "title": f"{names[slug]}第{number}期",
                    "starts_on": start,
                    "ends_on": start + datetime.timedelta(days=rng.randint(0, 3)),
                    "site": None,
                    "federation": DISTRICT_NAME,
                    "participants": rng.randint(20, 90),
                    "families": 0,
                    "enterprises": rng.randint(3, 25),
                    "classes_incubated": 0,
                    "couples": 0,
                    "summary": f"{names[slug]}第{number}期顺利举办。",
                }
            )


def _split(rng: random.Random, total: int, parts: int, *, low: int) -> list[int]:
    """``parts`` positive integers of at least ``low`` that add up to ``total`` exactly."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    spare = total - low * parts
    values = [low + int(spare * w / sum(weights)) for w in weights]
    for i in range(total - sum(values)):
        values[i % parts] += 1
    return values


def _plan_activities(plan: Plan, rng: random.Random, today: datetime.date) -> None:
    plan.series = [
        {
            "name": "巾帼“云课堂”",
            "slug": "cloud-class",
            "description": "线上课程：家庭教育、健康、法律、职场技能等。",
        },
        {
            "name": "巾帼心向党",
            "slug": "heart-to-party",
            "description": "线下“巾帼心向党”系列思想引领活动。",
        },
        {
            "name": "巾帼建功行动",
            "slug": "merit-action",
            "description": "新时代新女性新作为“巾帼建功行动”。",
        },
        {
            "name": "送温暖",
            "slug": "send-warmth",
            "description": "在重要时间节点深入“三新”领域走访慰问。",
        },
        {
            "name": "巾帼志愿服务",
            "slug": "volunteer",
            "description": "“三新”领域女性志愿服务活动。",
        },
        {
            "name": "文艺交流",
            "slug": "culture",
            "description": "文艺交流活动，提升女性社会参与度。",
        },
    ]
    offline_feds = [
        f
        for f in plan.federations
        if f["level"] == Federation.Level.GRASSROOTS and f["kind"] != Federation.Kind.ONLINE
    ]
    online_feds = [f for f in plan.federations if f["kind"] == Federation.Kind.ONLINE]
    sites_of: dict[str, list[str]] = {}
    for site in plan.sites:
        if not site["is_online"]:
            sites_of.setdefault(site["federation"], []).append(site["name"])
    with_sites = [f for f in offline_feds if f["name"] in sites_of]
    titles: set[str] = set()

    def add(
        series: str | None,
        category: str,
        topic: str,
        organizer: dict,
        day: datetime.date,
        fmt: str,
        title: str = "",
        **extra,
    ) -> dict:
        if title:
            pass
        elif series == "heart-to-party":
            title = f"“巾帼心向党”｜{organizer['name']}开展{topic}活动"
        elif series == "cloud-class":
            title = f"巾帼“云课堂”｜{topic}（{day.month}月{day.day}日）"
        else:
            title = f"{organizer['name']}开展{topic}活动"
        while title in titles:
            title += "（续）"
        titles.add(title)
        hour = rng.choice((9, 10, 14, 15, 19)) if fmt != Activity.Format.ONLINE else 19
        starts = local_time(day, hour, rng.choice((0, 30)))
        upcoming = day > today
        site = (
            rng.choice(sites_of[organizer["name"]])
            if organizer["name"] in sites_of and fmt != Activity.Format.ONLINE
            else None
        )
        record = {
            "title": title,
            "category": category,
            "format": fmt,
            "series": series,
            "organizer": organizer["name"],
            "site": site,
            "brand": None,
            "brand_session": None,
            "location": "" if site or fmt == Activity.Format.ONLINE else organizer["address"],
            "starts_at": starts,
            "ends_at": starts + datetime.timedelta(hours=rng.choice((1, 2, 2, 3))),
            "participants": None if upcoming else rng.randint(15, 160),
            "description": f"{organizer['name']}组织“三新”领域女性参加{topic}。",
            "upcoming": upcoming,
            "topic": topic,
        }
        record.update(extra)
        plan.activities.append(record)
        return record

    def day_between(back: int, forward: int = 0) -> datetime.date:
        """A past day up to ``back`` days ago, or (when ``forward``) an upcoming one."""
        if forward > 0:
            return today + datetime.timedelta(days=rng.randint(3, forward))
        return today - datetime.timedelta(days=rng.randint(3, back))

    for i in range(HEART_TO_PARTY_ACTIVITIES):
        add(
            "heart-to-party",
            Activity.Category.GUIDANCE,
            HEART_TOPICS[i % len(HEART_TOPICS)],
            rng.choice(with_sites),
            day_between(720, 40 if i % 15 == 0 else 0),
            Activity.Format.OFFLINE,
        )
    district = plan.federations[0]
    for i in range(64):
        topic = CLOUD_TOPICS[i % len(CLOUD_TOPICS)]
        category = Activity.Category.EMPOWERMENT if i % 3 else Activity.Category.URGENT_NEEDS
        add(
            "cloud-class",
            category,
            topic,
            district if i % 4 else rng.choice(online_feds),
            day_between(700, 30 if i % 10 == 0 else 0),
            Activity.Format.ONLINE,
        )
    for i in range(24):
        add(
            "merit-action",
            Activity.Category.EMPOWERMENT,
            MERIT_TOPICS[i % len(MERIT_TOPICS)],
            rng.choice(with_sites),
            day_between(720),
            Activity.Format.OFFLINE,
        )
    for year in (today.year - 2, today.year - 1, today.year):
        for month, topic in WARMTH_TOPICS.items():
            for _ in range(2):
                day = datetime.date(year, month, rng.randint(5, 25))
                if (today - day).days > 730 or (day - today).days > 40:
                    continue
                add(
                    "send-warmth",
                    Activity.Category.CARE,
                    topic,
                    rng.choice(with_sites),
                    day,
                    Activity.Format.OFFLINE,
                )
    for i in range(22):
        add(
            "volunteer",
            Activity.Category.VOLUNTEER,
            VOLUNTEER_TOPICS[i % len(VOLUNTEER_TOPICS)],
            rng.choice(with_sites),
            day_between(720, 20 if i % 7 == 0 else 0),
            Activity.Format.OFFLINE,
        )
    for i in range(18):
        add(
            "culture",
            Activity.Category.CULTURE,
            CULTURE_TOPICS[i % len(CULTURE_TOPICS)],
            rng.choice(with_sites),
            day_between(720),
            Activity.Format.HYBRID if i % 5 == 0 else Activity.Format.OFFLINE,
        )
    for i in range(30):
        add(
            None,
            Activity.Category.URGENT_NEEDS,
            NEEDS_TOPICS[i % len(NEEDS_TOPICS)],
            rng.choice(with_sites),
            day_between(720, 25 if i % 9 == 0 else 0),
            Activity.Format.OFFLINE,
        )
    # The recent brand sessions are activities too (for the calendar and the news).
    for session in plan.sessions:
        if (
            session["brand"] in (CHILDREN_HOME_SLUG, MATCHMAKING_SLUG)
            and (today - session["starts_on"]).days < 400
        ):
            brand_name = next(b["name"] for b in plan.brands if b["slug"] == session["brand"])
            record = add(
                None,
                Activity.Category.URGENT_NEEDS,
                session["title"],
                district,
                session["starts_on"],
                Activity.Format.OFFLINE,
                title=f"“有你泰好”{brand_name}｜{session['title']}",
                brand=session["brand"],
                brand_session=(session["brand"], session["number"]),
                site=session["site"],
                participants=session["participants"],
            )
            record["location"] = "" if record["site"] else "泰达时代中心多功能厅"

    # News: published articles for PUBLISHED_ACTIVITY_ARTICLES past activities, and the workflow's other states.
    # The latest sessions of each brand get a brand article (below), linked to their activity.
    last = {CHILDREN_HOME_SLUG: 3, MATCHMAKING_SLUG: 4}
    brand_sessions = []
    for brand in plan.brands[1:]:
        sessions = [s for s in plan.sessions if s["brand"] == brand["slug"]]
        brand_sessions += [(brand, s) for s in sessions[-last.get(brand["slug"], 1) :]]
    if len(brand_sessions) != BRAND_ARTICLES:
        raise AssertionError(f"planned {len(brand_sessions)} brand articles, want {BRAND_ARTICLES}")
    with_brand_article = {(s["brand"], s["number"]) for _b, s in brand_sessions}
    past = [
        a
        for a in plan.activities
        if not a["upcoming"]
        and (today - a["starts_at"].date()).days >= 3
        and a["brand_session"] not in with_brand_article
    ]
    chosen = rng.sample(past, PUBLISHED_ACTIVITY_ARTICLES)
    chosen.sort(key=lambda a: a["starts_at"])
    staff_feds = {PARK_NAME, DRIVERS_NAME}
    for activity in chosen:
        _article(
            plan,
            rng,
            activity,
            Article.Status.PUBLISHED,
            activity["starts_at"] + datetime.timedelta(days=1, hours=rng.randint(0, 20)),
        )
    activity_of = {a["brand_session"]: a["title"] for a in plan.activities if a["brand_session"]}
    for brand, session in brand_sessions:
        published = local_time(session["ends_on"] or session["starts_on"], 18) + datetime.timedelta(
            days=1
        )
        published = min(published, local_time(today - datetime.timedelta(days=1), 10))
        _article(plan, rng, None, Article.Status.PUBLISHED, published, brand=brand, session=session)
        plan.articles[-1]["activity"] = activity_of.get((session["brand"], session["number"]))
    # Drafts and articles in review, some by the two demo staff federations.
    named = {f["name"]: f for f in offline_feds}
    staff_activities = [
        add(
            None,
            category,
            topic,
            named[fed],
            today - datetime.timedelta(days=rng.randint(4, 20)),
            Activity.Format.OFFLINE,
        )
        for fed, category, topic in (
            (PARK_NAME, Activity.Category.EMPOWERMENT, "创业女性融资对接会"),
            (DRIVERS_NAME, Activity.Category.URGENT_NEEDS, "网约车女司机健康体检"),
            (PARK_NAME, Activity.Category.EMPOWERMENT, "园区女性创业沙龙"),
            (DRIVERS_NAME, Activity.Category.URGENT_NEEDS, "网约车女司机安全驾驶培训"),
        )
    ]
    in_progress = [a for a in past if a not in chosen]
    rng.shuffle(in_progress)
    for status, count in (
        (Article.Status.DRAFT, 6),
        (Article.Status.SUBMITTED, 4),
        (Article.Status.UNPUBLISHED, 2),
    ):
        for i in range(count):
            if i < 2 and status != Article.Status.UNPUBLISHED:
                activity = staff_activities.pop(0)
            else:
                activity = in_progress.pop()
            published = (
                activity["starts_at"] + datetime.timedelta(days=2)
                if status == Article.Status.UNPUBLISHED
                else None
            )
            _article(plan, rng, activity, status, published)
    # One scheduled for the future: published, but not public until its time.
    upcoming = next(a for a in plan.activities if a["upcoming"])
    _article(
        plan,
        rng,
        upcoming,
        Article.Status.PUBLISHED,
        local_time(today + datetime.timedelta(days=3), 9),
        preview=True,
    )
    for article in plan.articles:
        article["staff"] = article["federation"] in staff_feds


def _article(
    plan: Plan,
    rng: random.Random,
    activity: dict | None,
    status: str,
    publish_at,
    *,
    brand: dict | None = None,
    session: dict | None = None,
    preview: bool = False,
) -> None:
    if activity:
        organizer = activity["organizer"]
        topic = activity["topic"]
        title = (
            activity["title"].replace("开展", "举办", 1)
            if not preview
            else f"预告｜{activity['title']}"
        )
        people = activity["participants"] or rng.randint(30, 80)
        place = activity["site"] or activity["location"] or "线上直播间"
    else:
        organizer = DISTRICT_NAME
        topic = session["title"]
        title = (
            session["title"]
            if session["title"].startswith(brand["name"])
            else f"{brand['name']} {session['title']}"
        )
        title = f"“有你泰好”｜{title}"
        people = session["participants"]
        place = session["site"] or "泰达时代中心"
    day = activity["starts_at"].date() if activity else session["starts_on"]
    paragraphs = [
        f"{cn_date(day)}，{organizer}在{place}开展“{topic}”活动，{people}名“三新”领域女性参加。",
        CATEGORY_PARAGRAPHS.get(
            activity["category"] if activity else "", CATEGORY_PARAGRAPHS["needs"]
        ),
        rng.choice(
            (
                "活动围绕女性职工关心的实际问题设计，既有专题讲解，也有互动交流，现场气氛热烈。",
                "活动通过主题分享、互动问答和经验交流等环节，引导大家在各自岗位上建功立业。",
                "参加活动的姐妹们纷纷表示，活动内容贴近工作和生活，收获满满。",
            )
        ),
        rng.choice(
            (
                "下一步，将继续把“有你泰好”品牌服务送到基层，让妇女工作更具特色、更有温度。",
                "经开区妇联将持续推动“三新”领域妇联组织有形有效覆盖，更好地服务女性和家庭。",
                "今后还将结合女性需求，常态化开展思想引领、迫切需求和赋能提升类活动。",
            )
        ),
    ]
    if brand and brand["is_matchmaking"]:
        paragraphs[0] = (
            f"{cn_date(day)}，“为爱而来”相亲交友活动举办，{people}名“三新”领域单身青年参加。"
        )
        paragraphs.insert(1, "为保护隐私，活动不公开任何参与者的个人信息。")
    if brand and brand["slug"] == CHILDREN_HOME_SLUG:
        paragraphs.insert(
            1,
            f"本期托管班服务职工家庭{session['families']}组，受惠企业{session['enterprises']}家。",
        )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    number = len(plan.articles) + 1
    photos = (
        []
        if status == Article.Status.SUBMITTED and number % 2
        else [
            {
                "name": f"photos/demo/article-{number:03d}-{k}.jpg",
                "caption": rng.choice(PHOTO_CAPTIONS),
                "position": k,
            }
            for k in range(1, rng.randint(1, 4) + 1)
        ]
    )
    plan.articles.append(
        {
            "title": title,
            "summary": paragraphs[0][:120],
            "body": body,
            "status": status,
            "publish_at": publish_at,
            "federation": organizer,
            "activity": activity["title"] if activity else None,
            "brand": brand["slug"] if brand else (activity["brand"] if activity else None),
            "source": "滨城女性",
            "editor": rng.choice(EDITORS),
            "proofreader": rng.choice(PROOFREADERS),
            "photos": photos,
        }
    )


def _plan_exemplars(plan: Plan, rng: random.Random, today: datetime.date) -> None:
    honours = list(Exemplar.Honour)
    collective_honours = {Exemplar.Honour.CIVILISED_POST, Exemplar.Honour.RED_FLAG_COLLECTIVE}
    covered = [e for e in plan.enterprises if e["federation"]]
    titles = (
        "研发工程师",
        "质量主管",
        "车间班组长",
        "人力资源经理",
        "创业者",
        "网约车司机",
        "快递员",
        "社工",
        "财务主管",
        "项目经理",
    )
    posts = ("研发中心", "质量部", "客户服务中心", "生产车间", "财务部")
    keys: set[tuple] = set()
    without_consent = set(rng.sample(range(EXEMPLARS), EXEMPLARS_WITHOUT_CONSENT))
    while len(plan.exemplars) < EXEMPLARS:
        i = len(plan.exemplars)
        honour = honours[i % len(honours)]
        year = today.year - 1 - rng.randint(0, 4)
        company = rng.choice(covered)
        if honour in collective_honours:
            kind, name, title = (
                Exemplar.Kind.COLLECTIVE,
                f"{company['short']}{rng.choice(posts)}",
                "",
            )
        elif honour == Exemplar.Honour.MOST_BEAUTIFUL_FAMILY:
            kind, title = Exemplar.Kind.COLLECTIVE, ""
            company = {**company, "name": ""}  # a family has no workplace
            name = f"{person_name(rng)}家庭"
        else:
            kind, name, title = Exemplar.Kind.PERSON, person_name(rng), rng.choice(titles)
        if (name, honour, year) in keys:
            continue
        keys.add((name, honour, year))
        consent = i not in without_consent
        label = Exemplar.Honour(honour).label
        plan.exemplars.append(
            {
                "name": name,
                "kind": kind,
                "honour": honour,
                "year": year,
                "workplace": company["name"],
                "title": title,
                "federation": company["federation"],
                "story": f"<p>{name}立足岗位、勇于创新，在“巾帼建功行动”中表现突出，{year}年获评“{label}”。</p>"
                "<p>工作中发挥示范带动作用，热心参与妇联组织的志愿服务和关爱活动，带动身边姐妹见贤思齐、奋勇争先。</p>",
                "consent_to_publish": consent,
                "consent_recorded_on": datetime.date(year, rng.randint(3, 12), rng.randint(1, 28))
                if consent
                else None,
            }
        )
