from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from organizations.importing.jobs import import_jobs_cleanup_stale


class Command(BaseCommand):
    help = (
        "Delete the stored uploads, error sheets and per-row data of imports whose last step is "
        "older than IMPORT_KEEP_DAYS (the job records keep their summary)."
    )

    def handle(self, *args, **options):
        count = import_jobs_cleanup_stale()
        self.stdout.write(
            _("已清理 %(n)d 个导入记录的文件和逐行数据（保留 %(days)d 天）。")
            % {"n": count, "days": settings.IMPORT_KEEP_DAYS}
        )
