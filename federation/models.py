"""Accounts of the portal (each staff member may belong to one federation of the network) and the
portal's own settings."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    federation = models.ForeignKey(
        "organizations.Federation",
        verbose_name=_("所属妇联"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("基层妇联工作人员只能查看和修改本妇联（及其妇女小组）的记录；区级角色留空。"),
    )
    display_name = models.CharField(_("姓名"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.get_username()


class PersonalDataAccess(models.Model):
    """One view of an unmasked personal value, or one export containing personal data.

    Written by ``federation.core.audit.personal_data_access_log``; nobody edits or deletes it.
    """

    class Kind(models.TextChoices):
        VIEW = "view", _("查看")
        EXPORT = "export", _("导出")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        "federation.User",
        verbose_name=_("用户"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="personal_data_accesses",
    )
    # Kept even after the account is deleted.
    username = models.CharField(_("用户名"), max_length=150)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.VIEW)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("数据类型"), on_delete=models.PROTECT
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    object_count = models.PositiveIntegerField(_("记录数"), default=1)
    fields = models.CharField(_("字段"), max_length=300)
    path = models.CharField(_("页面"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="pda_object_idx")]

    def __str__(self) -> str:
        return f"{self.username} {self.get_kind_display()} {self.object_repr} ({self.fields})"


class Notification(models.Model):
    """A message for one staff member in the portal (sent back, published …), with a link."""

    recipient = models.ForeignKey(
        "federation.User",
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.CharField(_("内容"), max_length=400)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message


ICP_NUMBER = RegexValidator(
    r"^[\u4e00-\u9fff]{1,2}ICP备\d{8,12}号(-\d{1,3})?$",
    _("ICP 备案号格式应如“津ICP备2024012345号-1”（与工信部备案系统中的一致）。"),
)
POLICE_NUMBER = RegexValidator(
    r"^[\u4e00-\u9fff]{1,2}公网安备\d{14}号$",
    _("公安备案号格式应如“津公网安备12011602000123号”（14 位数字）。"),
)
OFFICE_PHONE = RegexValidator(
    r"^[0-9０-９()（）+\- ]{7,30}$",
    _("请填写办公电话，如 022-6620 0000（只含数字、空格、-、括号）。"),
)


def portal_upload_to(instance, filename: str) -> str:
    # The uploads are re-encoded under a random name (federation.portal.shrink_upload).
    return f"portal/{filename}"


class PortalSettings(models.Model):
    """The portal's official face, one row, set by district admins: name, emblem, the 备案
    numbers, the contact line, the 公众号 QR codes and the home page's lead story (头条).

    Read through :func:`federation.portal.current` (cached; a save refreshes every page)."""

    SINGLETON_PK = 1
    QR_SLOTS = (1, 2, 3)

    name = models.CharField(
        _("门户名称"),
        max_length=40,
        blank=True,
        help_text=_("留空则用“有你泰好”（英文界面显示其译名）。"),
    )
    owner = models.CharField(
        _("主办单位"),
        max_length=60,
        blank=True,
        help_text=_("留空则用“天津经开区妇联”（英文界面显示其译名）。"),
    )
    emblem = models.ImageField(
        _("徽标"),
        upload_to=portal_upload_to,
        blank=True,
        help_text=_("页眉左侧的徽标或标志，JPEG、PNG 或 WebP，保存时缩到 192 像素以内。"),
    )
    icp_number = models.CharField(
        _("ICP 备案号"),
        max_length=40,
        blank=True,
        validators=[ICP_NUMBER],
        help_text=_("页脚显示，并链接到工信部备案查询 beian.miit.gov.cn。"),
    )
    police_number = models.CharField(
        _("公安备案号"),
        max_length=40,
        blank=True,
        validators=[POLICE_NUMBER],
        help_text=_("页脚显示，并按公安机关要求链接到 beian.mps.gov.cn 上本站的备案信息。"),
    )
    contact_address = models.CharField(_("联系地址"), max_length=120, blank=True)
    contact_phone = models.CharField(
        _("联系电话"),
        max_length=30,
        blank=True,
        validators=[OFFICE_PHONE],
        help_text=_("公开的办公电话（不要填个人手机）。"),
    )
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    qr_1_title = models.CharField(_("二维码一名称"), max_length=30, blank=True)
    qr_1 = models.ImageField(_("二维码一"), upload_to=portal_upload_to, blank=True)
    qr_2_title = models.CharField(_("二维码二名称"), max_length=30, blank=True)
    qr_2 = models.ImageField(_("二维码二"), upload_to=portal_upload_to, blank=True)
    qr_3_title = models.CharField(_("二维码三名称"), max_length=30, blank=True)
    qr_3 = models.ImageField(_("二维码三"), upload_to=portal_upload_to, blank=True)
    lead_article = models.ForeignKey(
        "activities.Article",
        verbose_name=_("首页头条"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("首页顶部的头条文章（须已发布）；留空则用最新一篇带照片的资讯。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("门户设置")
        verbose_name_plural = _("门户设置")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="portal_settings_singleton")
        ]

    def __str__(self) -> str:
        return str(_("门户设置"))

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK  # one row, whoever saves it
        super().save(*args, **kwargs)

    def clean(self):
        for slot in self.QR_SLOTS:
            if getattr(self, f"qr_{slot}") and not getattr(self, f"qr_{slot}_title"):
                raise ValidationError(
                    {f"qr_{slot}_title": _("请填写二维码的名称，如“天津经开区妇联公众号”。")}
                )

    @property
    def police_code(self) -> str:
        """The 14 digits the 公安 beian site looks the portal up by."""
        return "".join(c for c in self.police_number if c.isdigit())


class SearchGram(models.Model):
    """One two-character piece of a searchable row's text: the rows that can hold a word.

    Kept by :mod:`federation.core.search_index`; rebuilt by ``manage.py rebuild_search_index``.
    """

    model = models.CharField(max_length=60)  # the row's model label, e.g. organizations.federation
    gram = models.CharField(max_length=2)
    key = models.BigIntegerField()  # the row's primary key

    class Meta:
        verbose_name = _("搜索索引片段")
        verbose_name_plural = _("搜索索引片段")
        constraints = [
            models.UniqueConstraint(fields=["model", "gram", "key"], name="search_gram_unique")
        ]
        indexes = [models.Index(fields=["model", "key"], name="search_gram_row_idx")]

    def __str__(self):
        return f"{self.model} {self.gram} {self.key}"
