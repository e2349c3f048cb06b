from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from federation.core.admin_privacy import PersonalDataAdminMixin
from federation.core.admin_scoping import ScopedAdminMixin
from organizations import services
from organizations.forms import hours_from
from organizations.importing.admin import SpreadsheetImportExportMixin
from organizations.models import (
    Enterprise,
    Federation,
    MediaAccount,
    Need,
    OpeningHours,
    ServiceSite,
)


class DormantFilter(admin.SimpleListFilter):
    """沉睡: no activity in DORMANT_DAYS (the rule of the dashboard and the cockpit)."""

    title = _("近期活动")
    parameter_name = "dormant"

    def lookups(self, request, model_admin):
        from django.conf import settings

        days = settings.DORMANT_DAYS
        return [
            ("yes", _("%(days)d 天没有活动") % {"days": days}),
            ("no", _("%(days)d 天内有活动") % {"days": days}),
        ]

    def queryset(self, request, queryset):
        from organizations import selectors

        rule = (
            selectors.dormant_federations
            if queryset.model is Federation
            else selectors.dormant_sites
        )
        if self.value() == "yes":
            return queryset.filter(pk__in=rule(queryset.model._default_manager.all()).values("pk"))
        if self.value() == "no":
            return queryset.exclude(pk__in=rule(queryset.model._default_manager.all()).values("pk"))
        return queryset


class WomenGroupInline(ScopedAdminMixin, admin.TabularInline):
    model = Federation
    fk_name = "parent"
    fields = ["name", "level", "area", "established_on", "is_active"]
    extra = 0
    show_change_link = True
    verbose_name = _("下级组织")
    verbose_name_plural = _("下级组织（妇女小组等）")


class OpeningHoursInline(ScopedAdminMixin, admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Federation)
class FederationAdmin(
    SpreadsheetImportExportMixin, PersonalDataAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin
):
    list_display = ["name", "level", "kind", "parent", "area", "group_count", "is_active"]
    list_filter = ["level", "kind", "area", "is_active", DormantFilter]
    search_fields = ["name", "short_name", "address", "channel", "contact_name", "contact_phone"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    inlines = [WomenGroupInline]
    ordering = ["level", "name"]  # explicit: Meta.ordering is dropped by the GROUP BY below
    date_hierarchy = "established_on"
    fieldsets = [
        (None, {"fields": ["name", "short_name", "level", "kind", "parent", "is_active"]}),
        (_("位置与渠道"), {"fields": ["area", "address", "channel"]}),
        (
            _("组织情况"),
            {"fields": ["established_on", "chair_name", "member_count", "description"]},
        ),
        (_("联系方式（不公开）"), {"fields": ["contact_name", "contact_phone"]}),
    ]

    def get_queryset(self, request):
        # An aggregate drops Meta.ordering; restore it so autocomplete pages are stable.
        return (
            super()
            .get_queryset(request)
            .annotate(_group_count=Count("children"))
            .order_by(*Federation._meta.ordering)
        )

    @admin.display(description=_("下级组织数"), ordering="_group_count")
    def group_count(self, obj):
        return obj._group_count

    def save_model(self, request, obj, form, change):
        services.federation_save(
            federation=obj, user=request.user, expected_version=self.expected_version(form, change)
        )

    def delete_model(self, request, obj):
        services.federation_delete(federation=obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        self.save_formset_with(
            request,
            formset,
            save=lambda group: services.federation_save(federation=group, user=request.user),
            delete=lambda group: services.federation_delete(federation=group, user=request.user),
        )


@admin.register(Need)
class NeedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    search_fields = ["name", "code"]


@admin.register(Enterprise)
class EnterpriseAdmin(
    SpreadsheetImportExportMixin, PersonalDataAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin
):
    list_display = [
        "name",
        "credit_code",
        "credit_code_unverified",
        "sector",
        "building",
        "employees",
        "female_employees",
        "has_party_org",
        "federation",
        "surveyed_on",
        "contact_name",
        "contact_phone",
    ]
    list_filter = [
        "sector",
        "has_party_org",
        ("federation", admin.EmptyFieldListFilter),
        "needs",
        "credit_code_unverified",
    ]
    search_fields = ["name", "credit_code", "building", "industry", "contact_name", "contact_phone"]
    autocomplete_fields = ["federation"]
    filter_horizontal = ["needs"]
    list_select_related = ["federation"]
    fieldsets = [
        (None, {"fields": ["credit_code", "credit_code_unverified", "name", "sector", "industry"]}),
        (_("地址"), {"fields": ["address", "building"]}),
        (_("摸排情况"), {"fields": ["employees", "female_employees", "surveyed_on", "needs"]}),
        (_("党建带妇建"), {"fields": ["has_party_org", "party_org_formed_on"]}),
        (_("覆盖"), {"fields": ["federation", "covered_since"]}),
        (_("联系人（个人信息）"), {"fields": ["contact_name", "contact_phone", "note"]}),
        (_("导入"), {"fields": ["last_import_link"]}),
    ]
    readonly_fields = ["last_import_link"]

    @admin.display(description=_("最近一次导入"))
    def last_import_link(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        if obj is None or obj.last_import_id is None:
            return "—"
        url = reverse("admin:organizations_enterprise_import_job", args=[obj.last_import_id])
        return format_html('<a href="{}">{}</a>', url, obj.last_import)

    def save_model(self, request, obj, form, change):
        services.enterprise_save(
            enterprise=obj, user=request.user, expected_version=self.expected_version(form, change)
        )

    def delete_model(self, request, obj):
        services.enterprise_delete(enterprise=obj, user=request.user)


@admin.register(ServiceSite)
class ServiceSiteAdmin(SpreadsheetImportExportMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "federation", "area", "is_online", "is_mobile", "is_active"]
    list_filter = ["kind", "area", "is_online", "is_mobile", "is_active", DormantFilter]
    search_fields = ["name", "address", "services", "federation__name"]
    autocomplete_fields = ["federation"]
    list_select_related = ["federation"]
    inlines = [OpeningHoursInline]
    fieldsets = [
        (None, {"fields": ["name", "kind", "federation", "is_active"]}),
        (_("位置"), {"fields": ["area", "address", "latitude", "longitude"]}),
        (
            _("服务"),
            {"fields": ["services", "hours_note", "public_phone", "description", "established_on"]},
        ),
        (_("线上与流动"), {"fields": ["is_online", "is_mobile", "online_url"]}),
    ]

    def save_model(self, request, obj, form, change):
        # Saved with its opening hours in save_related: one service call, one history record.
        pass

    def save_related(self, request, form, formsets, change):
        hours = next(f for f in formsets if f.model is OpeningHours)
        hours.save(commit=False)  # the change message's rows; the service replaces the hours
        services.site_save(
            site=form.instance,
            user=request.user,
            expected_version=self.expected_version(form, change),
            hours=hours_from(hours),
        )
        form.save_m2m()
        for formset in formsets:
            if formset is not hours:
                self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.site_delete(site=obj, user=request.user)


@admin.register(MediaAccount)
class MediaAccountAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "platform", "handle", "url", "position"]
    list_editable = ["position"]
    list_filter = ["platform"]
    search_fields = ["name", "handle"]
