"""Activities, activity news (articles with photos) and exemplars."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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


class Activity(models.Model):
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
    is_public = models.BooleanField(
        _("公开"), default=True, help_text=_("取消勾选后，活动不出现在公开的活动日历中。")
    )
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

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:activity_detail", args=[self.pk])

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
    def published(self):
        """The one definition of what the public may see."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=timezone.now())

    def scheduled(self):
        """Published with a publish time still to come: public from that moment on."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__gt=timezone.now())

    def next_publish_at(self):
        """When the next scheduled article goes public (None when none is scheduled)."""
        return self.scheduled().order_by("publish_at").values_list("publish_at", flat=True).first()


class Article(models.Model):
    """Activity news (活动新闻): draft → submitted for review → published → unpublished."""

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
        indexes = [models.Index(fields=["status", "publish_at"], name="article_public_idx")]
        constraints = [
            models.CheckConstraint(
                name="article_published_has_time",
                condition=~Q(status="published") | Q(publish_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:article_detail", args=[self.pk])


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


class Exemplar(models.Model):
    """An honoured exemplar (典型): a woman or a collective selected in 巾帼建功行动."""

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

    history = HistoricalRecords()
    objects = ExemplarQuerySet.as_manager()

    class Meta:
        verbose_name = _("先进典型")
        verbose_name_plural = _("先进典型")
        ordering = ["-year", "name"]
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
        return reverse("activities:exemplar_detail", args=[self.pk])
