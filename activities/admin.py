from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from activities import selectors as activity_selectors
from activities import services
from activities.images import PhotoFileValidationMixin, PixelBudget, clean_image
from activities.models import (
    Activity,
    Article,
    ArticleTransition,
    Exemplar,
    Photo,
    Registration,
    RegistrationSettings,
    Series,
)
from activities.widgets import ArticleBodyWidget
from brands.admin import BrandAdmin, BrandSessionAdmin
from brands.models import Brand, BrandSession
from federation.core import privacy
from federation.core.admin_privacy import PersonalDataAdminMixin
from federation.core.admin_scoping import ScopedAdminMixin


@admin.register(Series)
class SeriesAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Activity)
class ActivityAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "category",
        "format",
        "series",
        "organizer",
        "starts_at",
        "participants",
    ]
    list_filter = ["category", "format", "series", "is_public"]
    search_fields = ["title", "description", "organizer__name"]
    autocomplete_fields = ["organizer", "site", "brand", "brand_session", "series"]
    list_select_related = ["series", "organizer"]
    date_hierarchy = "starts_at"
    readonly_fields = ["participants_counted"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.participants_counted:
            fields.append("participants")  # counted from the check-ins
        return fields

    def save_model(self, request, obj, form, change):
        services.activity_save(
            activity=obj, user=request.user, expected_version=self.expected_version(form, change)
        )

    def delete_model(self, request, obj):
        services.activity_delete(activity=obj, user=request.user)


class PhotoAdminForm(PhotoFileValidationMixin, forms.ModelForm):
    """The same photo validator as the staff pages (activities.images.clean_image).

    A plain FileField: Django's ImageField would decode the upload first, with its own messages.
    """

    image = forms.FileField(label=_("图片"), widget=AdminFileWidget)

    class Meta:
        model = Photo
        fields = ["image", "caption", "position", "focus_x", "focus_y"]


class PhotoInline(ScopedAdminMixin, admin.TabularInline):
    model = Photo
    form = PhotoAdminForm
    fields = ["image", "caption", "position", "focus_x", "focus_y", "width", "height"]
    readonly_fields = ["width", "height"]
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The rows of one request share one pixel allowance, checked from each file's header.
        formset.form = type(formset.form.__name__, (formset.form,), {"pixel_budget": PixelBudget()})
        return formset


class TransitionInline(ScopedAdminMixin, admin.TabularInline):
    model = ArticleTransition
    fields = ["at", "from_status", "to_status", "user", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "status_column",
        "publish_at",
        "federation",
        "activity",
        "brand",
        "author",
    ]
    list_filter = ["status", "brand", "activity__category"]
    search_fields = ["title", "summary", "body"]
    autocomplete_fields = ["federation", "activity", "brand"]
    list_select_related = ["federation", "activity", "brand", "author"]
    # The status changes only through the workflow (actions below), never by editing the field.
    readonly_fields = ["status_column", "author", "submitted_at", "submitted_by", "published_by"]
    date_hierarchy = "publish_at"
    inlines = [PhotoInline, TransitionInline]
    actions = ["submit_for_review", "publish", "unpublish", "return_to_draft"]
    fieldsets = [
        (None, {"fields": ["title", "summary", "body"]}),
        (_("发布"), {"fields": ["status_column", "publish_at", "cover_photo"]}),
        (_("关联"), {"fields": ["federation", "activity", "brand"]}),
        (_("署名"), {"fields": ["source", "editor", "proofreader"]}),
        (_("流程记录"), {"fields": ["author", "submitted_at", "submitted_by", "published_by"]}),
    ]

    @admin.display(description=_("状态"), ordering="status")
    def status_column(self, obj):
        # A scheduled article says when it goes public, not 已发布.
        return obj.status_label

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The same editor as on the staff pages; the service sanitises what it posts.
        if db_field.name == "body":
            kwargs["widget"] = ArticleBodyWidget()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "cover_photo" in form.base_fields:
            # 设为封面: one of this article's own photos (none before it has any).
            field = form.base_fields["cover_photo"]
            field.queryset = Photo.objects.filter(article=obj) if obj else Photo.objects.none()
            field.help_text = _("文章页顶部的大图，也是列表和分享卡片的缩略图；不选则没有。")
        return form

    def view_on_site(self, obj):
        # Unpublished work has no public page: "view on site" opens the staff preview.
        return reverse("staff:article_preview", args=[obj.pk])

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not services.can_publish(request.user):
            fields = [*fields, "publish_at"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and not services.can_edit_article(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_publish_permission(self, request):
        return services.can_publish(request.user)

    def save_model(self, request, obj, form, change):
        # Sanitising and the scope check live in the service, shared with the staff pages.
        services.article_save(
            article=obj,
            user=request.user,
            expected_version=self.expected_version(form, change),
        )

    def delete_model(self, request, obj):
        services.article_delete(article=obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Photo:
            return super().save_formset(request, form, formset, change)
        user = request.user
        for photo_form in formset.deleted_forms:
            if photo_form.instance.pk:
                services.photo_delete(photo=photo_form.instance, user=user)
        for photo_form in formset.forms:
            if photo_form in formset.deleted_forms or not photo_form.has_changed():
                continue
            # The upload as clean_image() re-encoded it (no EXIF), when a file was chosen.
            image = getattr(photo_form, "clean_image_result", None)
            caption = photo_form.cleaned_data.get("caption", "")
            position = photo_form.cleaned_data.get("position") or 0
            if photo_form.instance.pk is None:
                if image is not None:
                    services.photo_add(
                        article=form.instance,
                        image=image,
                        caption=caption,
                        position=position,
                        user=user,
                    )
            else:
                services.photo_update(
                    photo=photo_form.instance,
                    user=user,
                    caption=caption,
                    position=position,
                    image=image,
                    # As the form built it (a row that did not send it keeps the stored one).
                    focus=(photo_form.instance.focus_x, photo_form.instance.focus_y),
                )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def _run(self, request, queryset, step, done_message):
        done = 0
        for article in queryset:
            try:
                step(article=article, user=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{article}：{_error_text(exc)}", messages.WARNING)
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("提交审核"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._run(
            request,
            queryset,
            services.article_submit,
            lambda n: (
                ngettext("%(n)d 篇文章已提交审核。", "%(n)d 篇文章已提交审核。", n) % {"n": n}
            ),
        )

    @admin.action(description=_("发布（发布时间在将来则定时发布）"), permissions=["publish"])
    def publish(self, request, queryset):
        self._run(
            request,
            queryset,
            services.article_publish,
            lambda n: ngettext("%(n)d 篇文章已发布。", "%(n)d 篇文章已发布。", n) % {"n": n},
        )

    @admin.action(description=_("撤回发布"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._run(
            request,
            queryset,
            services.article_unpublish,
            lambda n: ngettext("%(n)d 篇文章已撤回。", "%(n)d 篇文章已撤回。", n) % {"n": n},
        )

    @admin.action(description=_("退回草稿"), permissions=["change"])
    def return_to_draft(self, request, queryset):
        self._run(
            request,
            queryset,
            services.article_return_to_draft,
            lambda n: (
                ngettext("%(n)d 篇文章已退回草稿。", "%(n)d 篇文章已退回草稿。", n) % {"n": n}
            ),
        )


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)
    return str(exc) or str(_("没有权限。"))


class ExemplarAdminForm(forms.ModelForm):
    """A portrait goes through the same validator as article photos: re-encoded without EXIF
    (no GPS of a person's home) under a random name (no guessable name under /media/)."""

    photo = forms.FileField(label=_("照片"), widget=AdminFileWidget, required=False)

    class Meta:
        model = Exemplar
        fields = [
            "name",
            "kind",
            "honour",
            "year",
            "workplace",
            "title",
            "federation",
            "story",
            "photo",
            "consent_to_publish",
            "consent_recorded_on",
        ]

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if upload and hasattr(upload, "content_type"):
            return clean_image(upload).file
        return upload


@admin.register(Exemplar)
class ExemplarAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = ExemplarAdminForm
    list_display = [
        "name",
        "kind",
        "honour",
        "year",
        "workplace",
        "federation",
        "consent_to_publish",
    ]
    list_filter = ["honour", "year", "kind", "consent_to_publish"]
    search_fields = ["name", "workplace", "story"]
    autocomplete_fields = ["federation"]
    list_select_related = ["federation"]

    def save_model(self, request, obj, form, change):
        services.exemplar_save(exemplar=obj, user=request.user)

    def delete_model(self, request, obj):
        services.exemplar_delete(exemplar=obj, user=request.user)


# --- sign-up and check-in (issue 13) ----------------------------------------------------------------
@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "activity",
        "mode",
        "capacity",
        "waitlist",
        "eligibility",
        "opens_at",
        "closes_at",
    ]
    list_filter = ["mode", "eligibility", "waitlist"]
    search_fields = ["activity__title"]
    autocomplete_fields = ["activity"]
    list_select_related = ["activity"]

    def save_model(self, request, obj, form, change):
        services.registration_settings_save(
            registration_settings=obj,
            user=request.user,
            expected_version=form.cleaned_data.get("version_token"),
        )


@admin.register(Registration)
class RegistrationAdmin(PersonalDataAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only: places change only through the services (the staff pages), which hold the
    activity's lock. Sensitive programmes' registrations need the separate permission."""

    list_display = [
        "__str__",
        "activity",
        "participant_name",
        "mobile",
        "status",
        "source",
        "checked_in_at",
    ]
    list_filter = ["status", "source", ("checked_in_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "activity__title"]
    list_select_related = ["activity"]
    fieldsets = [
        (None, {"fields": ["activity", "code", "status", "source"]}),
        (
            _("报名人（个人信息）"),
            {
                "fields": [
                    "participant_name",
                    "mobile",
                    "enterprise",
                    "workplace",
                    "children_count",
                    "children_ages",
                    "answer",
                ]
            },
        ),
        (
            _("时间"),
            {
                "fields": [
                    "created_at",
                    "confirmed_at",
                    "cancelled_at",
                    "cancelled_by",
                    "consented_at",
                ]
            },
        ),
        (_("签到"), {"fields": ["checked_in_at", "checked_in_by", "checkin_method"]}),
        (_("个人信息删除"), {"fields": ["erased_at"]}),
    ]
    actions = ["erase_personal_data"]

    def get_queryset(self, request):
        return activity_selectors.registrations_for(request.user).select_related("activity")

    def get_search_fields(self, request):
        fields = list(super().get_search_fields(request))
        if privacy.can_view_contact(request.user):
            fields += ["participant_name", "mobile"]
        return fields

    def lookup_allowed(self, lookup, value, request=None):
        # A role that sees masked values may not recover them by filtering (?mobile__startswith=).
        if lookup.split("__")[0] in ("participant_name", "mobile", "ip_address") and not (
            request is not None and privacy.can_view_contact(request.user)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in Registration._meta.fields]
        return [
            *super().get_readonly_fields(request, obj),
            *[n for n in names if n not in privacy.personal_fields(Registration)],
        ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The change page is a view; personal fields are shown (masked or logged) by the mixin.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("删除所选报名的个人信息（保留人数统计）"), permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        count = services.registrations_erase(registrations=queryset, user=request.user)
        self.message_user(
            request, _("已删除 %(n)d 条报名的姓名、手机号和回答。") % {"n": count}, messages.SUCCESS
        )

    def has_erase_permission(self, request):
        return request.user.has_perm("activities.change_registration")


# --- brand sessions with sign-up: the activities app adds to the brands' admin -------------------
# (brands imports no activities: the sign-up action and the counted figures are added here.)
admin.site.unregister(Brand)
admin.site.unregister(BrandSession)


@admin.register(Brand)
class BrandWithSignupAdmin(BrandAdmin):
    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        # A session with sign-up keeps counting its check-ins, whatever was typed.
        for session in BrandSession.objects.filter(brand=form.instance, participants_counted=True):
            services.brand_session_attendance_refresh(session_id=session.pk)


@admin.register(BrandSession)
class BrandSessionWithSignupAdmin(BrandSessionAdmin):
    readonly_fields = ["participants_counted"]
    actions = ["open_signup"]

    @admin.action(description=_("为所选期次开启报名（通过本期的活动）"), permissions=["change"])
    def open_signup(self, request, queryset):
        opened = []
        for session in queryset.select_related("brand", "brand__organizer"):
            try:
                opened.append(
                    services.brand_session_signup_open(session=session, user=request.user)
                )
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
        services.brand_session_attendance_refresh(session_id=obj.pk)
