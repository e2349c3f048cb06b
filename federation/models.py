"""Accounts of the portal: each staff member may belong to one federation of the network."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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
