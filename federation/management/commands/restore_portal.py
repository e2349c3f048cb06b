from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from federation.ops import backup as backups


class Command(BaseCommand):
    help = _("把备份恢复到一个空数据库，并校验行数。")

    def add_arguments(self, parser):
        parser.add_argument("backup", help=_("备份目录（teda-YYYYmmdd-HHMMSS）"))
        parser.add_argument(
            "--database-url", default="", help=_("目标数据库（默认：DATABASE_URL 指向的数据库）")
        )
        parser.add_argument(
            "--media-root", default="", help=_("图片恢复到的目录（默认：MEDIA_ROOT）")
        )

    def handle(self, *args, backup: str, database_url: str, media_root: str, **options):
        target = backups.Target.from_url(database_url) if database_url else backups.Target.default()
        try:
            counts = backups.restore(
                Path(backup), target=target, media_root=Path(media_root or settings.MEDIA_ROOT)
            )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("恢复完成：%(tables)d 张表，%(rows)d 行，行数与备份一致。")
                % {"tables": len(counts), "rows": sum(counts.values())}
            )
        )
