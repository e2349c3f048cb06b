"""Shared body of export_enterprises / export_federations / export_sites."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from organizations.importing.exports import list_export
from organizations.importing.specs import SPECS


class ExportCommand(BaseCommand):
    kind: str = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="FILE.xlsx or FILE.csv: what the admin's export writes")
        parser.add_argument(
            "--user",
            default="",
            help="export as this user (their scope and contact permission apply); default: the "
            "whole network without contacts",
        )
        parser.add_argument(
            "--with-contacts",
            action="store_true",
            help="without --user: include the contacts' names and phones (personal data)",
        )

    def handle(self, *args, file, user, with_contacts, **options):
        file_format = Path(file).suffix.lower().lstrip(".")
        if file_format not in ("xlsx", "csv"):
            raise CommandError(_("文件名应以 .xlsx 或 .csv 结尾。"))
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(_("用户 %(user)s 不存在。") % {"user": user}) from exc
        model = SPECS[self.kind].model
        content, count = list_export(
            kind=self.kind,
            queryset=model._default_manager.order_by("pk"),
            user=actor,
            file_format=file_format,
            filters="manage.py",
            with_contacts=with_contacts,
        )
        try:
            Path(file).write_bytes(content)
        except OSError as exc:
            raise CommandError(_("无法写入文件：%(error)s") % {"error": exc}) from exc
        self.stdout.write(
            self.style.SUCCESS(_("已导出 %(n)d 条到 %(file)s。") % {"n": count, "file": file})
        )
