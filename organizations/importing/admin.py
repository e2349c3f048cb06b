"""The admin's import and export pages (django-import-export's buttons, this project's engine).

``SpreadsheetImportExportMixin`` goes first in a ModelAdmin's bases and combines with other
mixins (e.g. the scoping mixin): exports start from ``get_export_queryset`` (the filtered
changelist, hence ``get_queryset``) and are scoped again with ``federation.core.scoping``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin

from federation.core.scoping import has_network_scope, scope_queryset
from organizations.importing import exports, jobs
from organizations.importing.engine import ACTION_LABELS
from organizations.importing.specs import SPECS, model_kind
from organizations.importing.writers import template_bytes
from organizations.models import ExportLog, ImportJob

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("表格文件"),
        help_text=_("xlsx、xls 或 CSV（UTF-8 或 GBK 均可）。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv,.txt"}),
    )
    sheet_name = forms.CharField(
        label=_("工作表名称"),
        required=False,
        max_length=100,
        help_text=_("留空则读取第一个工作表。"),
    )
    skip_invalid = forms.BooleanField(
        label=_("仅导入无误的行"),
        required=False,
        help_text=_(
            "不勾选时，任何一行有错误，整个文件都不导入。勾选后，无误的行照常导入，"
            "其余的行连同原因放进错误表，改正后可重新上传。"
        ),
    )
    duplicates = forms.ChoiceField(
        label=_("同一代码出现多次时"),
        choices=ImportJob._meta.get_field("duplicates").choices,
        initial="refuse",
        required=False,
        help_text=_("其余出现的行不导入，放进错误表。"),
    )


class SpreadsheetImportExportMixin(ImportExportMixin):
    """Import: upload → preview (dry run) → confirm, all or nothing. Export: xlsx / CSV."""

    import_template_name = "admin/organizations/import/upload.html"
    job_template_name = "admin/organizations/import/job.html"
    export_template_name = "admin/organizations/import/export.html"

    @property
    def import_kind(self) -> str:
        return model_kind(self.model)

    # --- permissions -------------------------------------------------------------------------
    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    # --- urls ---------------------------------------------------------------------------------
    def get_urls(self):
        prefix = "{}_{}".format(*self.get_model_info())
        view = self.admin_site.admin_view
        mine = [
            path(
                "import/template/",
                view(self.import_template_view),
                name=f"{prefix}_import_template",
            ),
            path("import/<int:job_id>/", view(self.import_job_view), name=f"{prefix}_import_job"),
            path(
                "import/<int:job_id>/cancel/",
                view(self.import_cancel_view),
                name=f"{prefix}_import_cancel",
            ),
            path(
                "import/<int:job_id>/mapping/",
                view(self.import_mapping_view),
                name=f"{prefix}_import_mapping",
            ),
            path(
                "import/<int:job_id>/errors.xlsx",
                view(self.import_errors_view),
                name=f"{prefix}_import_errors",
            ),
        ]
        return mine + super().get_urls()

    def _url(self, name: str, *args) -> str:
        info = self.get_model_info()
        return reverse(
            f"admin:{info[0]}_{info[1]}_{name}", args=args, current_app=self.admin_site.name
        )

    def _context(self, request, **extra):
        context = dict(self.admin_site.each_context(request))
        context.update(opts=self.model._meta, spec=SPECS[self.import_kind], **extra)
        return context

    def _job(self, request, job_id: int) -> ImportJob:
        if not self.has_import_permission(request):
            raise PermissionDenied
        queryset = ImportJob.objects.filter(kind=self.import_kind)
        if not has_network_scope(request.user):
            queryset = queryset.filter(user=request.user)
        return get_object_or_404(queryset, pk=job_id)

    # --- import -------------------------------------------------------------------------------
    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        spec = SPECS[self.import_kind]
        response = HttpResponse(template_bytes(spec), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, _("%(list)s导入模板.xlsx") % {"list": spec.title}
        )
        return response

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if request.method == "POST" and length > settings.IMPORT_MAX_UPLOAD_BYTES + 64 * 1024:
            # Refused before the body is read, so a huge upload costs neither disk nor memory.
            messages.error(
                request,
                _("文件太大，上限为 %(limit)d MB。请拆分后分批导入。")
                % {"limit": settings.IMPORT_MAX_UPLOAD_BYTES // 1024 // 1024},
            )
            return HttpResponseRedirect(self._url("import"))
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = jobs.import_job_upload(
                    kind=self.import_kind,
                    upload=upload,
                    file_name=upload.name,
                    user=request.user,
                    sheet_name=form.cleaned_data["sheet_name"],
                    skip_invalid=form.cleaned_data["skip_invalid"],
                    duplicates=form.cleaned_data["duplicates"] or "refuse",
                )
            except jobs.UploadRejected as exc:
                form.add_error("file", str(exc))
            else:
                return HttpResponseRedirect(self._url("import_job", job.pk))
        recent = ImportJob.objects.filter(kind=self.import_kind).defer("preview_rows", "errors")
        if not has_network_scope(request.user):
            recent = recent.filter(user=request.user)
        context = self._context(
            request,
            title=_("导入%(list)s") % {"list": SPECS[self.import_kind].title},
            form=form,
            template_url=self._url("import_template"),
            recent=recent.select_related("user")[:10],
            max_mb=settings.IMPORT_MAX_UPLOAD_BYTES // 1024 // 1024,
            personal_allowed=request.user.has_perm("organizations.view_contact"),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def import_job_view(self, request, job_id: int):
        job = self._job(request, job_id)
        if job.is_running and jobs.import_jobs_fail_stale():
            job.refresh_from_db()
        action = request.GET.get("action", "")
        rows = (
            job.preview_rows
            if job.status
            in (ImportJob.Status.PREVIEWED, ImportJob.Status.INVALID, ImportJob.Status.APPLIED)
            else []
        )
        if action in ACTION_LABELS:
            rows = [row for row in rows if row[1] == action]
        page = Paginator(rows, settings.IMPORT_PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
        file_errors = [e for e in job.errors if not e.get("row")]
        row_errors = [e for e in job.errors if e.get("row")]
        error_page = Paginator(row_errors, settings.IMPORT_PREVIEW_PAGE_SIZE).get_page(
            request.GET.get("errors_page")
        )
        context = self._context(
            request,
            title=_("导入 #%(pk)s：%(name)s") % {"pk": job.pk, "name": job.file_name},
            job=job,
            page=page,
            action=action,
            action_labels=ACTION_LABELS,
            file_errors=file_errors,
            error_page=error_page,
            row_error_count=len(row_errors),
            cancel_url=self._url("import_cancel", job.pk),
            mapping_url=self._url("import_mapping", job.pk),
            mapping_rows=self._mapping_rows(request, job),
            errors_url=self._url("import_errors", job.pk) if job.error_file else "",
            keep_days=settings.IMPORT_KEEP_DAYS,
            confirm_url=self._url("process_import"),
            import_url=self._url("import"),
            changelist_url=self._url("changelist"),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.job_template_name], context)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Confirm: apply exactly the previewed plan of the job named in the form."""
        job = self._job(request, int(request.POST.get("job") or 0))
        if job.status != ImportJob.Status.PREVIEWED:
            messages.error(request, _("该导入不处于待确认状态，无法确认。"))
            return HttpResponseRedirect(self._url("import_job", job.pk))
        try:
            job = jobs.import_job_confirm(
                job=job,
                user=request.user,
                accept_unverified=request.POST.get("accept_unverified") == "1",
            )
        except jobs.NotAccepted as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(self._url("import_job", job.pk))
        if job.status == ImportJob.Status.APPLIED:
            messages.success(request, job.message)
        elif job.status == ImportJob.Status.FAILED:
            messages.error(request, job.message)
        return HttpResponseRedirect(self._url("import_job", job.pk))

    def _mapping_choices(self, request) -> list[tuple[str, str]]:
        spec = SPECS[self.import_kind]
        allowed = request.user.has_perm("organizations.view_contact")
        return [("", _("（忽略此列）"))] + [
            (c.field, str(c.header)) for c in spec.columns if allowed or not c.personal
        ]

    def _mapping_rows(self, request, job: ImportJob) -> list[dict]:
        """The file's header labels with the field chosen for each, for the mapping form."""
        choices = self._mapping_choices(request)
        return [
            {"index": index, "label": label, "field": field, "choices": choices}
            for index, (label, field) in enumerate(job.mapping.get("columns") or [])
        ]

    def import_mapping_view(self, request, job_id: int):
        """The admin's choice of the header row and of a field for every column: check again."""
        if request.method != "POST":
            raise Http404
        job = self._job(request, job_id)
        if job.status not in (ImportJob.Status.PREVIEWED, ImportJob.Status.INVALID):
            messages.error(request, _("该导入已不在预览阶段，不能修改列的对应。"))
            return HttpResponseRedirect(self._url("import_job", job.pk))
        allowed = {field for field, _label in self._mapping_choices(request)}
        raw_row = (request.POST.get("header_row") or "").strip()
        if raw_row and not raw_row.isdigit():
            messages.error(request, _("表头所在行应为正整数。"))
            return HttpResponseRedirect(self._url("import_job", job.pk))
        header_row = int(raw_row) if raw_row else None
        columns: dict[str, str] = {}
        if header_row in (None, job.mapping.get("header_row")):
            for index, (label, _field) in enumerate(job.mapping.get("columns") or []):
                field = request.POST.get(f"col_{index}", "")
                columns[label] = field if field in allowed else ""
        job = jobs.import_job_remap(
            job=job, user=request.user, columns=columns, header_row=header_row
        )
        return HttpResponseRedirect(self._url("import_job", job.pk))

    def import_cancel_view(self, request, job_id: int):
        if request.method != "POST":
            raise Http404
        job = self._job(request, job_id)
        if jobs.import_job_cancel(job=job, user=request.user):
            messages.info(request, _("已取消导入，数据库未做任何修改。"))
        elif job.status != ImportJob.Status.INVALID:
            messages.error(
                request,
                _("该导入已经结束（%(status)s），无法取消。")
                % {"status": job.get_status_display()},
            )
            return HttpResponseRedirect(self._url("import_job", job.pk))
        return HttpResponseRedirect(self._url("import"))

    def import_errors_view(self, request, job_id: int):
        job = self._job(request, job_id)
        if not job.error_file or not default_storage.exists(job.error_file):
            raise Http404
        return FileResponse(
            default_storage.open(job.error_file, "rb"),
            as_attachment=True,
            filename=_("导入错误_%(pk)s.xlsx") % {"pk": job.pk},
            content_type=XLSX_TYPE,
        )

    # --- export -------------------------------------------------------------------------------
    def export_action(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        spec = SPECS[self.import_kind]
        file_format = request.POST.get("format") if request.method == "POST" else None
        if file_format in ("xlsx", "csv"):
            queryset = self.get_export_queryset(request)
            content, _count = exports.list_export(
                kind=self.import_kind,
                queryset=queryset,
                user=request.user,
                file_format=file_format,
                filters=request.GET.urlencode(),
            )
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            response = HttpResponse(
                content,
                content_type=XLSX_TYPE if file_format == "xlsx" else "text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = content_disposition_header(
                True, f"{spec.title}_{stamp}.{file_format}"
            )
            return response
        queryset = self.get_export_queryset(request)
        with_personal = request.user.has_perm("organizations.view_contact")
        context = self._context(
            request,
            title=_("导出%(list)s") % {"list": spec.title},
            count=scope_queryset(queryset, request.user).count(),
            columns=[c for c in spec.columns if with_personal or not c.personal],
            hidden=[c for c in spec.columns if c.personal and not with_personal],
            query=request.GET.urlencode(),
            changelist_url=self._url("changelist"),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.export_template_name], context)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "user",
        "status",
        "new_count",
        "updated_count",
        "unchanged_count",
        "invalid_count",
        "skipped_count",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "status", "source"]
    search_fields = ["file_name", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    fields = [
        "page_link",
        "kind",
        "source",
        "user",
        "file_name",
        "file_size",
        "checksum",
        "sheet_name",
        "status",
        "background",
        "total_rows",
        "new_count",
        "updated_count",
        "unchanged_count",
        "invalid_count",
        "skipped_count",
        "skip_invalid",
        "duplicates",
        "message",
        "ignored_columns",
        "notices",
        "warnings",
        "errors",
        "created_at",
        "previewed_at",
        "heartbeat_at",
        "finished_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("导入页面"))
    def page_link(self, obj):
        from django.utils.html import format_html

        model = SPECS[obj.kind].model._meta
        url = reverse(f"admin:{model.app_label}_{model.model_name}_import_job", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("查看预览、错误和结果"))

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("preview_rows")
        if not has_network_scope(request.user):
            queryset = queryset.filter(user=request.user)
        return queryset

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "user",
        "kind",
        "file_format",
        "row_count",
        "with_personal_data",
        "filters",
    ]
    list_filter = ["kind", "file_format", "with_personal_data"]
    search_fields = ["user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    readonly_fields = [
        "created_at",
        "user",
        "kind",
        "file_format",
        "row_count",
        "with_personal_data",
        "filters",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
