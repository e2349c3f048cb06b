from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from brands import services
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

    def save_model(self, request, obj, form, change):
        services.brand_save(brand=obj, user=request.user)

    def delete_model(self, request, obj):
        services.brand_delete(brand=obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        self.save_formset_with(
            request,
            formset,
            save=lambda session: services.brand_session_save(session=session, user=request.user),
            delete=lambda session: services.brand_session_delete(
                session=session, user=request.user
            ),
        )


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

    def save_model(self, request, obj, form, change):
        services.brand_session_save(session=obj, user=request.user)

    def delete_model(self, request, obj):
        services.brand_session_delete(session=obj, user=request.user)
