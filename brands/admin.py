from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from activities.services import brand_session_attendance_refresh
from brands.models import Brand, BrandSession
from federation.core.admin_scoping import ScopedAdminMixin


class BrandSessionInline(ScopedAdminMixin, admin.TabularInline):
    model = BrandSession
    fields = [
        "number",
        "title",
        "starts_on",
        "participants",
        "families",
        "enterprises",
        "classes_incubated",
        "couples",
    ]
    extra = 0
    ordering = ["number"]
    readonly_fields = ["participants_counted"]


@admin.register(Brand)
class BrandAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "slug",
        "parent",
        "focus",
        "session_count",
        "is_matchmaking",
        "is_published",
        "position",
    ]
    list_filter = ["focus", "is_published", "is_matchmaking"]
    search_fields = ["name", "tagline", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "organizer"]
    list_select_related = ["parent"]
    inlines = [BrandSessionInline]

    def get_queryset(self, request):
        # An aggregate drops Meta.ordering; restore it so autocomplete pages are stable.
        return (
            super()
            .get_queryset(request)
            .annotate(_session_count=Count("sessions"))
            .order_by(*Brand._meta.ordering)
        )

    @admin.display(description=_("期数"), ordering="_session_count")
    def session_count(self, obj):
        return obj._session_count

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        # A session with sign-up keeps counting its check-ins, whatever was typed.
        for session in formset.queryset.model.objects.filter(
            brand=form.instance, participants_counted=True
        ):
            brand_session_attendance_refresh(session_id=session.pk)


@admin.register(BrandSession)
class BrandSessionAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "brand",
        "number",
        "starts_on",
        "participants",
        "families",
        "couples",
    ]
    list_filter = ["brand"]
    search_fields = ["title", "brand__name"]
    autocomplete_fields = ["brand", "site", "federation"]
    list_select_related = ["brand"]
    readonly_fields = ["participants_counted"]
    actions = ["open_signup"]

    @admin.action(description=_("为所选期次开启报名（通过本期的活动）"), permissions=["change"])
    def open_signup(self, request, queryset):
        from django.core.exceptions import ValidationError
        from django.shortcuts import redirect

        from activities.services import brand_session_signup_open

        opened = []
        for session in queryset.select_related("brand", "brand__organizer"):
            try:
                opened.append(brand_session_signup_open(session=session, user=request.user))
            except ValidationError as exc:
                self.message_user(request, f"{session}：{'；'.join(exc.messages)}", messages.ERROR)
        if len(opened) == 1:
            return redirect("staff:registration_settings", opened[0].pk)
        if opened:
            self.message_user(
                request,
                _("已为 %(n)d 期开启报名，请在工作台的活动中调整报名设置。") % {"n": len(opened)},
            )
        return None

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.participants_counted:
            fields.append("participants")  # the sum of its activities' check-ins
        return fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        brand_session_attendance_refresh(session_id=obj.pk)
