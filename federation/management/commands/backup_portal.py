from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from federation.ops import backup


class Command(BaseCommand):
    help = _("备份数据库和上传的图片（数据库转储 + 媒体归档）。")

    def add_arguments(self, parser):
        parser.add_argument("--output", default="backups", help=_("备份存放目录"))
        parser.add_argument(
            "--keep-days", type=int, default=0, help=_("删除早于该天数的备份（0 = 不删除）")
        )

    def handle(self, *args, output, keep_days, **options):
        try:
            folder = backup.backup(Path(output))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = backup.read_manifest(folder)
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                _("备份完成：%(folder)s（%(tables)d 张表，%(rows)d 行）")
                % {"folder": folder, "tables": len(manifest["tables"]), "rows": rows}
            )
        )
        if keep_days:
            for old in backup.prune(Path(output), keep_days):
                self.stdout.write(_("已删除过期备份：%(folder)s") % {"folder": old})
