from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from federation.core.admin_scoping import ScopedAdminMixin
from federation.models import PersonalDataAccess, User


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    list_display = ["username", "display_name", "federation", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["username", "display_name", "email", "federation__name"]
    autocomplete_fields = ["federation"]
    list_select_related = ["federation"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("所属妇联"), {"fields": ["display_name", "federation"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("所属妇联"), {"fields": ["display_name", "federation"]}),
    ]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "username",
        "kind",
        "content_type",
        "object_repr",
        "object_count",
        "fields",
        "ip_address",
    ]
    list_filter = ["kind", "content_type"]
    search_fields = ["username", "object_repr", "object_id"]
    date_hierarchy = "at"

    # An audit trail: read-only for everyone.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
