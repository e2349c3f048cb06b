"""The federation network: federations, member enterprises and their coverage, service sites."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from federation.core.choices import ChoiceLabels
from federation.core.links import object_url
from federation.core.names import NameField
from organizations.fields import CreditCodeField
from organizations.validators import (
    CREDIT_CODE_PATTERN,
    REGISTRATION_NUMBER_PATTERN,
    unverified_code_hint,
    validate_credit_code,
    validate_latitude,
    validate_longitude,
)

# The site finder sorts by distance from a phone's GPS position and converts for each map app.
COORDINATES_HELP = _(
    "WGS-84（CGCS2000，天地图、手机定位）坐标，不是高德/腾讯（GCJ-02）或百度（BD-09）坐标。"
)


class TimeStamped(ChoiceLabels, models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Optimistic locking: a save from a stale form is refused instead of overwriting.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True


class FederationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def grassroots(self):
        return self.filter(level=Federation.Level.GRASSROOTS)

    def groups(self):
        return self.filter(level=Federation.Level.GROUP)

    def district(self):
        return self.filter(level=Federation.Level.DISTRICT)


class Federation(TimeStamped):
    """A women's federation of the network: the district one, a grassroots one or a women's group."""

    PINYIN_SOURCES = ("name", "short_name")  # federation.core.pinyin
    SEARCH_FIELDS = ("name", "short_name", "area", "description")  # federation.core.search_index

    class Level(models.TextChoices):
        DISTRICT = "district", _("区妇联")
        GRASSROOTS = "grassroots", _("基层妇联")
        GROUP = "group", _("妇女小组")

    class Kind(models.TextChoices):
        SINGLE = "single", _("单建妇联")
        JOINT = "joint", _("联合妇联")
        BUILDING = "building", _("楼宇妇联")
        ONLINE = "online", _("网上妇联")
        INDUSTRY = "industry", _("行业/新就业群体妇联")
        PARK = "park", _("园区/产业基地妇联")
        ISLAND = "island", _("岛屿式妇联")

    name = NameField(_("名称"), max_length=120, unique=True)
    short_name = NameField(_("简称"), max_length=60, blank=True)
    level = models.CharField(
        _("层级"), max_length=16, choices=Level.choices, default=Level.GRASSROOTS, db_index=True
    )
    kind = models.CharField(
        _("组建形式"),
        max_length=16,
        choices=Kind.choices,
        blank=True,
        db_index=True,
        help_text=_("基层妇联必填；区妇联和妇女小组留空。"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("基层妇联的上级是区妇联；妇女小组的上级是基层妇联。"),
    )
    area = models.CharField(_("所在片区"), max_length=40, blank=True, db_index=True)
    address = models.CharField(
        _("地址"), max_length=200, blank=True, help_text=_("网上妇联没有街道地址，请填写线上渠道。")
    )
    channel = models.CharField(
        _("线上渠道"),
        max_length=200,
        blank=True,
        help_text=_("网上妇联的线上阵地，如微信群、公众号或小程序名称。"),
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    chair_name = NameField(_("主席"), max_length=40, blank=True)
    contact_name = NameField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=40, blank=True, help_text=_("仅工作人员可见，不在公开页面显示。")
    )
    member_count = models.PositiveIntegerField(_("会员人数"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    search_pinyin = models.TextField(
        _("拼音检索"), blank=True, default="", editable=False, help_text=_("由名称自动生成。")
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = FederationQuerySet.as_manager()

    class Meta:
        verbose_name = _("妇联组织")
        verbose_name_plural = _("妇联组织")
        ordering = ["level", "name"]
        # The public directory (/federations/): grassroots ones by form and name, its first page
        # read from the index (by form and name alone, the groups were read and skipped first).
        indexes = [
            models.Index(fields=["level", "kind", "name"], name="federation_directory_level_idx")
        ]
        constraints = [
            models.CheckConstraint(
                name="federation_parent_by_level",
                condition=Q(level="district", parent__isnull=True)
                | Q(level__in=["grassroots", "group"], parent__isnull=False),
            ),
            models.CheckConstraint(
                name="federation_kind_by_level",
                condition=Q(level="grassroots", kind__gt="")
                | (~Q(level="grassroots") & Q(kind="")),
            ),
            models.CheckConstraint(
                name="federation_online_has_channel",
                condition=~Q(kind="online") | (Q(channel__gt="") & Q(address="")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("organizations:federation_detail", self.pk)

    def clean(self):
        errors: dict[str, list] = {}
        if self.level == self.Level.DISTRICT:
            if self.parent_id:
                errors.setdefault("parent", []).append(_("区妇联没有上级组织。"))
            if self.kind:
                errors.setdefault("kind", []).append(_("区妇联不填写组建形式。"))
        elif self.level == self.Level.GRASSROOTS:
            if not self.kind:
                errors.setdefault("kind", []).append(_("请选择基层妇联的组建形式。"))
            if self.parent_id and self.parent.level != self.Level.DISTRICT:
                errors.setdefault("parent", []).append(_("基层妇联的上级必须是区妇联。"))
        elif self.level == self.Level.GROUP:
            if self.kind:
                errors.setdefault("kind", []).append(_("妇女小组不填写组建形式。"))
            if self.parent_id and self.parent.level != self.Level.GRASSROOTS:
                errors.setdefault("parent", []).append(_("妇女小组的上级必须是基层妇联。"))
        if self.level != self.Level.DISTRICT and not self.parent_id:
            errors.setdefault("parent", []).append(_("请选择上级组织。"))
        if self.kind == self.Kind.ONLINE:
            if not self.channel.strip():
                errors.setdefault("channel", []).append(_("网上妇联须填写线上渠道。"))
            if self.address.strip():
                errors.setdefault("address", []).append(
                    _("网上妇联没有街道地址，请把线上阵地填在“线上渠道”。")
                )
        if errors:
            raise ValidationError(errors)


class Need(models.Model):
    """An urgent need reported by women in the survey (childcare, health, rights, …)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("迫切需求")
        verbose_name_plural = _("迫切需求")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


# Both in clean() (on the field, for forms and the importer) and as the constraint's message.
PARTY_ORG_DATE_MESSAGE = _("填写党组织成立日期时须勾选“已建立党组织”。")


class EnterpriseQuerySet(models.QuerySet):
    def covered(self):
        return self.filter(federation__isnull=False)

    def surveyed(self):
        return self.filter(surveyed_on__isnull=False)


class Enterprise(TimeStamped):
    """A member enterprise (or organisation) of the "three new" fields; natural key: credit code."""

    class Sector(models.TextChoices):
        NEW_ECONOMIC = "economic", _("新经济组织")
        NEW_SOCIAL = "social", _("新社会组织")
        NEW_EMPLOYMENT = "employment", _("新就业群体")

    credit_code = CreditCodeField(
        unique=True, help_text=_("18位，GB 32100-2015；可输入全角或小写，保存时自动规范。")
    )
    credit_code_unverified = models.BooleanField(
        _("代码未核验"),
        default=False,
        help_text=_(
            "代码未通过 GB 32100 校验（15 位旧注册号、早期试点代码或校验位不符），"
            "经管理员确认按原样保存。核对营业执照后改正代码并取消勾选。"
        ),
    )
    name = NameField(_("企业名称"), max_length=200, db_index=True)
    sector = models.CharField(
        _("所属领域"), max_length=16, choices=Sector.choices, blank=True, db_index=True
    )
    industry = models.CharField(_("行业"), max_length=60, blank=True)
    area = models.CharField(_("所在片区"), max_length=40, blank=True, db_index=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    building = models.CharField(_("所在楼宇或园区"), max_length=100, blank=True, db_index=True)
    employees = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    female_employees = models.PositiveIntegerField(_("女职工人数"), null=True, blank=True)
    has_party_org = models.BooleanField(_("已建立党组织"), default=False)
    party_org_formed_on = models.DateField(
        _("党组织成立日期"),
        null=True,
        blank=True,
        help_text=_("“党建带妇建”：记录党组织何时建立。"),
    )
    federation = models.ForeignKey(
        Federation,
        verbose_name=_("覆盖妇联"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        help_text=_("为该企业服务的妇联组织；留空表示尚未覆盖。"),
    )
    covered_since = models.DateField(_("覆盖起始日期"), null=True, blank=True)
    followed_by = models.ForeignKey(
        Federation,
        verbose_name=_("跟进妇联"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
        help_text=_("区妇联分派去联系这家尚未覆盖企业的基层妇联。"),
    )
    surveyed_on = models.DateField(
        _("摸排日期"),
        null=True,
        blank=True,
        help_text=_("女性从业人员情况摸排的日期；留空表示未摸排。"),
    )
    needs = models.ManyToManyField(
        Need, verbose_name=_("迫切需求"), blank=True, related_name="enterprises"
    )
    contact_name = NameField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=40, blank=True, help_text=_("个人信息：仅有权限的工作人员可见。")
    )
    note = models.TextField(_("备注"), blank=True)
    last_import = models.ForeignKey(
        "organizations.ImportJob",
        verbose_name=_("最近一次导入"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("最近一次修改该企业的表格导入。"),
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        permissions = [
            ("view_contact", _("可查看企业联系人及电话")),
            ("cover_enterprise", _("可纳入覆盖和分派跟进")),
        ]
        indexes = [
            # The coverage worklist: surveyed, uncovered, most women first.
            models.Index(
                Coalesce("female_employees", -1).desc(),
                "id",
                name="enterprise_worklist",
                condition=Q(federation__isnull=True, surveyed_on__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="enterprise_credit_code_format",
                condition=Q(credit_code__regex=CREDIT_CODE_PATTERN)
                | Q(credit_code_unverified=True, credit_code__regex=REGISTRATION_NUMBER_PATTERN),
            ),
            models.CheckConstraint(
                name="enterprise_female_le_employees",
                condition=Q(female_employees__isnull=True)
                | Q(employees__isnull=True)
                | Q(female_employees__lte=F("employees")),
            ),
            models.CheckConstraint(
                name="enterprise_covered_since_needs_federation",
                condition=Q(covered_since__isnull=True) | Q(federation__isnull=False),
            ),
            models.CheckConstraint(
                name="enterprise_party_org_date_needs_party_org",
                condition=Q(party_org_formed_on__isnull=True) | Q(has_party_org=True),
                violation_error_message=PARTY_ORG_DATE_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors: dict[str, list] = {}
        if self.credit_code and not self.credit_code_unverified:
            try:
                validate_credit_code(self.credit_code)
            except ValidationError as exc:
                hint = unverified_code_hint(self.credit_code)
                errors["credit_code"] = exc.messages + (
                    [_("若营业执照上确是此代码，请勾选“代码未核验”后保存。")] if hint else []
                )
        if (
            self.employees is not None
            and self.female_employees is not None
            and self.female_employees > self.employees
        ):
            errors["female_employees"] = [
                _("女职工人数（%(female)d）不能大于职工人数（%(total)d）。")
                % {"female": self.female_employees, "total": self.employees}
            ]
        if self.covered_since and not self.federation_id:
            errors["covered_since"] = [_("填写覆盖起始日期时须选择覆盖妇联。")]
        if self.party_org_formed_on and not self.has_party_org:
            errors["party_org_formed_on"] = [PARTY_ORG_DATE_MESSAGE]
        if errors:
            raise ValidationError(errors)

    @property
    def is_covered(self) -> bool:
        return self.federation_id is not None


class FollowUpVisit(TimeStamped):
    """A grassroots federation's visit to an uncovered enterprise the district gave it."""

    class Outcome(models.TextChoices):
        CONTACTED = "contacted", _("已联系")
        INTERESTED = "interested", _("有意向")
        FORMING = "forming", _("筹建中")
        ESTABLISHED = "established", _("已建立")
        DECLINED = "declined", _("暂不需要")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="visits"
    )
    federation = models.ForeignKey(
        Federation, verbose_name=_("走访妇联"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("走访日期"))
    contact_made = models.BooleanField(_("已与企业取得联系"), default=False)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    note = models.TextField(_("情况说明"), blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("跟进走访")
        verbose_name_plural = _("跟进走访")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "-visited_on"], name="visit_enterprise_date")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.visited_on:%Y-%m-%d} · {self.get_outcome_display()}"

    def clean(self):
        if self.visited_on and self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": [_("走访日期不能晚于今天。")]})


class ServiceSiteQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ServiceSite(TimeStamped):
    """A service site (阵地): 妇女之家, 儿童之家, 妇女微家, 温馨驿站, …"""

    PINYIN_SOURCES = ("name", "services")  # federation.core.pinyin
    SEARCH_FIELDS = ("name", "area", "address", "services", "description")  # search_index

    class Kind(models.TextChoices):
        WOMEN_HOME = "women_home", _("妇女之家")
        CHILDREN_HOME = "children_home", _("儿童之家")
        MICRO_HOME = "micro_home", _("妇女微家")
        MOBILE_MICRO_HOME = "mobile_micro_home", _("移动妇女微家")
        WARM_STATION = "warm_station", _("温馨驿站")
        CLOUD_STATION = "cloud_station", _("云上温馨驿站")
        HEART_STATION = "heart_station", _("心悦驿站")
        INNOVATION_STUDIO = "innovation_studio", _("巾帼创新工作室")
        HEALTH_ISLAND = "health_island", _("女职工健康安全岛")

    name = NameField(_("名称"), max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices, db_index=True)
    federation = models.ForeignKey(
        Federation,
        verbose_name=_("主办妇联"),
        on_delete=models.PROTECT,
        related_name="sites",
    )
    area = models.CharField(_("所在片区"), max_length=40, blank=True, db_index=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_latitude],
        help_text=COORDINATES_HELP,
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_longitude],
        help_text=COORDINATES_HELP,
    )
    hours_note = models.CharField(
        _("开放时间说明"), max_length=200, blank=True, help_text=_("如“法定节假日闭馆”。")
    )
    services = models.TextField(_("服务内容"), blank=True, help_text=_("每行一项服务。"))
    is_online = models.BooleanField(_("线上阵地"), default=False)
    is_mobile = models.BooleanField(_("流动/移动阵地"), default=False)
    online_url = models.URLField(_("线上入口"), blank=True)
    public_phone = models.CharField(
        _("对外服务电话"),
        max_length=40,
        blank=True,
        help_text=_("机构的公开服务电话，会在公开页面显示。"),
    )
    established_on = models.DateField(_("建立日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("开放中"), default=True)

    search_pinyin = models.TextField(
        _("拼音检索"), blank=True, default="", editable=False, help_text=_("由名称自动生成。")
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = ServiceSiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务阵地")
        verbose_name_plural = _("服务阵地")
        ordering = ["kind", "name"]
        # The site finder's order (area, then name): the first page is read from the index
        # instead of sorting every site.
        indexes = [models.Index(fields=["area", "name"], name="site_finder_order_idx")]
        constraints = [
            models.CheckConstraint(
                name="site_latitude_range",
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
            ),
            models.CheckConstraint(
                name="site_longitude_range",
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
            ),
            models.CheckConstraint(
                name="site_offline_has_address",
                condition=Q(is_online=True) | Q(is_mobile=True) | Q(address__gt=""),
            ),
            models.CheckConstraint(
                name="site_coordinates_together",
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("organizations:site_detail", self.pk)

    def clean(self):
        errors: dict[str, list] = {}
        if not (self.is_online or self.is_mobile) and not self.address.strip():
            errors["address"] = [_("线下阵地须填写地址。")]
        if self.is_online and not (self.online_url or self.description):
            errors["online_url"] = [_("线上阵地请填写线上入口或简介。")]
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = [
                _("经纬度须同时填写。")
            ]
        if errors:
            raise ValidationError(errors)

    @property
    def service_list(self) -> list[str]:
        return [line.strip() for line in self.services.splitlines() if line.strip()]


class OpeningHours(models.Model):
    """One opening period of a site on one weekday (Monday = 0); several per day are allowed."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("星期一")
        TUESDAY = 1, _("星期二")
        WEDNESDAY = 2, _("星期三")
        THURSDAY = 3, _("星期四")
        FRIDAY = 4, _("星期五")
        SATURDAY = 5, _("星期六")
        SUNDAY = 6, _("星期日")

    site = models.ForeignKey(
        ServiceSite, verbose_name=_("服务阵地"), on_delete=models.CASCADE, related_name="hours"
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    opens = models.TimeField(_("开门"))
    closes = models.TimeField(_("关门"))

    class Meta:
        verbose_name = _("开放时间")
        verbose_name_plural = _("开放时间")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                name="hours_open_before_close", condition=Q(opens__lt=F("closes"))
            ),
            models.CheckConstraint(
                name="hours_weekday_range", condition=Q(weekday__gte=0, weekday__lte=6)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if self.opens and self.closes and self.opens >= self.closes:
            raise ValidationError({"closes": _("关门时间须晚于开门时间。")})

    def is_open_at(self, moment: datetime.datetime) -> bool:
        return moment.weekday() == self.weekday and self.opens <= moment.time() < self.closes


class MediaAccount(ChoiceLabels, models.Model):
    """An account of the federation's new-media matrix (WeChat official account, Douyin, …)."""

    class Platform(models.TextChoices):
        WECHAT = "wechat", _("微信公众号")
        VIDEO = "channels", _("微信视频号")
        DOUYIN = "douyin", _("抖音")
        WEIBO = "weibo", _("微博")
        OTHER = "other", _("其他")

    name = models.CharField(_("账号名称"), max_length=60)
    platform = models.CharField(_("平台"), max_length=16, choices=Platform.choices)
    url = models.URLField(_("链接"), blank=True)
    handle = models.CharField(_("账号/微信号"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("新媒体账号")
        verbose_name_plural = _("新媒体矩阵")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.name}"


# --- Spreadsheet import and export history ---


class ImportJob(models.Model):
    """One upload of a spreadsheet: its preview, its outcome and the records it changed."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业名单")
        FEDERATION = "federation", _("妇联组织名单")
        SITE = "site", _("服务阵地名单")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        PREVIEWING = "previewing", _("正在检查")
        PREVIEWED = "previewed", _("待确认")
        INVALID = "invalid", _("有错误，未导入")
        APPLYING = "applying", _("正在导入")
        APPLIED = "applied", _("已导入")
        FAILED = "failed", _("导入失败，未做修改")
        CANCELLED = "cancelled", _("已取消")
        EXPIRED = "expired", _("已过期")

    class Source(models.TextChoices):
        ADMIN = "admin", _("管理后台")
        COMMAND = "command", _("命令行")

    kind = models.CharField(_("名单类型"), max_length=16, choices=Kind.choices)
    source = models.CharField(
        _("来源"), max_length=16, choices=Source.choices, default=Source.ADMIN
    )
    user = models.ForeignKey(
        "federation.User",
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    # The uploaded file waits in shared storage (default_storage) between preview and confirm.
    stored_file = models.CharField(_("存储路径"), max_length=300, blank=True, editable=False)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    sheet_name = models.CharField(_("工作表"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    background = models.BooleanField(_("后台执行"), default=False)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已检查行数"), default=0)
    new_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变化"), default=0)
    invalid_count = models.PositiveIntegerField(_("有错误的行"), default=0)
    skipped_count = models.PositiveIntegerField(_("跳过的行"), default=0)
    # 仅导入无误的行: the valid rows are applied, the others returned in the error sheet.
    skip_invalid = models.BooleanField(_("仅导入无误的行"), default=False)
    duplicates = models.CharField(
        _("重复的代码"),
        max_length=8,
        default="refuse",
        choices=[
            ("refuse", _("拒绝导入")),
            ("first", _("保留第一次出现的行")),
            ("last", _("保留最后一次出现的行")),
        ],
    )
    message = models.TextField(_("说明"), blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    ignored_columns = models.JSONField(_("忽略的列"), default=list, blank=True)
    notices = models.JSONField(_("提示"), default=list, blank=True)
    # The file's header row (its signature finds the mapping chosen last time) and the mapping
    # used: {"header_row": n, "columns": {label: field or ""}, "chosen": the admin chose it}.
    header_signature = models.CharField(_("表头特征"), max_length=40, blank=True, db_index=True)
    mapping = models.JSONField(_("列的对应"), default=dict, blank=True)
    # Rows whose values the admin must accept before the import is applied (unverified codes).
    warnings = models.JSONField(_("待确认的提示"), default=list, blank=True)
    # Compact per-row preview ([row, action, key, label, detail]); paginated, never shown whole.
    preview_rows = models.JSONField(_("预览行"), default=list, blank=True, editable=False)
    plan_digest = models.CharField(_("预览摘要"), max_length=64, blank=True, editable=False)
    error_file = models.CharField(_("错误表路径"), max_length=300, blank=True, editable=False)
    # When the clean-up deleted the stored files and per-row data (IMPORT_KEEP_DAYS after the
    # job's last step); the summary (counts, message) stays.
    data_removed_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    previewed_at = models.DateTimeField(_("预览时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Last sign of life of a running job (see organizations.importing.jobs.import_jobs_fail_stale).
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} · {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.PREVIEWING, self.Status.APPLYING}

    @property
    def progress_total(self) -> int:
        """Rows to check while previewing; rows to write while applying."""
        if self.status == self.Status.APPLYING:
            return self.new_count + self.updated_count
        return self.total_rows

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, self.processed_rows * 100 // self.progress_total)


class ExportLog(models.Model):
    """Every export of a list or report: who exported what, when, how many rows, with or without
    contacts."""

    #: The spreadsheet lists, plus the reports of the district cockpit.
    KIND_CHOICES = [
        *ImportJob.Kind.choices,
        ("cockpit", _("数据驾驶舱")),
        ("quarterly", _("季度工作台账")),
    ]

    kind = models.CharField(_("名单类型"), max_length=16, choices=KIND_CHOICES)
    user = models.ForeignKey(
        "federation.User",
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="export_logs",
    )
    file_format = models.CharField(_("格式"), max_length=8)
    row_count = models.PositiveIntegerField(_("行数"))
    with_personal_data = models.BooleanField(_("含个人信息列"), default=False)
    filters = models.CharField(_("筛选条件"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("导出时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.row_count}"


class CoverageSnapshot(models.Model):
    """The network's figures at the end of one day (a month's last day), rebuilt from the records'
    history by ``manage.py coverage_snapshots``: what ``/stats/?as_of=`` reads, so no request
    scans history."""

    on = models.DateField(_("统计日期"), unique=True)
    grassroots_federations = models.PositiveIntegerField(_("基层妇联组织"))
    women_groups = models.PositiveIntegerField(_("妇女小组"))
    covered_enterprises = models.PositiveIntegerField(_("覆盖企业"))
    surveyed_enterprises = models.PositiveIntegerField(_("已摸排企业"))
    covered_of_surveyed = models.PositiveIntegerField(_("已摸排且已覆盖"))
    service_sites = models.PositiveIntegerField(_("服务阵地"))
    #: {form: count} of active grassroots federations; {kind: count} of open sites;
    #: {sector: [surveyed, covered]} of enterprises.
    by_form = models.JSONField(_("按组建形式"), default=dict)
    by_kind = models.JSONField(_("按阵地类型"), default=dict)
    by_sector = models.JSONField(_("按领域"), default=dict)
    #: {area: [surveyed, covered]} of enterprises (the cockpit's trend by 片区).
    by_area = models.JSONField(_("按片区"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("覆盖月度快照")
        verbose_name_plural = _("覆盖月度快照")
        ordering = ["-on"]
        permissions = [("view_cockpit", _("可查看区级数据驾驶舱"))]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d}"

    @property
    def coverage_rate(self) -> int | None:
        """Percentage of surveyed enterprises that are covered, as on /stats/ now."""
        if not self.surveyed_enterprises:
            return None
        return round(100 * self.covered_of_surveyed / self.surveyed_enterprises)


class CoverageTarget(models.Model):
    """A coverage-rate target the district admin sets (for example 2026 年底覆盖率 80 %): for a
    year (quarter 0, the year's end) or one quarter, for the whole district or one 片区."""

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), default=0, help_text=_("0 表示全年（年底）目标，1–4 表示该季度末的目标。")
    )
    area = models.CharField(_("片区"), max_length=40, blank=True, help_text=_("留空表示全区目标。"))
    rate = models.PositiveSmallIntegerField(_("目标覆盖率（%）"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("覆盖目标")
        verbose_name_plural = _("覆盖目标")
        ordering = ["year", "quarter", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "area"], name="coverage_target_once_per_period"
            ),
            models.CheckConstraint(name="coverage_target_rate_percent", condition=Q(rate__lte=100)),
            models.CheckConstraint(name="coverage_target_quarter_0_4", condition=Q(quarter__lte=4)),
            models.CheckConstraint(
                name="coverage_target_year_range", condition=Q(year__gte=2000, year__lte=2100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_label} {self.area or _('全区')} {self.rate}%"

    @property
    def period_label(self) -> str:
        if self.quarter:
            return _("%(year)d年第%(quarter)d季度末") % {"year": self.year, "quarter": self.quarter}
        return _("%(year)d年底") % {"year": self.year}

    @property
    def ends_on(self) -> datetime.date:
        if self.quarter:
            month = self.quarter * 3
            following = datetime.date(self.year + (month == 12), month % 12 + 1, 1)
            return following - datetime.timedelta(days=1)
        return datetime.date(self.year, 12, 31)
