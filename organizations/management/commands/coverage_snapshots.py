"""Rebuild the monthly coverage snapshots from history (run it on the 1st of each month)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from organizations.snapshots import rebuild_snapshots


class Command(BaseCommand):
    help = "按历史记录重建每月月末的覆盖快照（/stats/?as_of= 读取）。"

    def handle(self, *args, **options):
        count = rebuild_snapshots()
        self.stdout.write(f"已写入 {count} 个月末快照。")
