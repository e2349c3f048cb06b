"""Shared body of import_enterprises / import_federations / import_sites."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from organizations.importing.engine import INVALID, NEW, SKIPPED, UNCHANGED, UPDATE
from organizations.importing.jobs import import_file
from organizations.models import ImportJob


class ImportCommand(BaseCommand):
    kind: str = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx, xls or CSV (UTF-8, UTF-8 with BOM, GBK, GB18030)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--sheet", default="", help="worksheet name (default: the first sheet)")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="列名=字段",
            help="read the file's column 列名 as 字段 (a template header or field name; 忽略 or "
            "ignore skips the column); repeatable. Other columns are recognised as usual.",
        )
        parser.add_argument(
            "--header-row", type=int, default=None, help="the sheet's row that holds the header"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows and leave the others out (listed, and in the job's error sheet)",
        )
        parser.add_argument(
            "--duplicates",
            choices=["refuse", "first", "last"],
            default="refuse",
            help="a code repeated in the file: refuse the file (default), or keep its first or last row",
        )
        parser.add_argument(
            "--accept-unverified",
            action="store_true",
            help="store codes that fail the GB 32100 check (old 15-digit numbers, pilot codes) as unverified",
        )
        parser.add_argument(
            "--user",
            default="",
            help="username the import is recorded under; its federation scope applies (default: none, whole network)",
        )

    def _columns(self, pairs: list[str]) -> dict[str, str]:
        from organizations.importing.specs import SPECS, normalize_header

        spec = SPECS[self.kind]
        by_name = {}
        for column in spec.columns:
            by_name[normalize_header(column.field)] = column.field
            for name in column.all_names():
                by_name[name] = column.field
        columns = {}
        for pair in pairs:
            label, sep, target = pair.partition("=")
            if not sep or not label.strip():
                raise CommandError(
                    _("--map 应写成 列名=字段，如 --map 纳税人识别号=统一社会信用代码。")
                )
            key = normalize_header(target)
            if key in ("忽略", "ignore", ""):
                columns[label.strip()] = ""
            elif key in by_name:
                columns[label.strip()] = by_name[key]
            else:
                raise CommandError(
                    _("--map %(pair)s：没有“%(target)s”这个字段。可选：%(fields)s。")
                    % {
                        "pair": pair,
                        "target": target,
                        "fields": "、".join(str(c.header) for c in spec.columns),
                    }
                )
        return columns

    def handle(
        self,
        *args,
        file,
        dry_run,
        sheet,
        user,
        accept_unverified=False,
        map=(),  # noqa: A002 - the option's name
        header_row=None,
        skip_invalid=False,
        duplicates="refuse",
        **options,
    ):
        columns = self._columns(list(map))
        if header_row is not None and header_row < 1:
            raise CommandError(_("--header-row 应为正整数。"))
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(_("用户 %(user)s 不存在。") % {"user": user}) from exc
        try:
            job, plan = import_file(
                kind=self.kind,
                path=file,
                user=actor,
                sheet_name=sheet,
                dry_run=dry_run,
                accept_unverified=accept_unverified,
                columns=columns,
                header_row=header_row,
                skip_invalid=skip_invalid,
                duplicates=duplicates,
            )
        except OSError as exc:
            raise CommandError(_("无法打开文件：%(error)s") % {"error": exc}) from exc
        counts = plan.counts
        self.stdout.write(
            _(
                "新增 %(new)d，更新 %(update)d，未变化 %(unchanged)d，有错误 %(invalid)d（导入记录 #%(job)s）"
            )
            % {
                "new": counts[NEW],
                "update": counts[UPDATE],
                "unchanged": counts[UNCHANGED],
                "invalid": counts[INVALID],
                "job": job.pk,
            }
        )
        if counts[SKIPPED]:
            self.stdout.write(_("跳过 %(n)d 行：") % {"n": counts[SKIPPED]})
            for error in plan.errors:
                self.stdout.write(f"  {error}")
        for notice in plan.notices:
            self.stdout.write(_("提示：%(notice)s") % {"notice": notice})
        if plan.ignored:
            self.stdout.write(_("已忽略的列：%(columns)s") % {"columns": "、".join(plan.ignored)})
        if not plan.is_valid:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("未导入：%(n)d 个错误，数据库未做任何修改。") % {"n": len(plan.errors)}
            )
        for warning in plan.warnings:
            self.stdout.write(_("未核验：%(warning)s") % {"warning": warning})
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.message)
        if job.status == ImportJob.Status.CANCELLED and not dry_run:
            raise CommandError(job.message + _("（命令行：加 --accept-unverified）"))
        if dry_run:
            self.stdout.write(self.style.SUCCESS(_("试运行通过：可以导入（未写入数据库）。")))
        else:
            self.stdout.write(self.style.SUCCESS(job.message))
