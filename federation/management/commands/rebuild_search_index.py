"""Rebuild the search index (federation.core.search_index) from the searchable rows."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, transaction

from federation.core import search_index
from federation.web.cache import public_cache_invalidate


class Command(BaseCommand):
    help = "重建站内搜索索引（批量写入或直接改库之后运行）；在一个事务内完成，中断则保留原索引。"

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database=DEFAULT_DB_ALIAS, **options):
        with transaction.atomic(using=database):
            counts = search_index.rebuild(using=database)
            transaction.on_commit(public_cache_invalidate, using=database)
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n}")
