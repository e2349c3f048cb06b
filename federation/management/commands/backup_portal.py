from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from federation import backup


class Command(BaseCommand):
    help = "备份数据库和上传的图片（数据库转储 + 媒体归档）。 / Back up the database and the media."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="backups", help="备份存放目录")
        parser.add_argument(
            "--keep-days", type=int, default=0, help="删除早于该天数的备份（0 = 不删除）"
        )

    def handle(self, *args, output, keep_days, **options):
        try:
            folder = backup.backup(Path(output))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = backup.read_manifest(folder)
        rows = sum(manifest["tables"].values())
        self.stdout.write(self.style.SUCCESS(f"备份完成：{folder}（{len(manifest['tables'])} 张表，{rows} 行）"))
        if keep_days:
            for old in backup.prune(Path(output), keep_days):
                self.stdout.write(f"已删除过期备份：{old}")
