"""Write the quarterly report (季度工作台账) of a finished quarter to an xlsx file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from federation.staff.reports import (
    QuarterError,
    finished_quarters,
    parse_quarter,
    quarterly_report_xlsx,
)


class Command(BaseCommand):
    help = "生成某一已结束季度的季度工作台账（xlsx），按北京时间季末时点统计。"

    def add_arguments(self, parser):
        parser.add_argument(
            "quarter", nargs="?", help="季度，如 2026Q3；省略则为上一个已结束的季度。"
        )
        parser.add_argument("--output", "-o", help="输出文件路径（默认 quarterly-<季度>.xlsx）。")
        parser.add_argument(
            "--dir", help="输出目录：写入 <目录>/quarterly-<季度>.xlsx（定时任务用，逐季保留）。"
        )

    def handle(self, *args, quarter=None, output=None, dir=None, **options):
        try:
            chosen = parse_quarter(quarter) if quarter else finished_quarters(1)[0]
        except QuarterError as exc:
            raise CommandError(str(exc)) from exc
        name = f"quarterly-{chosen.code}.xlsx"
        path = Path(output) if output else Path(dir or ".") / name
        if not path.parent.is_dir():
            raise CommandError(f"目录 {path.parent} 不存在。")
        content = quarterly_report_xlsx(chosen)
        # Written to a temporary name first: an interrupted run leaves no half-written report.
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(content)
        partial.replace(path)
        self.stdout.write(f"已生成{chosen.label}工作台账：{path}（{len(content)} 字节）。")
