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
