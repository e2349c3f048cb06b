from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from activities.images import clean_image
from activities.models import Article
from federation import portal, services
from federation.core.admin_scoping import ScopedAdminMixin
from federation.models import PersonalDataAccess, PortalSettings, User

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


class PortalSettingsForm(forms.ModelForm):
    """Uploads go through the photo validator (format, size, pixels, re-encoded without EXIF)
    and are scaled down: the emblem is in every page's header, the QR codes in every footer."""

    class Meta:
        model = PortalSettings
        fields = [
            "name",
            "owner",
            "emblem",
            "icp_number",
            "police_number",
            "contact_address",
            "contact_phone",
            "contact_email",
            "qr_1_title",
            "qr_1",
            "qr_2_title",
            "qr_2",
            "qr_3_title",
            "qr_3",
            "lead_article",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "lead_article" in self.fields:
            # Only published articles can be the lead story (newest first).
            self.fields["lead_article"].queryset = Article.objects.published().order_by(
                "-publish_at", "-pk"
            )

    def _shrunk(self, name: str, max_px: int, *, sharp: bool = False):
        upload = self.cleaned_data.get(name)
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            return portal.shrink_upload(clean_image(upload), max_px, sharp=sharp)
        return upload

    def clean_emblem(self):
        return self._shrunk("emblem", portal.EMBLEM_MAX_PX)

    def clean_qr_1(self):
        return self._shrunk("qr_1", portal.QR_MAX_PX, sharp=True)

    def clean_qr_2(self):
        return self._shrunk("qr_2", portal.QR_MAX_PX, sharp=True)

    def clean_qr_3(self):
        return self._shrunk("qr_3", portal.QR_MAX_PX, sharp=True)


@admin.register(PortalSettings)
class PortalSettingsAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """One row (门户设置); district admins only (federation.apps grants them)."""

    form = PortalSettingsForm
    list_display = ["__str__", "name", "icp_number", "contact_phone"]
    fieldsets = [
        (_("名称与徽标"), {"fields": ["name", "owner", "emblem"]}),
        (_("备案信息"), {"fields": ["icp_number", "police_number"]}),
        (_("联系方式"), {"fields": ["contact_address", "contact_phone", "contact_email"]}),
        (
            _("公众号二维码"),
            {"fields": ["qr_1_title", "qr_1", "qr_2_title", "qr_2", "qr_3_title", "qr_3"]},
        ),
        (_("首页"), {"fields": ["lead_article"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PortalSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False  # the footer always has its settings; clear the fields instead

    def save_model(self, request, obj, form, change):
        services.portal_settings_save(portal_settings=obj, user=request.user)
