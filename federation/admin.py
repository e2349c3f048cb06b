from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from federation.core.admin_scoping import ScopedAdminMixin
from federation.models import PersonalDataAccess, User

# django-otp's own device admin shows each authenticator's secret and QR code: whoever can open
# it could copy a second factor. Devices are set up by their owner (/accounts/two-factor/) and
# reset by a district admin with the user list's action below.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    list_display = [
        "username",
        "display_name",
        "federation",
        "is_staff",
        "is_active",
        "two_factor",
        "last_login",
    ]
    actions = ["reset_two_factor"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["username", "display_name", "email", "federation__name"]
    autocomplete_fields = ["federation"]
    list_select_related = ["federation"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("所属妇联"), {"fields": ["display_name", "federation"]}),
    ]

    def get_queryset(self, request):
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(devices))

    @admin.display(description=_("两步验证"), boolean=True, ordering="has_two_factor")
    def two_factor(self, user):
        return user.has_two_factor

    @admin.action(description=_("重置两步验证（手机丢失时）"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        TOTPDevice.objects.filter(user__in=queryset).delete()
        for user in queryset:
            self.log_change(request, user, [{"changed": {"fields": ["two_factor"]}}])
        self.message_user(
            request,
            ngettext(
                "已重置 %(count)d 个账号的两步验证：他们下次登录只需密码，可重新开启。",
                "已重置 %(count)d 个账号的两步验证：他们下次登录只需密码，可重新开启。",
                queryset.count(),
            )
            % {"count": queryset.count()},
            messages.SUCCESS,
        )

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
