from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from organizations.importing.jobs import import_jobs_cleanup_stale


class Command(BaseCommand):
    help = "Delete stored uploads and error sheets of imports older than IMPORT_STALE_HOURS."

    def handle(self, *args, **options):
        count = import_jobs_cleanup_stale()
        self.stdout.write(_("已清理 %(n)d 个导入的临时文件。") % {"n": count})
