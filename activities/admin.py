from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from activities.models import Activity, Article, ArticleTransition, Exemplar, Photo, Series


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "category", "format", "series", "organizer", "starts_at", "participants"]
    list_filter = ["category", "format", "series", "is_public"]
    search_fields = ["title", "description", "organizer__name"]
    autocomplete_fields = ["organizer", "site", "brand", "brand_session", "series"]
    list_select_related = ["series", "organizer"]
    date_hierarchy = "starts_at"


class PhotoInline(admin.TabularInline):
    model = Photo
    fields = ["image", "caption", "position", "width", "height"]
    readonly_fields = ["width", "height"]
    extra = 0


class TransitionInline(admin.TabularInline):
    model = ArticleTransition
    fields = ["at", "from_status", "to_status", "user", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "publish_at", "federation", "activity", "brand", "author"]
    list_filter = ["status", "brand", "activity__category"]
    search_fields = ["title", "summary", "body"]
    autocomplete_fields = ["federation", "activity", "brand"]
    list_select_related = ["federation", "activity", "brand", "author"]
    readonly_fields = ["author", "submitted_at", "submitted_by", "published_by"]
    date_hierarchy = "publish_at"
    inlines = [PhotoInline, TransitionInline]
    fieldsets = [
        (None, {"fields": ["title", "summary", "body"]}),
        (_("发布"), {"fields": ["status", "publish_at"]}),
        (_("关联"), {"fields": ["federation", "activity", "brand"]}),
        (_("署名"), {"fields": ["source", "editor", "proofreader"]}),
        (_("流程记录"), {"fields": ["author", "submitted_at", "submitted_by", "published_by"]}),
    ]


@admin.register(Exemplar)
class ExemplarAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "honour", "year", "workplace", "federation", "consent_to_publish"]
    list_filter = ["honour", "year", "kind", "consent_to_publish"]
    search_fields = ["name", "workplace", "story"]
    autocomplete_fields = ["federation"]
    list_select_related = ["federation"]
