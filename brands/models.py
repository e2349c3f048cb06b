"""Brand programmes under the master brand 有你泰好 and their numbered sessions (期)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from federation.core.choices import ChoiceLabels
from federation.core.names import NameField


class BrandQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Brand(ChoiceLabels, models.Model):
    """A brand programme (泰达儿童之家, 为爱而来, 巾帼科创营, …)."""

    PINYIN_SOURCES = ("name", "tagline", "services")  # federation.core.pinyin
    SEARCH_FIELDS = ("name", "tagline", "description", "services")  # search_index

    class Focus(models.TextChoices):
        CHILDCARE = "childcare", _("职工子女托管")
        MATCHMAKING = "matchmaking", _("婚恋交友")
        ENTREPRENEURSHIP = "entrepreneurship", _("创业创新")
        HEALTH = "health", _("健康安全")
        RIGHTS = "rights", _("权益维护")
        SPORTS = "sports", _("文体活动")
        COUNSELLING = "counselling", _("心理关爱")
        OTHER = "other", _("综合服务")

    class Unit(models.TextChoices):
        # What the brand's own news call one of its sessions: 第21期, 第112场, 第3次.
        PERIOD = "期", _("期")
        EVENT = "场", _("场")
        TIME = "次", _("次")

    name = NameField(_("品牌名称"), max_length=80, unique=True)
    slug = models.SlugField(
        _("网址标识"),
        max_length=60,
        unique=True,
        help_text=_("用于网址的英文标识，如 children-home。"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("主品牌"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_brands",
    )
    focus = models.CharField(
        _("服务方向"), max_length=20, choices=Focus.choices, default=Focus.OTHER
    )
    tagline = models.CharField(_("口号"), max_length=120, blank=True)
    description = models.TextField(_("介绍"), blank=True)
    services = models.TextField(_("服务内容"), blank=True, help_text=_("每行一项。"))
    organizer = models.ForeignKey(
        "organizations.Federation",
        verbose_name=_("主办妇联"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="brands",
    )
    launched_on = models.DateField(_("创立日期"), null=True, blank=True)
    is_matchmaking = models.BooleanField(
        _("婚恋交友类"),
        default=False,
        help_text=_("勾选后，任何参与者身份信息都不会出现在公开页面。"),
    )
    session_unit = models.CharField(
        _("期次单位"),
        max_length=2,
        choices=Unit.choices,
        default=Unit.PERIOD,
        help_text=_("公开页面上期次的叫法：托管班按“期”，交友活动按“场”。"),
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_published = models.BooleanField(_("公开"), default=True)

    search_pinyin = models.TextField(
        _("拼音检索"), blank=True, default="", editable=False, help_text=_("由名称自动生成。")
    )
    history = HistoricalRecords()
    objects = BrandQuerySet.as_manager()

    class Meta:
        verbose_name = _("品牌")
        verbose_name_plural = _("品牌")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("brands:brand_detail", args=[self.slug])

    @property
    def keeps_participants_private(self) -> bool:
        """Matchmaking by the tick, by its focus, or as a sub-brand of a matchmaking brand: then
        nothing that could name a participant (session summaries) goes on a public page."""
        if self.is_matchmaking or self.focus == self.Focus.MATCHMAKING:
            return True
        return self.parent_id is not None and self.parent.keeps_participants_private

    @property
    def service_list(self) -> list[str]:
        return [line.strip() for line in self.services.splitlines() if line.strip()]

    @property
    def unit_label(self) -> str:
        return self.Unit(self.session_unit).label

    @property
    def count_label(self) -> str:
        """The heading of the session count: 期数, 场次 or 次数."""
        return {self.Unit.EVENT: _("场次"), self.Unit.TIME: _("次数")}.get(
            self.session_unit, _("期数")
        )

    def session_label(self, number: int) -> str:
        return _("第%(number)d%(unit)s") % {"number": number, "unit": self.unit_label}


class BrandSession(ChoiceLabels, models.Model):
    """One numbered session (第N期) or event of a brand, with its outcome figures."""

    brand = models.ForeignKey(
        Brand, verbose_name=_("品牌"), on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveIntegerField(
        _("期数"), help_text=_("第几期，从1开始，同一品牌内不重复。")
    )
    title = models.CharField(_("标题"), max_length=120, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    site = models.ForeignKey(
        "organizations.ServiceSite",
        verbose_name=_("举办阵地"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="brand_sessions",
    )
    federation = models.ForeignKey(
        "organizations.Federation",
        verbose_name=_("承办妇联"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="brand_sessions",
    )
    participants = models.PositiveIntegerField(_("参与人数"), default=0)
    # Set by activities.services.attendance_refresh: True when the figure is the sum of the
    # check-ins of the session's activities with sign-up (签到统计), not a typed one (填报).
    participants_counted = models.BooleanField(_("参与人数来自签到"), default=False, editable=False)
    families = models.PositiveIntegerField(_("帮助家庭数"), default=0)
    enterprises = models.PositiveIntegerField(
        _("受惠企业数"), default=0, help_text=_("本期新增受惠的企业数，累计时直接相加。")
    )
    classes_incubated = models.PositiveIntegerField(_("孵化托管班数"), default=0)
    couples = models.PositiveIntegerField(_("牵手成功对数"), default=0)
    summary = models.TextField(_("总结"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("品牌期次")
        verbose_name_plural = _("品牌期次")
        ordering = ["brand", "number"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "number"], name="brand_session_number_unique"),
            models.CheckConstraint(
                name="brand_session_number_positive", condition=Q(number__gte=1)
            ),
            models.CheckConstraint(
                name="brand_session_dates_ordered",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand.name} {self.label}"

    def clean(self):
        # The database refuses it too (activities' brand sessions belong to their brand).
        if self.pk is None or self._state.adding:
            return
        stored = BrandSession.objects.filter(pk=self.pk).values_list("brand_id", flat=True).first()
        if stored is not None and stored != self.brand_id:
            linked = self.activities.count()
            if linked:
                message = ngettext(
                    "已有 %(count)d 项活动关联该期次，不能改为其他品牌；请先在这些活动中取消该期次。",
                    "已有 %(count)d 项活动关联该期次，不能改为其他品牌；请先在这些活动中取消该期次。",
                    linked,
                )
                raise ValidationError({"brand": message % {"count": linked}})

    @property
    def label(self) -> str:
        return self.brand.session_label(self.number)
