"""Erase registrants' personal data REGISTRATION_KEEP_DAYS after their activity (run daily)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from activities.tasks import registrations_retention


class Command(BaseCommand):
    help = _("删除活动结束超过保存期限的报名个人信息（保留人数统计），并清理过期验证码。")

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-days",
            type=int,
            default=None,
            help=_("保存天数（默认 REGISTRATION_KEEP_DAYS）。"),
        )

    def handle(self, *args, keep_days=None, **options):
        erased = registrations_retention.call(keep_days=keep_days)
        self.stdout.write(_("已删除 %(n)d 条报名的个人信息。") % {"n": erased})
