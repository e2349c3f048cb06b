from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from federation.admin_scoping import ScopedAdminMixin
from federation.models import User


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
