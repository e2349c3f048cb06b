"""Demo data at the seed's scale: the network the district federation's report describes.

Everything is generated from a fixed random seed, so every run plans the same records; dates are
relative to the day of loading, so the demo always has recent news and upcoming activities.
Loading is idempotent: each record has a natural key (a name, a credit code, a slug, a session
number, …) and only the records whose key is missing are created, together with their children.
Existing records are never changed, so a second run writes nothing, and an edit made in the admin
survives a re-run. Photos are real JPEGs drawn with Pillow under deterministic names; a file that
already exists is not written again.

The figures below are the seed's (``shared/seed``); the tests assert them against the database.
"""

from __future__ import annotations

import datetime
import enum
import functools
import io
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone
from PIL import Image, ImageDraw, ImageOps
from simple_history.utils import bulk_create_with_history

from activities.models import Activity, Article, ArticleTransition, Exemplar, Photo, Series
from brands.models import Brand, BrandSession
from federation import roles
from organizations.models import (
    Enterprise,
    Federation,
    MediaAccount,
    Need,
    OpeningHours,
    ServiceSite,
)
from organizations.validators import credit_code_check_char

RANDOM_SEED = 20_240_741
CHANGE_REASON = "seed_demo 演示数据"
TZ = ZoneInfo("Asia/Shanghai")

# --- The seed's figures, reproduced exactly --------------------------------------------------
DISTRICT_NAME = "天津经开区妇联"
PARK_NAME = "泰达中小企业园妇联"
DRIVERS_NAME = "网约车司机妇联"
LIVESTREAM_NAME = "抖音直播生态产业基地妇联"
PARTY_ORG_ENTERPRISE = "橙意家人科技(天津)有限公司"
SINGLE_SEED_FEDERATIONS = ("凯莱英医药集团妇联", "深之蓝海洋科技妇联", "云圣智能妇联")

FEDERATIONS_BY_KIND = {
    Federation.Kind.SINGLE: 472,
    Federation.Kind.JOINT: 88,
    Federation.Kind.BUILDING: 64,
    Federation.Kind.ONLINE: 24,
    Federation.Kind.INDUSTRY: 22,
    Federation.Kind.PARK: 31,
    Federation.Kind.ISLAND: 40,
}
GRASSROOTS_FEDERATIONS = sum(FEDERATIONS_BY_KIND.values())  # 741
PARK_GROUPS = 45  # 泰达中小企业园妇联裂变45个妇女小组; no other federation has groups
ENTERPRISES = 4_260
SURVEYED_ENTERPRISES = 4_100  # 摸排4000余家
COVERED_ENTERPRISES = 2_046  # 覆盖2000余家; every covered enterprise was surveyed
SITES_BY_KIND = {
    ServiceSite.Kind.WOMEN_HOME: 120,
    ServiceSite.Kind.CHILDREN_HOME: 96,
    ServiceSite.Kind.MICRO_HOME: 30,
    ServiceSite.Kind.MOBILE_MICRO_HOME: 12,
    ServiceSite.Kind.WARM_STATION: 30,
    ServiceSite.Kind.CLOUD_STATION: 8,
    ServiceSite.Kind.HEART_STATION: 16,
    ServiceSite.Kind.INNOVATION_STUDIO: 14,
    ServiceSite.Kind.HEALTH_ISLAND: 10,
}
SERVICE_SITES = sum(SITES_BY_KIND.values())  # 336
EXEMPLARS = 224
EXEMPLARS_WITHOUT_CONSENT = 19
CHILDREN_HOME_SLUG = "children-home"
CHILDREN_HOME_SESSIONS = 21
CHILDREN_HOME_CLASSES = 3
CHILDREN_HOME_FAMILIES = 1_026
CHILDREN_HOME_ENTERPRISES = 108
MATCHMAKING_SLUG = "for-love"
MATCHMAKING_EVENTS = 112
MATCHMAKING_COUPLES = 612
HEART_TO_PARTY_ACTIVITIES = 126  # “巾帼心向党”系列活动百余场
PUBLISHED_ACTIVITY_ARTICLES = 120
BRAND_ARTICLES = 12

# Demo accounts, exactly as README.md lists them: (username, password, role, federation, name).
DEMO_ACCOUNTS = (
    ("admin", "teda-admin-2024", roles.DISTRICT_ADMIN, None, "区妇联管理员"),
    ("editor", "teda-editor-2024", roles.DISTRICT_EDITOR, None, "区妇联编辑"),
    ("staff_park", "teda-staff-2024", roles.FEDERATION_STAFF, PARK_NAME, "中小企业园妇联专干"),
    ("staff_drivers", "teda-staff-2024", roles.FEDERATION_STAFF, DRIVERS_NAME, "网约车司机妇联专干"),
    ("viewer", "teda-viewer-2024", roles.VIEWER, None, "只读用户"),
)

# --- Vocabulary -------------------------------------------------------------------------------
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "丽静敏燕艳娟霞芳娜婷雪慧琳颖倩洁佳悦欣怡晶璐萍红玲丹蕾梅莉楠晨雯薇瑶萱岚蓉"
CORE_FIRST = "华泰瑞博海鑫诺康安达信联智卓远恒宏晟嘉睿正天中新金汇德凯盛志景明欣源科普英易云启"
CORE_SECOND = "邦源德创禾铭航川峰宇辰翔瀚和誉润途杰合昊朗驰思维拓微纳星蓝谷芯能致"

# (name part, short part, industry label)
ECONOMIC_INDUSTRIES = (
    ("生物医药科技", "生物", "生物医药"),
    ("医疗器械", "医疗", "医疗器械"),
    ("信息技术", "信息", "软件和信息技术服务"),
    ("网络科技", "网络", "互联网服务"),
    ("智能科技", "智能", "人工智能"),
    ("智能装备", "装备", "智能制造"),
    ("新材料科技", "材料", "新材料"),
    ("新能源科技", "新能源", "新能源"),
    ("汽车零部件", "汽配", "汽车制造"),
    ("电子科技", "电子", "电子信息"),
    ("供应链管理", "供应链", "现代物流"),
    ("文化传媒", "传媒", "文化创意"),
    ("电子商务", "电商", "电子商务"),
    ("检测技术", "检测", "检验检测"),
    ("企业管理咨询", "咨询", "商务服务"),
    ("人力资源服务", "人力", "人力资源服务"),
    ("环保科技", "环保", "节能环保"),
    ("海洋科技", "海洋", "海洋经济"),
    ("教育科技", "教育", "教育培训"),
    ("融资租赁", "租赁", "金融服务"),
)
# (name form, short part, industry, credit-code prefix: 52 民办非企业单位, 31 律师事务所, 91 企业)
SOCIAL_FORMS = (
    ("天津经济技术开发区{core}社会工作服务中心", "社工", "社会工作", "52"),
    ("天津{core}律师事务所", "律所", "法律服务", "31"),
    ("天津{core}会计师事务所(普通合伙)", "会计", "会计服务", "91"),
    ("天津经济技术开发区{core}青少年发展服务中心", "青少年服务", "社会服务", "52"),
    ("天津经济技术开发区{core}养老服务中心", "养老", "养老服务", "52"),
)
EMPLOYMENT_FORMS = (
    ("天津{core}汽车租赁服务有限公司", "出行", "网约车运营"),
    ("天津{core}快递服务有限公司", "快递", "快递物流"),
    ("天津{core}同城配送服务有限公司", "配送", "即时配送"),
    ("天津{core}家政服务有限公司", "家政", "家政服务"),
    ("天津{core}货运代理有限公司", "货运", "道路货运"),
)

# Areas of TEDA with a centre inside the development area (about 38.95–39.10 N, 117.60–117.80 E).
AREAS = {
    "泰达街": ((39.045, 117.705), ("第一大街", "第二大街", "第三大街", "第五大街", "第七大街", "第九大街", "第十一大街", "第十三大街", "泰达大街", "宏达街", "洞庭路", "黄海路", "南海路", "北海路", "东海路")),
    "新城": ((39.075, 117.690), ("新城西路", "新城东路", "睦宁路", "晓园街", "广场东路")),
    "西区": ((39.085, 117.625), ("中南五街", "中南七街", "新业八街", "新业九街", "新环北街", "滨海西大道")),
    "南港": ((38.970, 117.765), ("港北大道", "南港一街", "南港三街", "海港路")),
    "现代产业区": ((39.010, 117.645), ("潮阳路", "太湖路", "黄山路", "衡山路")),
    "逸仙园": ((39.060, 117.650), ("逸仙大道", "瑞安街", "新港路")),
    "中区": ((39.030, 117.675), ("中区一街", "中区三街", "汉港路")),
}
AREA_NAMES = tuple(AREAS)
BUILDINGS = (
    [f"泰达MSD-{block}{n}座" for block in "ABCDEFGH" for n in (1, 2, 3)]
    + [f"滨海金融街E{n}座" for n in range(1, 9)]
    + [f"泰达国际创业中心{block}座" for block in "ABCDEF"]
    + [f"泰达服务外包产业园{n}号楼" for n in range(1, 11)]
    + [f"泰达广场{block}座" for block in "ABCD"]
    + [f"科技东路创新大厦{block}座" for block in "ABCD"]
    + ["泰达时代中心", "泰丰工业园综合楼", "滨海科技大厦", "泰达智慧城A座", "泰达智慧城B座",
       "西区创业大厦", "南港综合服务中心", "逸仙园科技楼"]
)
PARKS = (
    PARK_NAME.removesuffix("妇联"),
    LIVESTREAM_NAME.removesuffix("妇联"),
    "泰达服务外包产业园", "逸仙科学工业园", "泰达生物医药产业园", "西区汽车产业园",
    "南港化工新材料产业园", "泰达智能制造产业园", "泰达国际创业中心", "泰达海洋科技产业园",
    "现代产业区新能源产业园", "泰达电子信息产业园", "泰达细胞谷", "中区食品产业园",
    "泰达数字经济产业园", "泰达文化创意产业园", "西区高端装备产业园", "泰达人才创业园",
    "南港物流园", "泰达跨境电商产业园", "泰达医疗器械产业园", "泰达检验检测认证园",
    "逸仙园智能网联汽车产业园", "泰达创新创业园", "西区新材料产业园", "泰达航空配套产业园",
    "现代产业区装备制造园", "泰达软件园", "泰达金融服务产业园", "南港氢能产业园",
    "泰达留学人员创业园",
)
INDUSTRY_FEDERATIONS = (
    DRIVERS_NAME, "快递从业人员妇联", "外卖配送员妇联", "货车司机妇联", "家政服务业妇联",
    "物业服务行业妇联", "律师行业妇联", "会计师行业妇联", "社会工作者妇联", "网络主播行业妇联",
    "保险代理人妇联", "美容美发行业妇联", "母婴护理行业妇联", "餐饮行业妇联", "商贸零售行业妇联",
    "新媒体从业人员妇联", "健身教练行业妇联", "心理咨询师行业妇联", "培训教育行业妇联",
    "酒店服务业妇联", "跨境电商从业人员妇联", "网约配送站点妇联",
)
ONLINE_FEDERATIONS = (
    ("泰达电商女性网上妇联", "微信群“泰达电商姐妹”"),
    ("泰达自由职业者网上妇联", "企业微信社群“泰达自由职业者之家”"),
    ("泰达主播网上妇联", "抖音群聊“泰达主播姐妹团”"),
    ("滨城宝妈网上妇联", "微信群“滨城宝妈互助”"),
    ("泰达女性创业者网上妇联", "小程序“有你泰好·云上家”"),
    ("泰达程序媛网上妇联", "微信群“泰达程序媛”"),
    ("泰达女性设计师网上妇联", "微信群“泰达设计师”"),
    ("泰达灵活就业女性网上妇联", "企业微信社群“灵活就业姐妹”"),
    ("泰达新市民网上妇联", "微信群“新市民姐妹”"),
    ("泰达青年女性网上妇联", "公众号“泰达青年女性”"),
    ("泰达跨境电商网上妇联", "微信群“跨境电商姐妹”"),
    ("泰达女科技工作者网上妇联", "微信群“泰达女科技工作者”"),
    ("泰达巾帼志愿者网上妇联", "小程序“巾帼志愿云”"),
    ("泰达女职工网上妇联", "企业微信社群“女职工之家”"),
    ("泰达家庭教育网上妇联", "微信群“家庭教育共成长”"),
    ("泰达女性社工网上妇联", "微信群“泰达社工姐妹”"),
    ("泰达新媒体女性网上妇联", "微信群“新媒体姐妹”"),
    ("泰达女律师网上妇联", "微信群“泰达女律师”"),
    ("泰达医护女性网上妇联", "微信群“泰达医护姐妹”"),
    ("泰达外企女性网上妇联", "企业微信社群“外企姐妹”"),
    ("泰达海归女性网上妇联", "微信群“泰达海归女性”"),
    ("泰达女企业家网上妇联", "微信群“泰达女企业家”"),
    ("泰达网约车女司机网上妇联", "微信群“网约车女司机之家”"),
    ("泰达快递女骑手网上妇联", "微信群“快递女骑手之家”"),
)
JOINT_THEMES = (
    "生物医药企业", "汽车零部件企业", "电子信息企业", "新材料企业", "物流企业", "商务服务企业",
    "科技型中小企业", "外资企业", "文化传媒企业", "检验检测企业", "装备制造企业", "食品企业",
)
NEEDS = (
    ("childcare", "托育/子女托管"),
    ("health", "健康"),
    ("rights", "权益维护"),
    ("career", "职业发展"),
    ("matchmaking", "婚恋交友"),
    ("counselling", "心理疏导"),
    ("family-education", "家庭教育"),
    ("skills", "技能培训"),
)
NEED_WEIGHTS = (30, 22, 12, 16, 10, 8, 9, 7)
SITE_SERVICES = {
    ServiceSite.Kind.WOMEN_HOME: ("政策宣传", "维权咨询", "家庭教育指导", "文体活动", "技能培训", "心理关爱"),
    ServiceSite.Kind.CHILDREN_HOME: ("寒暑假职工子女托管", "课后托管", "亲子阅读", "科普手工", "安全教育"),
    ServiceSite.Kind.MICRO_HOME: ("政策宣传", "临时休息", "维权咨询", "姐妹议事"),
    ServiceSite.Kind.MOBILE_MICRO_HOME: ("流动宣讲", "健康检测", "饮水热饭", "维权咨询", "应急药箱"),
    ServiceSite.Kind.WARM_STATION: ("饮水热饭", "手机充电", "临时休息", "应急药箱", "如厕方便"),
    ServiceSite.Kind.CLOUD_STATION: ("线上咨询", "政策推送", "云课堂直播", "心理倾诉"),
    ServiceSite.Kind.HEART_STATION: ("心理咨询", "情绪疏导", "婚姻家庭辅导", "减压沙龙"),
    ServiceSite.Kind.INNOVATION_STUDIO: ("技术攻关", "创新成果交流", "导师带徒", "创业辅导"),
    ServiceSite.Kind.HEALTH_ISLAND: ("两癌筛查宣传", "健康讲座", "哺乳室", "职业安全培训", "健康自测"),
}
SITE_NOTES = (
    "法定节假日闭馆。",
    "请提前电话预约。",
    "寒暑假期间开放职工子女托管班，时间另行通知。",
    "每月第二个周六上午开放亲子活动。",
    "午间 12:00–13:00 暂停服务。",
)
HEART_TOPICS = (
    "学习党的二十大精神", "重温入党誓词", "传承红色家风", "党史学习分享会", "寻访红色足迹",
    "红色家书诵读会", "“强国复兴有我”主题宣讲", "巾帼微党课", "学习身边榜样", "国旗下的誓言",
    "红色经典诵读", "巾帼心向党 奋进新征程",
)
CLOUD_TOPICS = (
    "职场女性压力管理", "家庭教育公开课", "女性健康大讲堂", "民法典婚姻家庭编解读", "短视频运营入门",
    "反家暴法律知识", "职场沟通技巧", "亲子阅读方法", "女性创业政策解读", "婴幼儿照护知识",
    "个人所得税专项附加扣除", "网络安全与防诈骗",
)
NEEDS_TOPICS = (
    "女职工健康讲座", "两癌筛查进企业", "法律咨询进园区", "职工子女暑期托管开班", "婚恋交友沙龙",
    "心理健康减压沙龙", "女职工权益维护座谈",
)
MERIT_TOPICS = ("巾帼建功岗位练兵", "女职工技能比武", "巾帼创新成果展示", "巾帼建功标兵事迹分享")
WARMTH_TOPICS = {
    1: "新春送温暖", 3: "“三八”节走访慰问", 6: "“六一”关爱儿童", 9: "中秋送温暖", 12: "冬日送温暖",
}
VOLUNTEER_TOPICS = ("巾帼志愿服务进社区", "爱心义卖", "垃圾分类宣传", "关爱户外劳动者", "文明交通劝导")
CULTURE_TOPICS = ("巾帼文艺汇演", "女性读书会", "插花艺术沙龙", "八段锦健身课", "摄影采风", "非遗手作体验")
CATEGORY_PARAGRAPHS = {
    "guidance": "活动中，大家一起学习理论、分享体会，进一步坚定了听党话、跟党走的信念，"
    "纷纷表示要把学习成果转化为干事创业的实际行动。",
    "needs": "活动聚焦女性最关心、最直接、最现实的需求，现场设置咨询台，"
    "工作人员和专业志愿者一对一解答问题，并收集意见建议，推动需求清单变成服务清单。",
    "empowerment": "活动邀请行业专家和优秀女性代表授课，内容涵盖政策解读、技能提升和经验分享，"
    "帮助女性在岗位上提升本领、建功立业。",
    "volunteer": "巾帼志愿者们分工协作、热情服务，用实际行动传递温暖，展现了新时代女性的责任与担当。",
    "culture": "姐妹们在轻松愉快的氛围中交流才艺、结识朋友，丰富了业余文化生活，增强了归属感。",
    "care": "妇联工作人员深入企业和站点，为坚守岗位的女职工和困难家庭送上慰问品和节日祝福，"
    "详细了解她们的工作生活情况。",
}
EDITORS = ("木南", "晓禾", "安然", "青柠")
PROOFREADERS = ("梅朵", "若溪", "小满")
PHOTO_CAPTIONS = ("活动现场", "合影留念", "互动交流", "认真聆听", "分组讨论", "志愿者合影")
PALETTES = (
    ((214, 51, 108), (255, 214, 165)),
    ((180, 40, 60), (255, 236, 210)),
    ((36, 99, 160), (200, 230, 255)),
    ((56, 128, 90), (230, 245, 200)),
    ((230, 120, 40), (255, 240, 200)),
    ((120, 70, 160), (240, 220, 250)),
)


# --- Small deterministic helpers ----------------------------------------------------------------
def _person(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _phone(rng: random.Random) -> str:
    # Fictional on purpose: Tianjin local numbers never begin with 0, so 022-0xxx xxxx cannot ring.
    return f"022-0{rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def _org_code(rng: random.Random) -> str:
    """A 9-character organization code (GB 11714) with its own check character."""
    allowed = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "MA0" + "".join(rng.choice(allowed) for _ in range(5)) if rng.random() < 0.7 else (
        str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(7))
    )
    total = sum(int(char, 36) * w for char, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2)))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _credit_code(rng: random.Random, prefix: str) -> str:
    """A valid unified social credit code; region 120116 is Tianjin Binhai New Area."""
    region = "120000" if prefix == "31" else "120116"
    first17 = f"{prefix}{region}{_org_code(rng)}"
    return first17 + credit_code_check_char(first17)


def _cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


def _coords(rng: random.Random, area: str) -> tuple[Decimal, Decimal]:
    (lat, lon), _roads = AREAS[area]
    lat = min(max(lat + rng.uniform(-0.012, 0.012), 38.951), 39.099)
    lon = min(max(lon + rng.uniform(-0.015, 0.015), 117.601), 117.799)
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def _address(rng: random.Random, area: str) -> str:
    road = rng.choice(AREAS[area][1])
    return f"天津经济技术开发区{road}{rng.randint(1, 199)}号"


def _place(area: str, road: str) -> str:
    """“西区中南五街”, but “新城西路” rather than “新城新城西路”."""
    return road if road[:2] == area[:2] else area + road


def _base(federation_name: str) -> str:
    """A federation's name without the organisational suffix, for naming its sites."""
    name = federation_name.removesuffix("妇联")
    for suffix in ("联合", "楼宇", "岛屿式", "网上"):
        name = name.removesuffix(suffix)
    return name


@functools.cache
def _gradient(angle: int) -> Image.Image:
    return Image.linear_gradient("L").rotate(angle).resize((1200, 800))


def photo_bytes(name: str) -> bytes:
    """A 1200×800 JPEG of gradients and shapes, the same bytes for the same name."""
    rng = random.Random(f"{RANDOM_SEED}:{name}")
    dark, light = rng.choice(PALETTES)
    image = ImageOps.colorize(_gradient(rng.choice((0, 90, 180, 270))), dark, light)
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(rng.randint(6, 14)):
        x, y, r = rng.randint(-200, 1200), rng.randint(-200, 800), rng.randint(40, 320)
        colour = (*(rng.randint(0, 255) for _ in range(3)), rng.randint(60, 150))
        if rng.random() < 0.6:
            draw.ellipse((x, y, x + r, y + r), fill=colour)
        else:
            draw.polygon(
                [(x, y), (x + r, y + rng.randint(-r, r)), (x + rng.randint(-r, r), y + r)],
                fill=colour,
            )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


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
            "address": "" if kind == Federation.Kind.ONLINE else _address(rng, area),
            "channel": "",
            "established_on": established(),
            "chair_name": _person(rng),
            "contact_name": _person(rng),
            "contact_phone": _phone(rng),
            "member_count": rng.randint(12, 180),
            "description": "",
            "covers": [],
        }
        record.update(extra)
        plan.federations.append(record)
        return record

    def enterprise(sector: str, **extra) -> dict:
        name, short, industry, prefix = _enterprise_name(rng, used_names, sector)
        code = _credit_code(rng, prefix)
        while code in codes:
            code = _credit_code(rng, prefix)
        codes.add(code)
        employees = int(min(rng.lognormvariate(4.2, 1.0), 3000)) + 5
        share = rng.uniform(0.15, 0.45) if sector == Enterprise.Sector.NEW_EMPLOYMENT else rng.uniform(0.25, 0.7)
        area = rng.choice(AREA_NAMES)
        record = {
            "credit_code": code,
            "name": name,
            "short": short,
            "sector": sector,
            "industry": industry,
            "area": area,
            "address": _address(rng, area),
            "building": "",
            "employees": employees,
            "female_employees": int(employees * share),
            "has_party_org": rng.random() < 0.3,
            "party_org_formed_on": None,
            "federation": None,
            "covered_since": None,
            "surveyed_on": None,
            "needs": [],
            "contact_name": _person(rng) if rng.random() < 0.8 else "",
            "contact_phone": "",
            "note": "",
        }
        if record["contact_name"]:
            record["contact_phone"] = _phone(rng)
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
            "name": DISTRICT_NAME, "level": Federation.Level.DISTRICT, "kind": "", "area": "泰达街",
            "address": "天津经济技术开发区宏达街19号", "channel": "", "established_on": datetime.date(1995, 3, 8),
            "chair_name": _person(rng), "contact_name": _person(rng), "contact_phone": _phone(rng),
            "member_count": None, "short_name": "经开区妇联",
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
        code = _credit_code(rng, "91")
        codes.add(code)
        company = enterprise(Enterprise.Sector.NEW_ECONOMIC)
        company.update(
            credit_code=code, name=name, short=short, industry=industry, area=area,
            employees=employees, female_employees=female, has_party_org=True,
        )
        if name == PARTY_ORG_ENTERPRISE:
            company["note"] = "妇联组织先行“破局”，以服务带动党组织组建。"
        record["covers"].append(company)
    while sum(1 for f in plan.federations if f["kind"] == Federation.Kind.SINGLE) < FEDERATIONS_BY_KIND[Federation.Kind.SINGLE]:
        company = enterprise(any_sector())
        record = federation(f"{company['short']}妇联", Federation.Kind.SINGLE, company["area"], short_name=company["short"])
        record["covers"].append(company)
        if rng.random() < 0.1:
            record["covers"].append(enterprise(Enterprise.Sector.NEW_ECONOMIC, area=company["area"]))

    # Joint federations (联合妇联) along a road or of one industry.
    joint_names: list[tuple[str, str, str]] = []
    for area, (_centre, roads) in AREAS.items():
        joint_names += [(f"{_place(area, road)}联合妇联", area, road) for road in roads]
    for theme in JOINT_THEMES:
        for area in ("泰达街", "西区", "现代产业区", "逸仙园"):
            joint_names.append((f"{area}{theme}联合妇联", area, rng.choice(AREAS[area][1])))
    rng.shuffle(joint_names)
    for name, area, road in joint_names[: FEDERATIONS_BY_KIND[Federation.Kind.JOINT]]:
        federation(name, Federation.Kind.JOINT, area, short_name=name.removesuffix("联合妇联"),
                   address=f"天津经济技术开发区{road}{rng.randint(1, 199)}号")

    # Building federations (楼宇妇联).
    for building in BUILDINGS[: FEDERATIONS_BY_KIND[Federation.Kind.BUILDING]]:
        area = "泰达街" if "泰达" in building or "金融街" in building else rng.choice(AREA_NAMES)
        federation(f"{building}楼宇妇联", Federation.Kind.BUILDING, area, building=building, short_name=building)

    # Online federations (网上妇联): a channel, no street address.
    for name, channel in ONLINE_FEDERATIONS[: FEDERATIONS_BY_KIND[Federation.Kind.ONLINE]]:
        federation(name, Federation.Kind.ONLINE, rng.choice(AREA_NAMES), channel=channel)

    # Industry and new-employment-group federations (行业/新就业群体妇联).
    for name in INDUSTRY_FEDERATIONS[: FEDERATIONS_BY_KIND[Federation.Kind.INDUSTRY]]:
        extra = {}
        if name == DRIVERS_NAME:
            extra["description"] = "全市首家网约车司机妇联，服务辖区无固定工作场所的网约车女司机。"
        federation(name, Federation.Kind.INDUSTRY, "泰达街" if name == DRIVERS_NAME else rng.choice(AREA_NAMES), **extra)

    # Park and industrial-base federations (园区/产业基地妇联).
    for park in PARKS[: FEDERATIONS_BY_KIND[Federation.Kind.PARK]]:
        extra = {"building": park, "short_name": park}
        if park + "妇联" == PARK_NAME:
            extra["description"] = "裂变45个妇女小组，为园区创业女性提供孵化、融资等支持。"
        if park + "妇联" == LIVESTREAM_NAME:
            extra["description"] = "服务直播电商基地的主播、运营等新就业形态女性。"
        federation(f"{park}妇联", Federation.Kind.PARK, rng.choice(("泰达街", "西区", "逸仙园", "现代产业区")), **extra)

    # Island-style federations (岛屿式妇联) for small scattered units.
    islands = [
        (f"{_place(area, road)}沿线岛屿式妇联", area, road) for area, (_c, roads) in AREAS.items() for road in roads
    ]
    rng.shuffle(islands)
    for name, area, road in islands[: FEDERATIONS_BY_KIND[Federation.Kind.ISLAND]]:
        federation(name, Federation.Kind.ISLAND, area, address=f"天津经济技术开发区{road}{rng.randint(1, 199)}号")

    for kind, count in FEDERATIONS_BY_KIND.items():
        planned = sum(1 for f in plan.federations if f["kind"] == kind)
        if planned != count:
            raise AssertionError(f"planned {planned} federations of kind {kind}, want {count}")

    # Coverage: joint/building/park federations cover many, industry and island ones a few.
    grassroots = [f for f in plan.federations if f["level"] == Federation.Level.GRASSROOTS]
    sizes = {
        Federation.Kind.JOINT: (5, 14), Federation.Kind.BUILDING: (4, 13), Federation.Kind.PARK: (3, 9),
        Federation.Kind.INDUSTRY: (1, 4), Federation.Kind.ISLAND: (2, 5), Federation.Kind.ONLINE: (0, 0),
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
                sector = rng.choice((Enterprise.Sector.NEW_EMPLOYMENT, Enterprise.Sector.NEW_SOCIAL))
            else:
                sector = any_sector()
            company = enterprise(sector, area=fed["area"])
            if fed.get("building"):
                company["building"] = fed["building"]
                if fed["kind"] == Federation.Kind.BUILDING:
                    company["address"] = f"天津经济技术开发区{fed['building']}{rng.randint(2, 28)}层"
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
    to_survey = [e for e in plan.enterprises if e["federation"]] + uncovered[: SURVEYED_ENTERPRISES - COVERED_ENTERPRISES]
    need_codes = [code for code, _name in NEEDS]
    for company in to_survey:
        company["surveyed_on"] = today - datetime.timedelta(days=rng.randint(30, 700))
        if rng.random() < 0.62:
            company["needs"] = sorted(set(rng.choices(need_codes, NEED_WEIGHTS, k=rng.randint(1, 3))))
    for company in plan.enterprises:
        if company["has_party_org"] and company["federation"] and rng.random() < 0.25:
            company["party_org_formed_on"] = company["covered_since"] + datetime.timedelta(days=rng.randint(120, 600))
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
                "established_on": park["established_on"] + datetime.timedelta(days=rng.randint(30, 900)),
                "chair_name": _person(rng),
                "contact_name": _person(rng),
                "contact_phone": _phone(rng),
                "member_count": rng.randint(5, 40),
                "description": f"设在{company['name']}，为园区创业女性提供孵化、融资对接等服务。",
            }
        )

    _plan_sites(plan, rng, grassroots)
    _plan_brands(plan, rng, today)
    _plan_activities(plan, rng, today)
    _plan_exemplars(plan, rng, today)
    plan.media_accounts = [
        {"name": "滨城女性", "platform": MediaAccount.Platform.WECHAT, "handle": "滨城女性", "position": 1},
        {"name": "有你泰好", "platform": MediaAccount.Platform.VIDEO, "handle": "有你泰好", "position": 2},
        {"name": "泰达女性", "platform": MediaAccount.Platform.DOUYIN, "handle": "泰达女性", "position": 3},
        {"name": "天津经开区妇联", "platform": MediaAccount.Platform.WEIBO, "handle": "天津经开区妇联", "position": 4},
    ]
    return plan


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
        + rng.sample([f for f in offline if f["kind"] != Federation.Kind.INDUSTRY and f["name"] != PARK_NAME], 95),
        ServiceSite.Kind.MICRO_HOME: rng.sample(by_kind[Federation.Kind.ISLAND] + by_kind[Federation.Kind.BUILDING], 30),
        ServiceSite.Kind.MOBILE_MICRO_HOME: [named[DRIVERS_NAME]] * 6
        + [named["快递从业人员妇联"], named["外卖配送员妇联"], named["货车司机妇联"]] * 2,
        ServiceSite.Kind.WARM_STATION: rng.sample(by_kind[Federation.Kind.INDUSTRY] + by_kind[Federation.Kind.JOINT], 30),
        ServiceSite.Kind.CLOUD_STATION: by_kind[Federation.Kind.ONLINE][:8],
        ServiceSite.Kind.HEART_STATION: rng.sample(by_kind[Federation.Kind.PARK] + by_kind[Federation.Kind.JOINT], 16),
        ServiceSite.Kind.INNOVATION_STUDIO: [named[n] for n in SINGLE_SEED_FEDERATIONS]
        + rng.sample(by_kind[Federation.Kind.SINGLE][4:], 11),
        ServiceSite.Kind.HEALTH_ISLAND: rng.sample(by_kind[Federation.Kind.SINGLE] + by_kind[Federation.Kind.PARK], 10),
    }
    labels = dict(ServiceSite.Kind.choices)
    stops = ("泰达站", "西区站", "新城站", "南港站", "现代产业区站", "逸仙园站")
    used: set[str] = set()
    for kind, feds in hosts.items():
        assert len(feds) == SITES_BY_KIND[kind], kind
        for position, fed in enumerate(feds):
            label = str(labels[kind])
            if kind == ServiceSite.Kind.MOBILE_MICRO_HOME:
                name = f"{_base(fed['name'])}{label}（{stops[position % len(stops)]}）"
            elif kind == ServiceSite.Kind.CLOUD_STATION:
                name = f"{_base(fed['name'])}“云上”温馨驿站"
            else:
                name = f"{_base(fed['name'])}{label}"
            if name in used:
                name = f"{fed['area']}{name}"
            used.add(name)
            online = kind == ServiceSite.Kind.CLOUD_STATION
            mobile = kind == ServiceSite.Kind.MOBILE_MICRO_HOME
            area = fed["area"]
            latitude, longitude = (None, None) if online else _coords(rng, area)
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
                    "address": "" if online else (
                        f"{stops[position % len(stops)].removesuffix('站')}片区流动停靠点" if mobile
                        else fed["address"] or _address(rng, area)
                    ),
                    "latitude": latitude,
                    "longitude": longitude,
                    "hours_note": note,
                    "services": "\n".join(services[: rng.randint(3, len(services))]),
                    "is_online": online,
                    "is_mobile": mobile,
                    "public_phone": "" if online else _phone(rng),
                    "established_on": fed["established_on"] + datetime.timedelta(days=rng.randint(30, 360)),
                    "description": (
                        f"依托{fed['channel']}开展线上服务，姐妹们足不出户即可咨询、学习。" if online
                        else f"由{fed['name']}主办的{label}，就近为“三新”领域女性和家庭提供服务。"
                    ),
                    "hours": hours,
                }
            )


def _plan_brands(plan: Plan, rng: random.Random, today: datetime.date) -> None:
    master = "有你泰好"
    brands = [
        (master, "youni-taihao", None, Brand.Focus.OTHER, "有你泰好，幸福相伴", False),
        ("泰达儿童之家", CHILDREN_HOME_SLUG, master, Brand.Focus.CHILDCARE, "职工子女托管，解除后顾之忧", False),
        ("为爱而来", MATCHMAKING_SLUG, master, Brand.Focus.MATCHMAKING, "为“三新”领域单身青年搭桥", True),
        ("巾帼科创营", "sci-tech-camp", master, Brand.Focus.ENTREPRENEURSHIP, "助力女性科技创业", False),
        ("女职工健康安全岛", "health-island", master, Brand.Focus.HEALTH, "守护女职工健康与安全", False),
        ("泰达女子排球训练营", "volleyball-camp", master, Brand.Focus.SPORTS, "在运动中绽放", False),
        ("巾帼创新工作室", "innovation-studio", master, Brand.Focus.ENTREPRENEURSHIP, "巾帼建功，创新争先", False),
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
                "name": name, "slug": slug, "parent": parent, "focus": focus, "tagline": tagline,
                "description": descriptions[slug], "is_matchmaking": matchmaking, "position": position,
                "launched_on": today.replace(year=today.year - (10 if slug == CHILDREN_HOME_SLUG else 6), month=3, day=8),
                "services": "\n".join(SITE_SERVICES[ServiceSite.Kind.CHILDREN_HOME][:3]) if slug == CHILDREN_HOME_SLUG else "",
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
                "brand": CHILDREN_HOME_SLUG, "number": number, "title": title, "starts_on": start, "ends_on": end,
                "site": children_sites[number % len(children_sites)], "federation": DISTRICT_NAME,
                "participants": families[number - 1] + rng.randint(0, 20), "families": families[number - 1],
                "enterprises": companies[number - 1], "classes_incubated": int(number in incubated),
                "couples": 0,
                "summary": f"本期托管班服务职工子女{families[number - 1]}名，覆盖{companies[number - 1]}家企业的职工家庭。"
                + ("本期孵化一家基层职工子女托管班。" if number in incubated else ""),
            }
        )

    # 为爱而来: events spread over about five years; only figures, never a participant's identity.
    themes = ("春日徒步", "七夕专场", "生物医药青年专场", "读书分享会", "户外烧烤", "桌游联谊", "手作体验", "音乐沙龙", "海滨骑行", "冬日暖心")
    couples = _split(rng, MATCHMAKING_COUPLES, MATCHMAKING_EVENTS, low=1)
    for number in range(1, MATCHMAKING_EVENTS + 1):
        day = today - datetime.timedelta(days=(MATCHMAKING_EVENTS - number) * 16 + 20)
        plan.sessions.append(
            {
                "brand": MATCHMAKING_SLUG, "number": number, "title": f"为爱而来第{number}场·{themes[number % len(themes)]}",
                "starts_on": day, "ends_on": day, "site": None, "federation": DISTRICT_NAME,
                "participants": rng.randint(40, 120), "families": 0, "enterprises": rng.randint(5, 30),
                "classes_incubated": 0, "couples": couples[number - 1],
                "summary": "活动为“三新”领域单身青年提供交流机会，参与者信息严格保密。",
            }
        )

    others = {"sci-tech-camp": 5, "health-island": 4, "volleyball-camp": 6, "innovation-studio": 3, "heart-station": 4}
    names = {b["slug"]: b["name"] for b in plan.brands}
    for slug, count in others.items():
        for number in range(1, count + 1):
            start = today - datetime.timedelta(days=(count - number) * 120 + 40)
            plan.sessions.append(
                {
                    "brand": slug, "number": number, "title": f"{names[slug]}第{number}期",
                    "starts_on": start, "ends_on": start + datetime.timedelta(days=rng.randint(0, 3)), "site": None,
                    "federation": DISTRICT_NAME, "participants": rng.randint(20, 90), "families": 0,
                    "enterprises": rng.randint(3, 25), "classes_incubated": 0, "couples": 0,
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
        {"name": "巾帼“云课堂”", "slug": "cloud-class", "description": "线上课程：家庭教育、健康、法律、职场技能等。"},
        {"name": "巾帼心向党", "slug": "heart-to-party", "description": "线下“巾帼心向党”系列思想引领活动。"},
        {"name": "巾帼建功行动", "slug": "merit-action", "description": "新时代新女性新作为“巾帼建功行动”。"},
        {"name": "送温暖", "slug": "send-warmth", "description": "在重要时间节点深入“三新”领域走访慰问。"},
        {"name": "巾帼志愿服务", "slug": "volunteer", "description": "“三新”领域女性志愿服务活动。"},
        {"name": "文艺交流", "slug": "culture", "description": "文艺交流活动，提升女性社会参与度。"},
    ]
    offline_feds = [f for f in plan.federations if f["level"] == Federation.Level.GRASSROOTS and f["kind"] != Federation.Kind.ONLINE]
    online_feds = [f for f in plan.federations if f["kind"] == Federation.Kind.ONLINE]
    sites_of: dict[str, list[str]] = {}
    for site in plan.sites:
        if not site["is_online"]:
            sites_of.setdefault(site["federation"], []).append(site["name"])
    with_sites = [f for f in offline_feds if f["name"] in sites_of]
    titles: set[str] = set()

    def add(series: str | None, category: str, topic: str, organizer: dict, day: datetime.date, fmt: str,
            title: str = "", **extra) -> dict:
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
        starts = _local(day, hour, rng.choice((0, 30)))
        upcoming = day > today
        site = rng.choice(sites_of[organizer["name"]]) if organizer["name"] in sites_of and fmt != Activity.Format.ONLINE else None
        record = {
            "title": title, "category": category, "format": fmt, "series": series, "organizer": organizer["name"],
            "site": site, "brand": None, "brand_session": None,
            "location": "" if site or fmt == Activity.Format.ONLINE else organizer["address"],
            "starts_at": starts, "ends_at": starts + datetime.timedelta(hours=rng.choice((1, 2, 2, 3))),
            "participants": None if upcoming else rng.randint(15, 160),
            "description": f"{organizer['name']}组织“三新”领域女性参加{topic}。", "upcoming": upcoming, "topic": topic,
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
        add("heart-to-party", Activity.Category.GUIDANCE, HEART_TOPICS[i % len(HEART_TOPICS)], rng.choice(with_sites),
            day_between(720, 40 if i % 15 == 0 else 0), Activity.Format.OFFLINE)
    district = plan.federations[0]
    for i in range(64):
        topic = CLOUD_TOPICS[i % len(CLOUD_TOPICS)]
        category = Activity.Category.EMPOWERMENT if i % 3 else Activity.Category.URGENT_NEEDS
        add("cloud-class", category, topic, district if i % 4 else rng.choice(online_feds),
            day_between(700, 30 if i % 10 == 0 else 0), Activity.Format.ONLINE)
    for i in range(24):
        add("merit-action", Activity.Category.EMPOWERMENT, MERIT_TOPICS[i % len(MERIT_TOPICS)], rng.choice(with_sites),
            day_between(720), Activity.Format.OFFLINE)
    for year in (today.year - 2, today.year - 1, today.year):
        for month, topic in WARMTH_TOPICS.items():
            for _ in range(2):
                day = datetime.date(year, month, rng.randint(5, 25))
                if (today - day).days > 730 or (day - today).days > 40:
                    continue
                add("send-warmth", Activity.Category.CARE, topic, rng.choice(with_sites), day, Activity.Format.OFFLINE)
    for i in range(22):
        add("volunteer", Activity.Category.VOLUNTEER, VOLUNTEER_TOPICS[i % len(VOLUNTEER_TOPICS)], rng.choice(with_sites),
            day_between(720, 20 if i % 7 == 0 else 0), Activity.Format.OFFLINE)
    for i in range(18):
        add("culture", Activity.Category.CULTURE, CULTURE_TOPICS[i % len(CULTURE_TOPICS)], rng.choice(with_sites),
            day_between(720), Activity.Format.HYBRID if i % 5 == 0 else Activity.Format.OFFLINE)
    for i in range(30):
        add(None, Activity.Category.URGENT_NEEDS, NEEDS_TOPICS[i % len(NEEDS_TOPICS)], rng.choice(with_sites),
            day_between(720, 25 if i % 9 == 0 else 0), Activity.Format.OFFLINE)
    # The recent brand sessions are activities too (for the calendar and the news).
    for session in plan.sessions:
        if session["brand"] in (CHILDREN_HOME_SLUG, MATCHMAKING_SLUG) and (today - session["starts_on"]).days < 400:
            brand_name = next(b["name"] for b in plan.brands if b["slug"] == session["brand"])
            record = add(None, Activity.Category.URGENT_NEEDS, session["title"], district, session["starts_on"],
                         Activity.Format.OFFLINE, title=f"“有你泰好”{brand_name}｜{session['title']}",
                         brand=session["brand"], brand_session=(session["brand"], session["number"]),
                         site=session["site"], participants=session["participants"])
            record["location"] = "" if record["site"] else "泰达时代中心多功能厅"

    # News: published articles for PUBLISHED_ACTIVITY_ARTICLES past activities, and the workflow's other states.
    # The latest sessions of each brand get a brand article (below), linked to their activity.
    last = {CHILDREN_HOME_SLUG: 3, MATCHMAKING_SLUG: 4}
    brand_sessions = []
    for brand in plan.brands[1:]:
        sessions = [s for s in plan.sessions if s["brand"] == brand["slug"]]
        brand_sessions += [(brand, s) for s in sessions[-last.get(brand["slug"], 1):]]
    if len(brand_sessions) != BRAND_ARTICLES:
        raise AssertionError(f"planned {len(brand_sessions)} brand articles, want {BRAND_ARTICLES}")
    with_brand_article = {(s["brand"], s["number"]) for _b, s in brand_sessions}
    past = [
        a for a in plan.activities
        if not a["upcoming"] and (today - a["starts_at"].date()).days >= 3
        and a["brand_session"] not in with_brand_article
    ]
    chosen = rng.sample(past, PUBLISHED_ACTIVITY_ARTICLES)
    chosen.sort(key=lambda a: a["starts_at"])
    staff_feds = {PARK_NAME, DRIVERS_NAME}
    for activity in chosen:
        _article(plan, rng, activity, Article.Status.PUBLISHED,
                 activity["starts_at"] + datetime.timedelta(days=1, hours=rng.randint(0, 20)))
    activity_of = {a["brand_session"]: a["title"] for a in plan.activities if a["brand_session"]}
    for brand, session in brand_sessions:
        published = _local(session["ends_on"] or session["starts_on"], 18) + datetime.timedelta(days=1)
        published = min(published, _local(today - datetime.timedelta(days=1), 10))
        _article(plan, rng, None, Article.Status.PUBLISHED, published, brand=brand, session=session)
        plan.articles[-1]["activity"] = activity_of.get((session["brand"], session["number"]))
    # Drafts and articles in review, some by the two demo staff federations.
    named = {f["name"]: f for f in offline_feds}
    staff_activities = [
        add(None, category, topic, named[fed], today - datetime.timedelta(days=rng.randint(4, 20)), Activity.Format.OFFLINE)
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
        (Article.Status.DRAFT, 6), (Article.Status.SUBMITTED, 4), (Article.Status.UNPUBLISHED, 2),
    ):
        for i in range(count):
            if i < 2 and status != Article.Status.UNPUBLISHED:
                activity = staff_activities.pop(0)
            else:
                activity = in_progress.pop()
            published = activity["starts_at"] + datetime.timedelta(days=2) if status == Article.Status.UNPUBLISHED else None
            _article(plan, rng, activity, status, published)
    # One scheduled for the future: published, but not public until its time.
    upcoming = next(a for a in plan.activities if a["upcoming"])
    _article(plan, rng, upcoming, Article.Status.PUBLISHED, _local(today + datetime.timedelta(days=3), 9),
             preview=True)
    for article in plan.articles:
        article["staff"] = article["federation"] in staff_feds


def _article(plan: Plan, rng: random.Random, activity: dict | None, status: str, publish_at, *, brand: dict | None = None,
             session: dict | None = None, preview: bool = False) -> None:
    if activity:
        organizer = activity["organizer"]
        topic = activity["topic"]
        title = activity["title"].replace("开展", "举办", 1) if not preview else f"预告｜{activity['title']}"
        people = activity["participants"] or rng.randint(30, 80)
        place = activity["site"] or activity["location"] or "线上直播间"
    else:
        organizer = DISTRICT_NAME
        topic = session["title"]
        title = session["title"] if session["title"].startswith(brand["name"]) else f"{brand['name']} {session['title']}"
        title = f"“有你泰好”｜{title}"
        people = session["participants"]
        place = session["site"] or "泰达时代中心"
    day = (activity["starts_at"].date() if activity else session["starts_on"])
    paragraphs = [
        f"{_cn_date(day)}，{organizer}在{place}开展“{topic}”活动，{people}名“三新”领域女性参加。",
        CATEGORY_PARAGRAPHS.get(activity["category"] if activity else "", CATEGORY_PARAGRAPHS["needs"]),
        rng.choice((
            "活动围绕女性职工关心的实际问题设计，既有专题讲解，也有互动交流，现场气氛热烈。",
            "活动通过主题分享、互动问答和经验交流等环节，引导大家在各自岗位上建功立业。",
            "参加活动的姐妹们纷纷表示，活动内容贴近工作和生活，收获满满。",
        )),
        rng.choice((
            "下一步，将继续把“有你泰好”品牌服务送到基层，让妇女工作更具特色、更有温度。",
            "经开区妇联将持续推动“三新”领域妇联组织有形有效覆盖，更好地服务女性和家庭。",
            "今后还将结合女性需求，常态化开展思想引领、迫切需求和赋能提升类活动。",
        )),
    ]
    if brand and brand["is_matchmaking"]:
        paragraphs[0] = f"{_cn_date(day)}，“为爱而来”相亲交友活动举办，{people}名“三新”领域单身青年参加。"
        paragraphs.insert(1, "为保护隐私，活动不公开任何参与者的个人信息。")
    if brand and brand["slug"] == CHILDREN_HOME_SLUG:
        paragraphs.insert(1, f"本期托管班服务职工家庭{session['families']}组，受惠企业{session['enterprises']}家。")
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    number = len(plan.articles) + 1
    photos = [] if status == Article.Status.SUBMITTED and number % 2 else [
        {"name": f"photos/demo/article-{number:03d}-{k}.jpg", "caption": rng.choice(PHOTO_CAPTIONS), "position": k}
        for k in range(1, rng.randint(1, 4) + 1)
    ]
    plan.articles.append(
        {
            "title": title, "summary": paragraphs[0][:120], "body": body, "status": status, "publish_at": publish_at,
            "federation": organizer, "activity": activity["title"] if activity else None,
            "brand": brand["slug"] if brand else (activity["brand"] if activity else None),
            "source": "滨城女性", "editor": rng.choice(EDITORS), "proofreader": rng.choice(PROOFREADERS),
            "photos": photos,
        }
    )


def _plan_exemplars(plan: Plan, rng: random.Random, today: datetime.date) -> None:
    honours = list(Exemplar.Honour)
    collective_honours = {Exemplar.Honour.CIVILISED_POST, Exemplar.Honour.RED_FLAG_COLLECTIVE}
    covered = [e for e in plan.enterprises if e["federation"]]
    titles = ("研发工程师", "质量主管", "车间班组长", "人力资源经理", "创业者", "网约车司机", "快递员", "社工", "财务主管", "项目经理")
    posts = ("研发中心", "质量部", "客户服务中心", "生产车间", "财务部")
    keys: set[tuple] = set()
    without_consent = set(rng.sample(range(EXEMPLARS), EXEMPLARS_WITHOUT_CONSENT))
    while len(plan.exemplars) < EXEMPLARS:
        i = len(plan.exemplars)
        honour = honours[i % len(honours)]
        year = today.year - 1 - rng.randint(0, 4)
        company = rng.choice(covered)
        if honour in collective_honours:
            kind, name, title = Exemplar.Kind.COLLECTIVE, f"{company['short']}{rng.choice(posts)}", ""
        elif honour == Exemplar.Honour.MOST_BEAUTIFUL_FAMILY:
            kind, title = Exemplar.Kind.COLLECTIVE, ""
            company = {**company, "name": ""}  # a family has no workplace
            name = f"{_person(rng)}家庭"
        else:
            kind, name, title = Exemplar.Kind.PERSON, _person(rng), rng.choice(titles)
        if (name, honour, year) in keys:
            continue
        keys.add((name, honour, year))
        consent = i not in without_consent
        label = Exemplar.Honour(honour).label
        plan.exemplars.append(
            {
                "name": name, "kind": kind, "honour": honour, "year": year, "workplace": company["name"],
                "title": title, "federation": company["federation"],
                "story": f"<p>{name}立足岗位、勇于创新，在“巾帼建功行动”中表现突出，{year}年获评“{label}”。</p>"
                "<p>工作中发挥示范带动作用，热心参与妇联组织的志愿服务和关爱活动，带动身边姐妹见贤思齐、奋勇争先。</p>",
                "consent_to_publish": consent,
                "consent_recorded_on": datetime.date(year, rng.randint(3, 12), rng.randint(1, 28)) if consent else None,
            }
        )


# --- Loading ------------------------------------------------------------------------------------
@dataclass
class SeedReport:
    anchor: datetime.date | None = None
    created: Counter = field(default_factory=Counter)
    files_written: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def _create_missing(model: type[models.Model], key: str | tuple[str, ...], objs: list[models.Model], report: SeedReport) -> list:
    """Create the objects whose natural key is not in the table yet (with history where tracked)."""
    fields = (key,) if isinstance(key, str) else key
    existing = set(model._default_manager.values_list(*fields))
    new, seen = [], set()
    for obj in objs:
        # Choices are enums whose hash differs from their value's: compare plain values.
        value = tuple(_plain(getattr(obj, f)) for f in fields)
        if value not in existing and value not in seen:
            seen.add(value)
            new.append(obj)
    if new:
        if hasattr(model, "history"):
            bulk_create_with_history(new, model, batch_size=500, default_change_reason=CHANGE_REASON)
        else:
            model._default_manager.bulk_create(new, batch_size=500)
    report.created[model._meta.label] += len(new)
    return new


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def demo_accounts_ensure(*, report: SeedReport) -> None:
    """Create the demo accounts that are missing; an existing account is left as it is."""
    User = get_user_model()
    federations = dict(Federation.objects.filter(name__in=[PARK_NAME, DRIVERS_NAME]).values_list("name", "pk"))
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ROLES)}
    for username, password, role, federation_name, display_name in DEMO_ACCOUNTS:
        report.accounts.append((username, password, str(roles.ROLE_LABELS[role])))
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username, display_name=display_name, is_staff=True,
            is_superuser=username == "admin", federation_id=federations.get(federation_name),
        )
        user.set_password(password)
        user.save()
        user.groups.add(groups[role])
        report.created[User._meta.label] += 1


def demo_loaded_on() -> datetime.date | None:
    """The day the demo data were first loaded (from their history rows), if they were."""
    first = (
        Federation.history.filter(history_change_reason=CHANGE_REASON)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    return timezone.localdate(first) if first else None


@transaction.atomic
def demo_seed(*, create_accounts: bool, today: datetime.date | None = None) -> SeedReport:
    """Load the demo data set (idempotent); create the demo accounts when asked.

    Dates are planned relative to the day of the first load, so a run on a later day plans the
    very same records (and therefore creates nothing) instead of a shifted copy.
    """
    today = demo_loaded_on() or today or timezone.localdate()
    plan = build_plan(today)
    report = SeedReport(anchor=today)
    roles.ensure_roles()

    # Federations: the district one, the grassroots ones, then the women's groups.
    feds = plan.federations
    _create_missing(Federation, "name", [_federation(feds[0], None)], report)
    district_pk = Federation.objects.get(name=DISTRICT_NAME).pk
    _create_missing(Federation, "name", [_federation(f, district_pk) for f in feds[1:]], report)
    fed_pk = dict(Federation.objects.values_list("name", "pk"))
    _create_missing(
        Federation, "name",
        [Federation(level=Federation.Level.GROUP, kind="", parent_id=fed_pk[g.pop("parent")], **g) for g in plan.groups],
        report,
    )
    if create_accounts:
        demo_accounts_ensure(report=report)
    users = dict(get_user_model().objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).values_list("username", "pk"))

    # Needs and enterprises.
    _create_missing(Need, "code", [Need(code=c, name=n, position=i) for i, (c, n) in enumerate(NEEDS, 1)], report)
    need_pk = dict(Need.objects.values_list("code", "pk"))
    enterprise_objs = []
    for e in plan.enterprises:
        enterprise_objs.append(
            Enterprise(
                credit_code=e["credit_code"], name=e["name"], sector=e["sector"], industry=e["industry"],
                address=e["address"], building=e["building"], employees=e["employees"],
                female_employees=e["female_employees"], has_party_org=e["has_party_org"],
                party_org_formed_on=e["party_org_formed_on"],
                federation_id=fed_pk[e["federation"]] if e["federation"] else None,
                covered_since=e["covered_since"], surveyed_on=e["surveyed_on"],
                contact_name=e["contact_name"], contact_phone=e["contact_phone"], note=e["note"],
            )
        )
    created = _create_missing(Enterprise, "credit_code", enterprise_objs, report)
    if created:
        needs_of = {e["credit_code"]: e["needs"] for e in plan.enterprises}
        codes = [obj.credit_code for obj in created]
        pks = {}
        for start in range(0, len(codes), 900):
            pks.update(Enterprise.objects.filter(credit_code__in=codes[start : start + 900]).values_list("credit_code", "pk"))
        through = Enterprise.needs.through
        rows = [through(enterprise_id=pks[code], need_id=need_pk[n]) for code in codes for n in needs_of[code]]
        through.objects.bulk_create(rows, batch_size=900)
        report.created["organizations.Enterprise_needs"] += len(rows)

    # Service sites and their opening hours.
    site_objs = []
    for s in plan.sites:
        data = {k: v for k, v in s.items() if k not in ("hours", "federation")}
        site_objs.append(ServiceSite(federation_id=fed_pk[s["federation"]], **data))
    created = _create_missing(ServiceSite, "name", site_objs, report)
    site_pk = dict(ServiceSite.objects.values_list("name", "pk"))
    new_sites = {obj.name for obj in created}
    hours = [
        OpeningHours(site_id=site_pk[s["name"]], weekday=w, opens=o, closes=c)
        for s in plan.sites if s["name"] in new_sites for (w, o, c) in s["hours"]
    ]
    OpeningHours.objects.bulk_create(hours, batch_size=900)
    report.created["organizations.OpeningHours"] += len(hours)

    _create_missing(MediaAccount, ("name", "platform"), [MediaAccount(**m) for m in plan.media_accounts], report)

    # Brands (the master brand first) and their sessions.
    brand_data = [dict(b) for b in plan.brands]
    _create_missing(Brand, "slug", [Brand(**{**brand_data[0], "parent": None}, organizer_id=district_pk)], report)
    master_pk = Brand.objects.get(slug=brand_data[0]["slug"]).pk
    _create_missing(
        Brand, "slug",
        [Brand(**{**b, "parent": None}, parent_id=master_pk, organizer_id=district_pk) for b in brand_data[1:]],
        report,
    )
    brand_pk = dict(Brand.objects.values_list("slug", "pk"))
    _create_missing(
        BrandSession, ("brand_id", "number"),
        [
            BrandSession(
                **{k: v for k, v in s.items() if k not in ("brand", "site", "federation")},
                brand_id=brand_pk[s["brand"]], site_id=site_pk.get(s["site"]), federation_id=fed_pk[s["federation"]],
            )
            for s in plan.sessions
        ],
        report,
    )
    session_pk = {(slug, number): pk for pk, slug, number in BrandSession.objects.values_list("pk", "brand__slug", "number")}

    # Series, activities, news with photos and workflow records, exemplars.
    _create_missing(Series, "slug", [Series(**s) for s in plan.series], report)
    series_pk = dict(Series.objects.values_list("slug", "pk"))
    _create_missing(
        Activity, "title",
        [
            Activity(
                title=a["title"], category=a["category"], format=a["format"], series_id=series_pk.get(a["series"]),
                organizer_id=fed_pk[a["organizer"]], site_id=site_pk.get(a["site"]), brand_id=brand_pk.get(a["brand"]),
                brand_session_id=session_pk.get(a["brand_session"]), location=a["location"], starts_at=a["starts_at"],
                ends_at=a["ends_at"], participants=a["participants"], description=a["description"],
                created_by_id=users.get("editor"),
            )
            for a in plan.activities
        ],
        report,
    )
    activity_pk = dict(Activity.objects.values_list("title", "pk"))
    article_objs = []
    for a in plan.articles:
        author = users.get("staff_park" if a["federation"] == PARK_NAME else "staff_drivers") if a["staff"] else users.get("editor")
        published = a["status"] in (Article.Status.PUBLISHED, Article.Status.UNPUBLISHED)
        article_objs.append(
            Article(
                title=a["title"], summary=a["summary"], body=a["body"], status=a["status"], publish_at=a["publish_at"],
                federation_id=fed_pk[a["federation"]], activity_id=activity_pk.get(a["activity"]),
                brand_id=brand_pk.get(a["brand"]), source=a["source"], editor=a["editor"], proofreader=a["proofreader"],
                author_id=author,
                submitted_at=(
                    min(a["publish_at"] - datetime.timedelta(hours=6), _local(today - datetime.timedelta(days=1), 16))
                    if published
                    else _local(today - datetime.timedelta(days=1), 16) if a["status"] == Article.Status.SUBMITTED else None
                ),
                submitted_by_id=author if a["status"] != Article.Status.DRAFT else None,
                published_by_id=users.get("editor") if published else None,
            )
        )
    created = _create_missing(Article, "title", article_objs, report)
    article_pk = dict(Article.objects.values_list("title", "pk"))
    new_titles = {obj.title for obj in created}
    photos, transitions = [], []
    for a, obj in zip(plan.articles, article_objs):
        if a["title"] not in new_titles:
            continue
        pk = article_pk[a["title"]]
        for p in a["photos"]:
            photos.append(Photo(article_id=pk, image=p["name"], width=1200, height=800, caption=p["caption"], position=p["position"]))
        steps = []
        if obj.submitted_at:
            steps.append((Article.Status.DRAFT, Article.Status.SUBMITTED, obj.submitted_by_id, obj.submitted_at))
        if obj.published_by_id or a["status"] in (Article.Status.PUBLISHED, Article.Status.UNPUBLISHED):
            at = min(obj.publish_at, obj.submitted_at + datetime.timedelta(hours=3))
            steps.append((Article.Status.SUBMITTED, Article.Status.PUBLISHED, obj.published_by_id, at))
        if a["status"] == Article.Status.UNPUBLISHED:
            steps.append((Article.Status.PUBLISHED, Article.Status.UNPUBLISHED, obj.published_by_id, obj.publish_at + datetime.timedelta(hours=5)))
        for from_status, to_status, user, at in steps:
            transitions.append(ArticleTransition(article_id=pk, from_status=from_status, to_status=to_status, user_id=user, at=at,
                                                 note="信息有误，撤回修改。" if to_status == Article.Status.UNPUBLISHED else ""))
    Photo.objects.bulk_create(photos, batch_size=500)
    ArticleTransition.objects.bulk_create(transitions, batch_size=500)
    report.created["activities.Photo"] += len(photos)
    report.created["activities.ArticleTransition"] += len(transitions)
    missing = [p["name"] for a in plan.articles for p in a["photos"] if not default_storage.exists(p["name"])]
    # Drawing and JPEG encoding release the GIL for the most part: two threads halve the wait.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, data in zip(missing, pool.map(photo_bytes, missing)):
            default_storage.save(name, ContentFile(data))
            report.files_written += 1

    _create_missing(
        Exemplar, ("name", "honour", "year"),
        [Exemplar(**{k: v for k, v in x.items() if k != "federation"}, federation_id=fed_pk[x["federation"]]) for x in plan.exemplars],
        report,
    )
    return report


def _federation(record: dict, parent_pk: int | None) -> Federation:
    data = {k: v for k, v in record.items() if k not in ("covers", "building")}
    return Federation(parent_id=parent_pk, **data)


def demo_counts() -> dict[str, int]:
    """The figures the seed states, computed from the records (for the command's summary)."""
    children = BrandSession.objects.filter(brand__slug=CHILDREN_HOME_SLUG)
    love = BrandSession.objects.filter(brand__slug=MATCHMAKING_SLUG)
    sums = children.aggregate(
        families=Sum("families"), enterprises=Sum("enterprises"), classes_incubated=Sum("classes_incubated")
    )
    return {
        "基层妇联组织 grassroots federations": Federation.objects.grassroots().count(),
        "妇女小组 women's groups": Federation.objects.groups().count(),
        "摸排企业 surveyed enterprises": Enterprise.objects.surveyed().count(),
        "覆盖企业 covered enterprises": Enterprise.objects.covered().count(),
        "服务阵地 service sites": ServiceSite.objects.count(),
        "活动 activities": Activity.objects.count(),
        "“巾帼心向党”活动": Activity.objects.filter(series__slug="heart-to-party").count(),
        "公开新闻 public articles": Article.objects.published().count(),
        "图片 photos": Photo.objects.count(),
        "先进典型 exemplars": Exemplar.objects.count(),
        "泰达儿童之家 期数 sessions": children.count(),
        "泰达儿童之家 孵化托管班 classes": sums["classes_incubated"],
        "泰达儿童之家 帮助家庭 families": sums["families"],
        "泰达儿童之家 受惠企业 enterprises": sums["enterprises"],
        "为爱而来 活动 events": love.count(),
        "为爱而来 牵手 couples": love.aggregate(total=Sum("couples"))["total"],
    }

