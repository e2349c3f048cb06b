"""The seed's figures and the vocabulary the demo data are drawn from."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from federation.core import roles
from organizations.models import (
    Federation,
    ServiceSite,
)

RANDOM_SEED = 20_240_741
CHANGE_REASON = "seed_demo 演示数据"
TZ = ZoneInfo("Asia/Shanghai")

# --- The seed's figures, reproduced exactly --------------------------------------------------
DISTRICT_NAME = "天津经开区妇联"
PARK_NAME = "泰达中小企业园妇联"
DRIVERS_NAME = "网约车司机妇联"
LIVESTREAM_NAME = "抖音直播生态产业基地妇联"
PARTY_ORG_ENTERPRISE = "橙意家人科技（天津）有限公司"
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
    (
        "staff_drivers",
        "teda-staff-2024",
        roles.FEDERATION_STAFF,
        DRIVERS_NAME,
        "网约车司机妇联专干",
    ),
    ("viewer", "teda-viewer-2024", roles.VIEWER, None, "只读用户"),
)

# --- Vocabulary -------------------------------------------------------------------------------
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
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
    "泰达街": (
        (39.045, 117.705),
        (
            "第一大街",
            "第二大街",
            "第三大街",
            "第五大街",
            "第七大街",
            "第九大街",
            "第十一大街",
            "第十三大街",
            "泰达大街",
            "宏达街",
            "洞庭路",
            "黄海路",
            "南海路",
            "北海路",
            "东海路",
        ),
    ),
    "新城": ((39.075, 117.690), ("新城西路", "新城东路", "睦宁路", "晓园街", "广场东路")),
    "西区": (
        (39.085, 117.625),
        ("中南五街", "中南七街", "新业八街", "新业九街", "新环北街", "滨海西大道"),
    ),
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
    + [
        "泰达时代中心",
        "泰丰工业园综合楼",
        "滨海科技大厦",
        "泰达智慧城A座",
        "泰达智慧城B座",
        "西区创业大厦",
        "南港综合服务中心",
        "逸仙园科技楼",
    ]
)
PARKS = (
    PARK_NAME.removesuffix("妇联"),
    LIVESTREAM_NAME.removesuffix("妇联"),
    "泰达服务外包产业园",
    "逸仙科学工业园",
    "泰达生物医药产业园",
    "西区汽车产业园",
    "南港化工新材料产业园",
    "泰达智能制造产业园",
    "泰达国际创业中心",
    "泰达海洋科技产业园",
    "现代产业区新能源产业园",
    "泰达电子信息产业园",
    "泰达细胞谷",
    "中区食品产业园",
    "泰达数字经济产业园",
    "泰达文化创意产业园",
    "西区高端装备产业园",
    "泰达人才创业园",
    "南港物流园",
    "泰达跨境电商产业园",
    "泰达医疗器械产业园",
    "泰达检验检测认证园",
    "逸仙园智能网联汽车产业园",
    "泰达创新创业园",
    "西区新材料产业园",
    "泰达航空配套产业园",
    "现代产业区装备制造园",
    "泰达软件园",
    "泰达金融服务产业园",
    "南港氢能产业园",
    "泰达留学人员创业园",
)
INDUSTRY_FEDERATIONS = (
    DRIVERS_NAME,
    "快递从业人员妇联",
    "外卖配送员妇联",
    "货车司机妇联",
    "家政服务业妇联",
    "物业服务行业妇联",
    "律师行业妇联",
    "会计师行业妇联",
    "社会工作者妇联",
    "网络主播行业妇联",
    "保险代理人妇联",
    "美容美发行业妇联",
    "母婴护理行业妇联",
    "餐饮行业妇联",
    "商贸零售行业妇联",
    "新媒体从业人员妇联",
    "健身教练行业妇联",
    "心理咨询师行业妇联",
    "培训教育行业妇联",
    "酒店服务业妇联",
    "跨境电商从业人员妇联",
    "网约配送站点妇联",
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
    "生物医药企业",
    "汽车零部件企业",
    "电子信息企业",
    "新材料企业",
    "物流企业",
    "商务服务企业",
    "科技型中小企业",
    "外资企业",
    "文化传媒企业",
    "检验检测企业",
    "装备制造企业",
    "食品企业",
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
    ServiceSite.Kind.WOMEN_HOME: (
        "政策宣传",
        "维权咨询",
        "家庭教育指导",
        "文体活动",
        "技能培训",
        "心理关爱",
    ),
    ServiceSite.Kind.CHILDREN_HOME: (
        "寒暑假职工子女托管",
        "课后托管",
        "亲子阅读",
        "科普手工",
        "安全教育",
    ),
    ServiceSite.Kind.MICRO_HOME: ("政策宣传", "临时休息", "维权咨询", "姐妹议事"),
    ServiceSite.Kind.MOBILE_MICRO_HOME: (
        "流动宣讲",
        "健康检测",
        "饮水热饭",
        "维权咨询",
        "应急药箱",
    ),
    ServiceSite.Kind.WARM_STATION: ("饮水热饭", "手机充电", "临时休息", "应急药箱", "如厕方便"),
    ServiceSite.Kind.CLOUD_STATION: ("线上咨询", "政策推送", "云课堂直播", "心理倾诉"),
    ServiceSite.Kind.HEART_STATION: ("心理咨询", "情绪疏导", "婚姻家庭辅导", "减压沙龙"),
    ServiceSite.Kind.INNOVATION_STUDIO: ("技术攻关", "创新成果交流", "导师带徒", "创业辅导"),
    ServiceSite.Kind.HEALTH_ISLAND: (
        "两癌筛查宣传",
        "健康讲座",
        "哺乳室",
        "职业安全培训",
        "健康自测",
    ),
}
SITE_NOTES = (
    "法定节假日闭馆。",
    "请提前电话预约。",
    "寒暑假期间开放职工子女托管班，时间另行通知。",
    "每月第二个周六上午开放亲子活动。",
    "午间 12:00–13:00 暂停服务。",
)
HEART_TOPICS = (
    "学习党的二十大精神",
    "重温入党誓词",
    "传承红色家风",
    "党史学习分享会",
    "寻访红色足迹",
    "红色家书诵读会",
    "“强国复兴有我”主题宣讲",
    "巾帼微党课",
    "学习身边榜样",
    "国旗下的誓言",
    "红色经典诵读",
    "巾帼心向党 奋进新征程",
)
CLOUD_TOPICS = (
    "职场女性压力管理",
    "家庭教育公开课",
    "女性健康大讲堂",
    "民法典婚姻家庭编解读",
    "短视频运营入门",
    "反家暴法律知识",
    "职场沟通技巧",
    "亲子阅读方法",
    "女性创业政策解读",
    "婴幼儿照护知识",
    "个人所得税专项附加扣除",
    "网络安全与防诈骗",
)
NEEDS_TOPICS = (
    "女职工健康讲座",
    "两癌筛查进企业",
    "法律咨询进园区",
    "职工子女暑期托管开班",
    "婚恋交友沙龙",
    "心理健康减压沙龙",
    "女职工权益维护座谈",
)
MERIT_TOPICS = ("巾帼建功岗位练兵", "女职工技能比武", "巾帼创新成果展示", "巾帼建功标兵事迹分享")
WARMTH_TOPICS = {
    1: "新春送温暖",
    3: "“三八”节走访慰问",
    6: "“六一”关爱儿童",
    9: "中秋送温暖",
    12: "冬日送温暖",
}
VOLUNTEER_TOPICS = (
    "巾帼志愿服务进社区",
    "爱心义卖",
    "垃圾分类宣传",
    "关爱户外劳动者",
    "文明交通劝导",
)
CULTURE_TOPICS = (
    "巾帼文艺汇演",
    "女性读书会",
    "插花艺术沙龙",
    "八段锦健身课",
    "摄影采风",
    "非遗手作体验",
)
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
