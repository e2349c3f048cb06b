"""Load the demo data set at the seed's scale (deterministic, idempotent) and the demo accounts."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from federation.demo import demo_counts, demo_seed


class Command(BaseCommand):
    help = (
        "载入与《有你泰好》材料同规模的演示数据（可重复运行，第二次运行不做任何修改）并创建演示账号。"
        " / Load the demo data at the seed's scale (idempotent) and create the demo accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts",
            action="store_true",
            help="只载入数据，不创建演示账号（DEBUG 关闭时必须使用）。 / Load the data only, no demo accounts.",
        )

    def handle(self, *args, no_accounts: bool = False, **options):
        create_accounts = not no_accounts
        if create_accounts and not settings.DEBUG:
            # The demo accounts have published passwords: never on a server that is not in development.
            raise CommandError(
                "DEBUG 已关闭：拒绝创建使用公开密码的演示账号。如只需载入演示数据，请加 --no-accounts。"
                " / DEBUG is off: refusing to create demo accounts with known passwords."
                " Use --no-accounts to load the demo data only."
            )
        started = time.monotonic()
        report = demo_seed(create_accounts=create_accounts)
        elapsed = time.monotonic() - started

        created = sum(report.created.values())
        if created or report.files_written:
            self.stdout.write(
                f"新建 {created} 条记录、{report.files_written} 个图片文件 / created {created} records,"
                f" {report.files_written} image files ({elapsed:.1f} s)"
            )
            for label, count in sorted(report.created.items()):
                if count:
                    self.stdout.write(f"  {label}: {count}")
        else:
            self.stdout.write(
                f"演示数据已齐全，未做任何修改 / demo data already complete, nothing changed ({elapsed:.1f} s)"
            )
        self.stdout.write(
            f"日期基准（首次载入日）/ dates relative to the first load on {report.anchor}"
        )
        self.stdout.write("")
        for label, value in demo_counts().items():
            self.stdout.write(f"  {label}: {value:,}")
        if report.accounts:
            self.stdout.write("")
            self.stdout.write(
                self.style.SUCCESS("演示账号 / demo logins (http://127.0.0.1:8000/admin/):")
            )
            for username, password, role in report.accounts:
                self.stdout.write(f"  {username:<14} {password:<18} {role}")
