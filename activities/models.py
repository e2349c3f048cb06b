"""Activities, activity news (articles with photos) and exemplars."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from federation.core.choices import ChoiceLabels
from federation.core.links import object_url
from federation.core.names import NameField


class Series(models.Model):
    """A named series of activities (巾帼“云课堂”, “巾帼心向党”, …)."""

    name = NameField(_("名称"), max_length=80, unique=True)
    slug = models.SlugField(_("网址标识"), max_length=60, unique=True)
    description = models.TextField(_("介绍"), blank=True)

    class Meta:
        verbose_name = _("活动系列")
        verbose_name_plural = _("活动系列")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ActivityQuerySet(models.QuerySet):
    def public(self):
        """The activities the public calendar, pages, figures and sitemap may show."""
        return self.filter(is_public=True)


class Activity(ChoiceLabels, models.Model):
    class Category(models.TextChoices):
        GUIDANCE = "guidance", _("思想引领类")
        URGENT_NEEDS = "needs", _("迫切需求类")
        EMPOWERMENT = "empowerment", _("赋能提升类")
        VOLUNTEER = "volunteer", _("志愿服务")
        CULTURE = "culture", _("文艺交流")
        CARE = "care", _("走访慰问")

    class Format(models.TextChoices):
        OFFLINE = "offline", _("线下")
        ONLINE = "online", _("线上")
        HYBRID = "hybrid", _("线上线下结合")

    title = models.CharField(_("活动名称"), max_length=160)
    category = models.CharField(
        _("活动类别"), max_length=16, choices=Category.choices, db_index=True
    )
    format = models.CharField(
        _("活动形式"), max_length=10, choices=Format.choices, default=Format.OFFLINE
    )
    series = models.ForeignKey(
        Series,
        verbose_name=_("所属系列"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    organizer = models.ForeignKey(
        "organizations.Federation",
        verbose_name=_("主办妇联"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    site = models.ForeignKey(
        "organizations.ServiceSite",
        verbose_name=_("活动阵地"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    brand = models.ForeignKey(
        "brands.Brand",
        verbose_name=_("所属品牌"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    brand_session = models.ForeignKey(
        "brands.BrandSession",
        verbose_name=_("品牌期次"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    location = models.CharField(
        _("活动地点"), max_length=200, blank=True, help_text=_("不在服务阵地举办时填写。")
    )
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("参与人数"), null=True, blank=True)
    description = models.TextField(_("活动简介"), blank=True)
    # 云课堂: how a visitor joins an online or hybrid activity (shown with a QR code).
    join_url = models.URLField(
        _("线上参与链接"),
        blank=True,
        help_text=_(
            "线上或线上线下结合的活动：直播间、腾讯会议等的链接，公开页面显示链接和二维码。"
        ),
    )
    join_info = models.CharField(
        _("线上参与说明"), max_length=200, blank=True, help_text=_("如“腾讯会议号 123 456 789”。")
    )
    is_public = models.BooleanField(
        _("公开"), default=True, help_text=_("取消勾选后，活动不出现在公开的活动日历中。")
    )
    is_sensitive = models.BooleanField(
        _("敏感活动"),
        default=False,
        help_text=_(
            "婚恋交友、心理咨询等：报名名单只有获得专门授权的人员可以查看，不能导出，"
            "公开页面不展示参与者照片。婚恋交友类品牌的活动自动按敏感活动处理。"
        ),
    )
    # Set by activities.services.attendance_refresh, never by a form: True when the figure above
    # is the number of check-ins (签到统计) rather than a number typed in (填报).
    participants_counted = models.BooleanField(_("参与人数来自签到"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                name="activity_ends_after_start",
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
            ),
        ]
        # Also enforced by the database, by triggers (a CHECK cannot see another table): the
        # brand session belongs to the activity's brand. See migration 0005.
        # With the index on starts_at: "ongoing or upcoming" (starts_at >= now OR ends_at >= now)
        # is read from the two indexes instead of a scan of every activity. A plain index (not
        # db_index on the field): on SQLite it is added without copying the table.
        indexes = [models.Index(fields=["ends_at"], name="activity_ends_at_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("activities:activity_detail", self.pk)

    @property
    def keeps_participants_private(self) -> bool:
        """Marked sensitive, or part of a matchmaking brand: no participant shown anywhere public,
        registrations only for the separate permission, no export."""
        if self.is_sensitive:
            return True
        return self.brand_id is not None and self.brand.keeps_participants_private

    def clean(self):
        if self.brand_session_id is None:
            return
        session = self.brand_session
        if self.brand_id is None:
            self.brand_id = session.brand_id  # choosing a session chooses its brand
        elif session.brand_id != self.brand_id:
            raise ValidationError(
                {
                    "brand_session": _("所选期次属于品牌“%(brand)s”，与活动的所属品牌不一致。")
                    % {"brand": session.brand.name}
                }
            )


def unlink_sessions_of_deleted_brand(sender, instance, **_kwargs) -> None:
    """Before a brand is deleted, its activities drop its sessions.

    Deleting a brand clears both the brand and the session of its activities, the brand first:
    the database refuses that in-between state (a session of a brand the activity no longer has).
    Connected to ``pre_delete`` of Brand, which also fires for queryset deletes.
    """
    Activity.objects.filter(brand_session__brand=instance).update(brand_session=None)


class ArticleQuerySet(models.QuerySet):
    def published(self, at=None):
        """The one definition of what the public may see (now, or at the moment ``at``)."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=at or timezone.now())

    def scheduled(self):
        """Published with a publish time still to come: public from that moment on."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__gt=timezone.now())

    def next_publish_at(self):
        """When the next scheduled article goes public (None when none is scheduled)."""
        return self.scheduled().order_by("publish_at").values_list("publish_at", flat=True).first()


class Article(ChoiceLabels, models.Model):
    """Activity news (活动新闻): draft → submitted for review → published → unpublished."""

    SEARCH_FIELDS = ("title", "summary", "body")  # federation.core.search_index

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        PUBLISHED = "published", _("已发布")
        UNPUBLISHED = "unpublished", _("已撤回")

    title = models.CharField(_("标题"), max_length=160)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("正文"), help_text=_("保存时会清除脚本等不安全内容。"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        _("发布时间"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("已发布的文章在此时间后公开；填写将来的时间即定时发布（北京时间）。"),
    )
    federation = models.ForeignKey(
        "organizations.Federation",
        verbose_name=_("所属妇联"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("关联活动"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    brand = models.ForeignKey(
        "brands.Brand",
        verbose_name=_("关联品牌"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    # Chosen by the author (设为封面): the lead picture of the article and its card's thumbnail.
    cover_photo = models.ForeignKey(
        "Photo",
        verbose_name=_("封面照片"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("图文来源"), max_length=60, blank=True)
    editor = models.CharField(_("编辑"), max_length=40, blank=True)
    proofreader = models.CharField(_("校对"), max_length=40, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撰稿账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    submitted_at = models.DateTimeField(_("提交审核时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动新闻")
        verbose_name_plural = _("活动新闻")
        ordering = ["-publish_at", "-pk"]
        permissions = [("publish_article", _("可审核和发布活动新闻"))]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="article_public_idx"),
            # The home page's lead story: the newest published article with a cover, found
            # without testing every article when few have one.
            models.Index(
                fields=["status", "publish_at", "id"],  # id: the list's tiebreak, no sort
                name="article_with_cover_idx",
                condition=Q(cover_photo__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="article_published_has_time",
                condition=~Q(status="published") | Q(publish_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("activities:article_detail", self.pk)

    def clean(self):
        super().clean()
        if self.cover_photo_id and self.cover_photo.article_id != self.pk:
            raise ValidationError({"cover_photo": _("封面只能是本文的照片。")})

    @property
    def is_scheduled(self) -> bool:
        """Published with a publish time still to come: not public yet."""
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def status_label(self) -> str:
        """The status as staff read it: a scheduled article is not yet 已发布."""
        if self.is_scheduled:
            at = timezone.localtime(self.publish_at, timezone.get_default_timezone()).strftime(
                "%Y-%m-%d %H:%M"
            )
            return _("定时发布（北京时间 %(at)s）") % {"at": at}
        return self.get_status_display()


class ArticleTransition(models.Model):
    """One step of the publishing workflow: who moved the article from which state to which."""

    article = models.ForeignKey(
        Article, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=Article.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Article.Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.from_status} → {self.to_status}"


def _random_name(folder: str, filename: str) -> str:
    # /media/ is served without a check: an upload's name must not be guessable (nor the
    # uploader's own file name).
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"{folder}/{uuid.uuid4().hex}{extension}"


def photo_upload_to(instance: Photo, filename: str) -> str:
    return _random_name(f"photos/{timezone.now():%Y/%m}", filename)


def exemplar_upload_to(instance: Exemplar, filename: str) -> str:
    return _random_name(f"exemplars/{timezone.now():%Y}", filename)


FOCUS_CHOICES = [(n, f"{n}%") for n in range(0, 101, 10)]


class Photo(models.Model):
    article = models.ForeignKey(
        Article, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(
        _("图片"), upload_to=photo_upload_to, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(_("宽度"), default=0, editable=False)
    height = models.PositiveIntegerField(_("高度"), default=0, editable=False)
    caption = models.CharField(_("图片说明"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    # The point a crop keeps (the square share card, list thumbnails), in percent of the width
    # and height from the top left; 50/50 is the centre. blank: a form that does not send it
    # (one opened before it existed) keeps the stored point.
    focus_x = models.PositiveSmallIntegerField(
        _("焦点（从左到右）"), choices=FOCUS_CHOICES, default=50, blank=True
    )
    focus_y = models.PositiveSmallIntegerField(
        _("焦点（从上到下）"), choices=FOCUS_CHOICES, default=50, blank=True
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    # Who added, re-captioned or removed which photo, and when.
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("图片")
        verbose_name_plural = _("图片")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class Rendition(models.Model):
    """A resized copy of a photo, generated once and reused (e.g. 640 px wide WebP)."""

    photo = models.ForeignKey(
        Photo, verbose_name=_("图片"), on_delete=models.CASCADE, related_name="renditions"
    )
    spec = models.CharField(_("规格"), max_length=40)
    file = models.ImageField(_("文件"), upload_to="renditions/%Y/%m/")
    width = models.PositiveIntegerField(_("宽度"))
    height = models.PositiveIntegerField(_("高度"))

    class Meta:
        verbose_name = _("图片规格")
        verbose_name_plural = _("图片规格")
        constraints = [
            models.UniqueConstraint(fields=["photo", "spec"], name="rendition_photo_spec_unique")
        ]

    def __str__(self) -> str:
        return f"{self.photo_id}:{self.spec}"


class ExemplarQuerySet(models.QuerySet):
    def published(self):
        """Only exemplars whose publication was consented to are public."""
        return self.filter(consent_to_publish=True)


class Exemplar(ChoiceLabels, models.Model):
    """An honoured exemplar (典型): a woman or a collective selected in 巾帼建功行动."""

    PINYIN_SOURCES = ("name", "workplace")  # federation.core.pinyin
    SEARCH_FIELDS = ("name", "workplace", "title", "story")  # federation.core.search_index

    class Kind(models.TextChoices):
        PERSON = "person", _("个人")
        COLLECTIVE = "collective", _("集体")

    class Honour(models.TextChoices):
        MERIT_STAR = "merit_star", _("巾帼建功标兵")
        CIVILISED_POST = "civilised_post", _("巾帼文明岗")
        RED_FLAG = "red_flag", _("三八红旗手")
        RED_FLAG_COLLECTIVE = "red_flag_collective", _("三八红旗集体")
        MOST_BEAUTIFUL_FAMILY = "family", _("最美家庭")
        NEW_WOMAN = "new_woman", _("泰达“新”女性")
        INNOVATION = "innovation", _("巾帼创新能手")
        VOLUNTEER = "volunteer", _("巾帼志愿者之星")

    name = NameField(_("姓名/集体名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    honour = models.CharField(_("荣誉"), max_length=24, choices=Honour.choices, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    workplace = models.CharField(_("工作单位"), max_length=120, blank=True)
    title = models.CharField(_("职务/身份"), max_length=80, blank=True)
    federation = models.ForeignKey(
        "organizations.Federation",
        verbose_name=_("推荐妇联"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemplars",
    )
    story = models.TextField(_("事迹"), blank=True)
    photo = models.ImageField(_("照片"), upload_to=exemplar_upload_to, blank=True)
    consent_to_publish = models.BooleanField(
        _("同意公开"), default=False, help_text=_("本人或集体书面同意后才可在公开页面展示。")
    )
    consent_recorded_on = models.DateField(_("同意日期"), null=True, blank=True)

    search_pinyin = models.TextField(
        _("拼音检索"), blank=True, default="", editable=False, help_text=_("由名称自动生成。")
    )
    history = HistoricalRecords()
    objects = ExemplarQuerySet.as_manager()

    class Meta:
        verbose_name = _("先进典型")
        verbose_name_plural = _("先进典型")
        ordering = ["-year", "name"]
        # The public list's order (/exemplars/): its first page read from the index. By year
        # alone, the names of a whole year were sorted on every render.
        indexes = [models.Index(fields=["-year", "name"], name="exemplar_list_order_idx")]
        constraints = [
            models.CheckConstraint(
                name="exemplar_year_range", condition=Q(year__gte=1949, year__lte=2100)
            ),
            models.CheckConstraint(
                name="exemplar_consent_dated",
                condition=Q(consent_to_publish=False) | Q(consent_recorded_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_honour_display()} {self.year}）"

    def get_absolute_url(self) -> str:
        return object_url("activities:exemplar_detail", self.pk)


# --- Sign-up (报名) and check-in (签到), issue 13 --------------------------------------------------
class RegistrationSettings(models.Model):
    """How an activity takes sign-ups: window (Beijing time), places, waitlist, questions, who."""

    class Mode(models.TextChoices):
        OFF = "off", _("不开放报名")
        OPEN = "open", _("开放报名")

    class Eligibility(models.TextChoices):
        EVERYONE = "everyone", _("所有人")
        COVERED = "covered", _("仅限覆盖企业的女职工")

    activity = models.OneToOneField(
        Activity,
        verbose_name=_("活动"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="registration_settings",
    )
    mode = models.CharField(_("报名"), max_length=8, choices=Mode.choices, default=Mode.OPEN)
    opens_at = models.DateTimeField(
        _("报名开始时间"), null=True, blank=True, help_text=_("北京时间；留空即立即开始。")
    )
    closes_at = models.DateTimeField(
        _("报名截止时间"), null=True, blank=True, help_text=_("北京时间；留空即截止到活动开始。")
    )
    capacity = models.PositiveIntegerField(
        _("名额"), help_text=_("在线报名可确认的人数；现场登记不占名额。")
    )
    waitlist = models.BooleanField(
        _("名额满后可候补"), default=True, help_text=_("有人取消时，候补者按顺序自动递补。")
    )
    eligibility = models.CharField(
        _("报名对象"), max_length=10, choices=Eligibility.choices, default=Eligibility.EVERYONE
    )
    ask_workplace = models.BooleanField(
        _("询问工作单位"),
        default=False,
        help_text=_("“仅限覆盖企业的女职工”时总会询问，并须从覆盖企业中选择。"),
    )
    ask_children = models.BooleanField(
        _("询问子女人数和年龄"), default=False, help_text=_("用于职工子女托管班等。")
    )
    question = models.CharField(
        _("自定义问题"),
        max_length=120,
        blank=True,
        help_text=_("例如“您最希望了解的内容”；留空则不问。"),
    )
    result_message = models.TextField(
        _("报名成功提示"),
        blank=True,
        max_length=500,
        help_text=_("显示在报名结果页，例如集合地点、需携带的物品。"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报名设置")
        verbose_name_plural = _("报名设置")
        constraints = [
            models.CheckConstraint(
                name="registration_capacity_positive", condition=Q(capacity__gte=1)
            ),
            models.CheckConstraint(
                name="registration_window_ordered",
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
            ),
        ]

    def __str__(self) -> str:
        return str(self.activity)

    @property
    def is_enabled(self) -> bool:
        return self.mode == self.Mode.OPEN

    def closes(self):
        """When sign-up ends: the set time, or the activity's start."""
        return self.closes_at or self.activity.starts_at

    def is_open_at(self, when) -> bool:
        if not self.is_enabled:
            return False
        if self.opens_at and when < self.opens_at:
            return False
        return when < self.closes()

    @property
    def asks_workplace(self) -> bool:
        return self.ask_workplace or self.eligibility == self.Eligibility.COVERED


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        """Registrations holding a place or a waitlist position."""
        return self.filter(
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
        )

    def places_taken(self):
        """Confirmed sign-ups that count against the capacity (walk-ins do not)."""
        return self.filter(status=Registration.Status.CONFIRMED).exclude(
            source=Registration.Source.WALK_IN
        )

    def waitlist(self):
        return self.filter(status=Registration.Status.WAITLISTED).order_by("queued_at", "pk")

    def checked_in(self):
        return self.filter(checked_in_at__isnull=False)


class Registration(models.Model):
    """One person's sign-up for one activity (报名), with its ticket code and check-in.

    The personal fields (name, mobile, answers, address) are erased ``REGISTRATION_KEEP_DAYS``
    after the activity; the row stays so the figures keep counting. They are excluded from the
    history, which therefore never holds them.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("报名成功")
        WAITLISTED = "waitlisted", _("候补")
        CANCELLED = "cancelled", _("已取消")

    class Source(models.TextChoices):
        ONLINE = "online", _("在线报名")
        WALK_IN = "walk_in", _("现场登记")

    class CheckinMethod(models.TextChoices):
        QR = "qr", _("扫描凭证二维码")
        CODE = "code", _("输入报名码")
        SELF = "self", _("本人扫描签到码")
        WALK_IN = "walk_in", _("现场登记")

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="registrations"
    )
    code = models.CharField(_("报名码"), max_length=12, unique=True, editable=False)
    participant_name = models.CharField(_("姓名"), max_length=40)
    mobile = models.CharField(_("手机号"), max_length=11)
    enterprise = models.ForeignKey(
        "organizations.Enterprise",
        verbose_name=_("所在企业"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    workplace = models.CharField(_("工作单位"), max_length=120, blank=True)
    children_count = models.PositiveSmallIntegerField(_("子女人数"), null=True, blank=True)
    children_ages = models.CharField(_("子女年龄"), max_length=40, blank=True)
    answer = models.TextField(_("回答"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, db_index=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=Source.choices, default=Source.ONLINE
    )
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    # The waitlist's order: the sign-up time, or the moment staff moved someone back to it.
    queued_at = models.DateTimeField(_("排队时间"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取消人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空表示本人取消。"),
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签到操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    checkin_method = models.CharField(
        _("签到方式"), max_length=8, choices=CheckinMethod.choices, blank=True
    )
    # The id a staff phone gave the scan: a scan re-sent after a lost connection is recognised.
    checkin_scan_id = models.CharField(_("扫码编号"), max_length=40, blank=True, editable=False)
    consented_at = models.DateTimeField(_("同意个人信息告知的时间"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    erased_at = models.DateTimeField(_("个人信息删除时间"), null=True, blank=True)

    history = HistoricalRecords(
        excluded_fields=[
            "participant_name",
            "mobile",
            "workplace",
            "children_ages",
            "answer",
            "ip_address",
            "checkin_scan_id",
        ]
    )
    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["activity", "created_at", "pk"]
        permissions = [
            ("export_registration", _("可导出报名名单")),
            ("view_sensitive_registration", _("可查看敏感活动（如婚恋交友）的报名名单")),
        ]
        indexes = [
            models.Index(fields=["activity", "status", "queued_at"], name="registration_queue_idx")
        ]
        constraints = [
            # One place or waitlist position per mobile per activity (cancelled ones may sign up again).
            models.UniqueConstraint(
                fields=["activity", "mobile"],
                condition=Q(status__in=["confirmed", "waitlisted"]) & ~Q(mobile=""),
                name="registration_one_per_mobile",
            ),
            models.CheckConstraint(
                name="registration_checked_in_confirmed",
                condition=Q(checked_in_at__isnull=True) | Q(status="confirmed"),
            ),
            models.CheckConstraint(
                name="registration_erased_is_empty",
                condition=Q(erased_at__isnull=True) | (Q(participant_name="") & Q(mobile="")),
            ),
        ]

    def __str__(self) -> str:
        # Never the name: this string ends up in admin logs and access logs that outlive erasure.
        return _("报名 %(code)s") % {"code": self.display_code}

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}" if len(self.code) == 8 else self.code

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def waitlist_position(self) -> int | None:
        if self.status != self.Status.WAITLISTED:
            return None
        ahead = (
            Registration.objects.filter(activity_id=self.activity_id)
            .waitlist()
            .filter(Q(queued_at__lt=self.queued_at) | Q(queued_at=self.queued_at, pk__lt=self.pk))
        )
        return ahead.count() + 1
