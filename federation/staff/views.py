"""Staff pages: thin views over the services, everything fetched through the user's scope."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView, UpdateView
from django_filters.views import FilterView

from activities import preview, tickets
from activities import selectors as activity_selectors
from activities import services as activity_services
from activities.images import clean_images
from activities.layout import article_layout
from activities.models import Activity, Article, Photo, Registration, RegistrationSettings
from activities.renditions import with_thumbnails
from activities.resources import registrations_xlsx
from activities.richtext import foreign_images
from federation.core import notifications, privacy
from federation.core.audit import personal_data_access_log
from federation.core.locking import StaleObjectError
from federation.core.scoping import federation_ids, has_network_scope, scope_queryset
from federation.models import PersonalDataAccess
from federation.staff import forms, selectors
from federation.staff.filters import (
    ActivityFilter,
    ArticleFilter,
    CoverageFilter,
    RegistrationFilter,
    ServiceSiteFilter,
)
from federation.staff.mixins import StaffMixin
from organizations import selectors as org_selectors
from organizations import services as org_services
from organizations.forms import hours_from
from organizations.models import Enterprise, Federation, FollowUpVisit, ServiceSite

FOREIGN_IMAGES_WARNING = _(
    "正文里有外站图片（如公众号文章的图片）：公众页面不会显示它们。请把图片下载后作为照片上传，"
    "再用“插入照片”放回原处。"
)
SAVE_FAILED = _("照片保存失败（服务器存储空间不足或暂时不可写），本次修改没有保存，请稍后再试。")


class DashboardView(StaffMixin, TemplateView):
    permission_required = "activities.view_activity"
    template_name = "staff/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs)
        articles = scope_queryset(Article.objects.select_related("federation", "author"), user)
        context["figures"] = selectors.scope_figures(user)
        context["can_publish"] = activity_services.can_publish(user)
        waiting = articles.filter(status=Article.Status.SUBMITTED).order_by("submitted_at")
        if not context["can_publish"]:
            waiting = waiting.filter(author=user)
        context["waiting"] = waiting[:20]
        context["scheduled"] = articles.filter(pk__in=Article.objects.scheduled())[:10]
        context["my_drafts"] = activity_selectors.with_send_back_reasons(
            articles.filter(author=user, status=Article.Status.DRAFT)
        )[:10]
        context["notifications"] = user.notifications.all()[:10]
        context["unread"] = notifications.unread_count(user)
        context["recent_changes"] = selectors.recent_changes_by(user)
        sites = selectors.incomplete_sites(scope_queryset(ServiceSite.objects.all(), user))
        federations = selectors.federations_without_contact(
            scope_queryset(Federation.objects.all(), user)
        )
        activities = selectors.activities_without_news(
            scope_queryset(Activity.objects.select_related("organizer"), user)
        )
        context["incomplete"] = {
            "sites": (sites.count(), sites[:5]),
            "federations": (federations.count(), federations[:5]),
            "activities": (activities.count(), activities[:5]),
        }
        dormant_feds = selectors.dormant_federations(scope_queryset(Federation.objects.all(), user))
        dormant_sites = selectors.dormant_sites(
            scope_queryset(ServiceSite.objects.select_related("federation"), user)
        )
        context["dormant"] = {
            "days": settings.DORMANT_DAYS,
            "federations": (dormant_feds.count(), dormant_feds[:5]),
            "sites": (dormant_sites.count(), dormant_sites[:5]),
        }
        todo_count, todos = selectors.completeness(scope_queryset(Federation.objects.all(), user))
        context["todo"] = {"count": todo_count, "federations": todos}
        return context


# --- shared create/edit handling ------------------------------------------------------------
class StaffFormView(StaffMixin, UpdateView):
    """Create (no pk) or edit (pk, fetched in scope) one record through a service function.

    Subclasses define ``save(form)``, which calls their app's service and returns the object.
    """

    success_message = _("已保存。")

    def get_object(self, queryset=None):
        if "pk" not in self.kwargs:
            return None
        return super().get_object(queryset)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.save(form)
        except StaleObjectError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        except OSError:
            form.add_error(None, SAVE_FAILED)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class ActivityListView(StaffMixin, FilterView):
    permission_required = "activities.view_activity"
    model = Activity
    filterset_class = ActivityFilter
    template_name = "staff/activity_list.html"
    paginate_by = 25

    def base_queryset(self):
        return (
            Activity.objects.select_related("organizer", "site")
            .annotate(
                news_count=Count("articles"),
                has_signup=Exists(
                    RegistrationSettings.objects.filter(activity=OuterRef("pk"), mode="open")
                ),
            )
            .order_by("-starts_at", "-pk")
        )


class ActivityFormView(StaffFormView):
    model = Activity
    form_class = forms.ActivityForm
    template_name = "staff/activity_form.html"

    def get_permission_required(self):
        return ["activities.change_activity" if "pk" in self.kwargs else "activities.add_activity"]

    def get_initial(self):
        # The dashboard's to-do "no activity this quarter" links here with the organizer chosen
        # (the form offers only the user's own federations, so another id selects nothing).
        initial = super().get_initial()
        organizer = self.request.GET.get("organizer", "")
        if "pk" not in self.kwargs and organizer.isdigit():
            initial["organizer"] = int(organizer)
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = context.get("object")
        context["can_delete"] = bool(
            activity and activity_services.can_delete_activity(self.request.user, activity)
        )
        return context

    def save(self, form):
        return activity_services.activity_save(
            activity=form.instance, user=self.request.user, expected_version=form.expected_version
        )

    def get_success_url(self):
        return reverse("staff:activity_list")


class StaffDeleteView(StaffMixin, DetailView):
    """GET: a confirmation page naming what goes; POST: delete through the app's service, which
    decides who may (``can_delete``) and records the deletion in the history."""

    template_name = "staff/confirm_delete.html"
    can_delete = None
    delete = None
    success_url_name = ""
    cancel_url_name = ""
    done_message = _("已删除。")
    refused_message = ""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not type(self).can_delete(self.request.user, obj):
            raise PermissionDenied(self.refused_message)
        return obj

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = reverse(self.cancel_url_name, args=[self.object.pk])
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        title = str(self.object)
        type(self).delete(**{self.model._meta.model_name: self.object, "user": request.user})
        messages.success(request, self.done_message % {"title": title})
        return HttpResponseRedirect(reverse(self.success_url_name))


class ActivityDeleteView(StaffDeleteView):
    permission_required = "activities.change_activity"
    model = Activity
    can_delete = activity_services.can_delete_activity
    delete = activity_services.activity_delete
    success_url_name = "staff:activity_list"
    cancel_url_name = "staff:activity_edit"
    done_message = _("活动“%(title)s”已删除。")
    refused_message = _("只能删除自己创建、没有发布过新闻且无人报名的活动。")


class ArticleListView(StaffMixin, FilterView):
    permission_required = "activities.view_article"
    model = Article
    filterset_class = ArticleFilter
    template_name = "staff/article_list.html"
    paginate_by = 25

    def base_queryset(self):
        return Article.objects.select_related("federation", "author").order_by("-updated_at", "-pk")


class ArticleFormView(StaffFormView):
    model = Article
    form_class = forms.ArticleForm
    template_name = "staff/article_form.html"
    success_message = _("文章已保存。")

    def get_permission_required(self):
        return ["activities.change_article" if "pk" in self.kwargs else "activities.add_article"]

    def get_object(self, queryset=None):
        article = super().get_object(queryset)
        if article is not None and not activity_services.can_edit_article(
            self.request.user, article
        ):
            raise PermissionDenied(_("文章正在审核或已发布，只有编辑可以修改。"))
        return article

    def get_initial(self):
        initial = super().get_initial()
        activity = self.request.GET.get("activity", "")
        if "pk" not in self.kwargs and activity.isdigit():
            found = scope_queryset(Activity.objects.all(), self.request.user).filter(pk=activity)
            initial["activity"] = found.first()
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = context.get("object")
        context["photos"] = with_thumbnails(article.photos.all()) if article else []
        # The editor's 插入照片 offers these (their smallest rendition, as shown on this page);
        # a photo file dropped or pasted into the text is uploaded to the article.
        widget = context["form"].fields["body"].widget
        if article and self.request.user.has_perm("activities.add_photo"):
            widget.upload_url = reverse("staff:article_photo_upload", args=[article.pk])
        widget.photos = [
            {"id": photo.pk, "src": photo.thumbnail.file.url, "caption": photo.caption}
            for photo in context["photos"]
            if photo.thumbnail
        ]
        if article:
            context["foreign_images"] = foreign_images(context["form"]["body"].value() or "")
        if article and self.request.method == "GET":
            # Photos refused by the save that brought the user back here (see form_valid).
            context["refused_after_save"] = self.request.session.pop(
                self.refused_key(article.pk), None
            )
        return context

    @staticmethod
    def refused_key(pk: int) -> str:
        return f"staff:refused-photos:{pk}"

    def form_valid(self, form):
        response = super().form_valid(form)
        if response.status_code == 302 and foreign_images(self.object.body):
            messages.warning(self.request, FOREIGN_IMAGES_WARNING)
        if response.status_code == 302 and form.refused_photos:
            # The article and its valid photos are saved; the refused ones are listed at the
            # top of the form, which stays open to add them again.
            self.request.session[self.refused_key(self.object.pk)] = [
                list(item) for item in form.refused_photos
            ]
            return HttpResponseRedirect(reverse("staff:article_edit", args=[self.object.pk]))
        return response

    def save(self, form):
        return activity_services.article_save(
            article=form.instance,
            user=self.request.user,
            expected_version=form.expected_version,
            photos=form.new_photos(),
        )

    def get_success_url(self):
        return reverse("staff:article_preview", args=[self.object.pk])


class ArticleDeleteView(StaffDeleteView):
    permission_required = "activities.change_article"
    model = Article
    can_delete = activity_services.can_delete_article
    delete = activity_services.article_delete
    success_url_name = "staff:article_list"
    cancel_url_name = "staff:article_preview"
    done_message = _("草稿“%(title)s”已删除。")
    refused_message = _("只能删除自己写的、从未发布过的草稿。")


class ArticlePreviewView(StaffMixin, DetailView):
    """How the article will look on the public site, for staff in scope (any status)."""

    permission_required = "activities.view_article"
    model = Article
    template_name = "staff/article_preview.html"

    def base_queryset(self):
        return Article.objects.select_related("federation", "activity", "author").prefetch_related(
            "photos"
        )

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        # The phone-sized frame shows the signed preview (this site only).
        response._csp_replace = {"frame-src": ["'self'"]}
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, article = self.request.user, self.object
        context["transitions"] = article.transitions.select_related("user")
        context["can_edit"] = activity_services.can_edit_article(user, article)
        context["can_delete"] = activity_services.can_delete_article(user, article)
        context["can_publish"] = activity_services.can_publish(user)
        context["can_change"] = user.has_perm("activities.change_article")
        context["photos"] = with_thumbnails(article.photos.all())
        context["layout"] = article_layout(article)
        context["foreign_images"] = foreign_images(article.body)
        context["publish_form"] = forms.PublishForm()
        context["send_back_form"] = forms.SendBackForm()
        context["review_diff"] = selectors.changes_since_published(article)
        # A signed link to the public layout, to open on a phone (QR code) without logging in.
        share_url = self.request.build_absolute_uri(preview.preview_url(article))
        context["share_url"] = share_url
        qr = segno.make(share_url, error="m")
        context["share_qr"] = qr.svg_data_uri(scale=4)
        context["share_qr_size"] = qr.symbol_size(scale=4)[0]
        context["share_days"] = preview.max_age() // 86400
        context["sent_back"] = activity_selectors.send_back_reason(article)
        context["is_public"] = Article.objects.published().filter(pk=article.pk).exists()
        return context


ARTICLE_STEPS = {
    "submit": (activity_services.article_submit, _("已提交审核，等待区妇联编辑发布。")),
    "withdraw": (activity_services.article_return_to_draft, _("已退回草稿。")),
    "publish": (activity_services.article_publish, _("已发布。")),
    "unpublish": (activity_services.article_unpublish, _("已撤回，公众不再能看到这篇文章。")),
}


class ArticleTransitionView(StaffMixin, View):
    """POST only: one step of the publishing workflow, done by the service."""

    permission_required = "activities.change_article"
    model = Article
    http_method_names = ["post"]

    def post(self, request, pk, step):
        if step not in ARTICLE_STEPS:
            raise Http404
        article = get_object_or_404(self.get_queryset(), pk=pk)
        service, done = ARTICLE_STEPS[step]
        kwargs = {"article": article, "user": request.user}
        form = forms.PublishForm(request.POST)
        if form.is_valid():
            kwargs["note"] = form.cleaned_data["note"]
            if step == "publish":
                kwargs["publish_at"] = form.cleaned_data["publish_at"]
        else:
            messages.error(request, _("发布时间格式不正确。"))
            return HttpResponseRedirect(reverse("staff:article_preview", args=[pk]))
        try:
            article = service(**kwargs)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            if step == "publish" and not Article.objects.published().filter(pk=article.pk).exists():
                messages.success(request, _("已定时发布，将在设定的发布时间自动公开。"))
            else:
                messages.success(request, done)
        return HttpResponseRedirect(reverse("staff:article_preview", args=[pk]))


class ArticleSendBackView(StaffMixin, View):
    """POST only: an editor sends a submitted article back to its author with a reason."""

    permission_required = "activities.change_article"
    model = Article
    http_method_names = ["post"]

    def post(self, request, pk):
        article = get_object_or_404(self.get_queryset(), pk=pk)
        # The service checks the right first, then the reason (required, at most 300 characters).
        try:
            activity_services.article_send_back(
                article=article, user=request.user, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已退回修改，作者会收到通知。"))
        return HttpResponseRedirect(reverse("staff:article_preview", args=[pk]))


class NotificationsReadView(StaffMixin, View):
    """POST only: the user's notifications are marked read."""

    permission_required = "activities.view_activity"
    http_method_names = ["post"]

    def post(self, request):
        notifications.mark_all_read(request.user)
        return HttpResponseRedirect(reverse("staff:dashboard"))


class PhotoListView(StaffMixin, ListView):
    permission_required = "activities.view_photo"
    model = Photo
    template_name = "staff/photo_list.html"
    paginate_by = 48

    def base_queryset(self):
        return Photo.objects.select_related("article", "article__federation").order_by(
            "-created_at", "-pk"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = with_thumbnails(context["object_list"])
        return context


class ArticlePhotosView(StaffMixin, DetailView):
    """The photo panel of one article on one page: caption and order of every photo, deletion,
    and 设为封面 (the cover is an explicit choice, never silently the first photo)."""

    permission_required = "activities.change_photo"
    model = Article
    template_name = "staff/article_photos.html"

    def get_object(self, queryset=None):
        article = super().get_object(queryset)
        if not activity_services.can_edit_article(self.request.user, article):
            raise PermissionDenied(_("文章正在审核或已发布，只有编辑可以修改。"))
        return article

    def formset(self, data=None):
        return forms.PhotoPanelFormSet(
            data, queryset=self.object.photos.order_by("position", "pk"), prefix="photos"
        )

    def get_context_data(self, formset=None, cover_error=None, **kwargs):
        context = super().get_context_data(**kwargs)
        formset = formset or self.formset()
        thumbnails = {p.pk: p for p in with_thumbnails(f.instance for f in formset.forms)}
        context["rows"] = [(f, thumbnails[f.instance.pk]) for f in formset.forms]
        context["formset"] = formset
        context["cover_id"] = (
            self.request.POST.get("cover", "") if self.request.method == "POST" else ""
        ) or str(self.object.cover_photo_id or "")
        context["cover_error"] = cover_error
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        formset = self.formset(request.POST)
        photos = {str(p.pk): p for p in self.object.photos.all()}
        cover_key = request.POST.get("cover", "")
        cover_error = None
        if cover_key and cover_key not in photos:
            cover_error = _("请选择本文的一张照片作为封面。")
        if not formset.is_valid() or cover_error:
            return self.render_to_response(
                self.get_context_data(formset=formset, cover_error=cover_error)
            )
        rows = [
            (
                form.instance,
                form.cleaned_data["caption"],
                form.cleaned_data["position"],
                form in formset.deleted_forms,
                (form.cleaned_data["focus_x"], form.cleaned_data["focus_y"]),
            )
            for form in formset.forms
        ]
        version = request.POST.get("version", "")
        try:
            activity_services.article_photos_save(
                article=self.object,
                user=request.user,
                rows=rows,
                cover=photos.get(cover_key),
                expected_version=int(version) if version.isdigit() else None,
            )
        except StaleObjectError as exc:
            # What was typed stays in the form.
            return self.render_to_response(
                self.get_context_data(formset=formset, cover_error=exc.message)
            )
        except ValidationError as exc:
            return self.render_to_response(
                self.get_context_data(formset=formset, cover_error="；".join(exc.messages))
            )
        messages.success(request, _("照片的说明、顺序和封面已保存。"))
        return HttpResponseRedirect(reverse("staff:article_preview", args=[self.object.pk]))


class ArticlePhotoUploadView(StaffMixin, View):
    """POST only, from the editor (a photo file dropped or pasted into the text): one photo of
    the article through the same validator and bounds as the form; JSON for the editor."""

    permission_required = "activities.add_photo"
    model = Article
    http_method_names = ["post"]

    def post(self, request, pk):
        article = get_object_or_404(self.get_queryset(), pk=pk)
        if not activity_services.can_edit_article(request.user, article):
            raise PermissionDenied
        files = request.FILES.getlist("image")
        if len(files) != 1:
            return JsonResponse({"error": str(_("请一次上传一张照片。"))}, status=400)
        batch = clean_images(files)
        if batch.refused:
            name, reason = batch.refused[0]
            return JsonResponse({"error": f"{name}：{reason}"}, status=400)
        try:
            (photo,) = activity_services.photos_add(
                article=article, photos=[(batch.accepted[0][1], "")], user=request.user
            )
        except OSError:
            return JsonResponse({"error": str(SAVE_FAILED)}, status=503)
        (photo,) = with_thumbnails([photo])
        src = photo.thumbnail.file.url if photo.thumbnail else photo.image.url
        return JsonResponse({"id": photo.pk, "src": src, "caption": photo.caption})


class PhotoEditView(StaffMixin, UpdateView):
    """Caption and order of one photo of an article the user may edit."""

    permission_required = "activities.change_photo"
    model = Photo
    form_class = forms.PhotoForm
    template_name = "staff/photo_form.html"

    def get_object(self, queryset=None):
        photo = super().get_object(queryset)
        if not activity_services.can_edit_article(self.request.user, photo.article):
            raise PermissionDenied(_("文章正在审核或已发布，只有编辑可以修改。"))
        return photo

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["thumbnail"] = with_thumbnails([self.object])[0].thumbnail
        return context

    def form_valid(self, form):
        activity_services.photo_update(
            photo=form.instance,
            user=self.request.user,
            caption=form.cleaned_data["caption"],
            position=form.cleaned_data["position"],
        )
        messages.success(self.request, _("照片说明已保存。"))
        return HttpResponseRedirect(
            reverse("staff:article_preview", args=[form.instance.article_id])
        )


class PhotoDeleteView(StaffMixin, View):
    permission_required = "activities.delete_photo"
    model = Photo
    http_method_names = ["post"]

    def post(self, request, pk):
        photo = get_object_or_404(self.get_queryset().select_related("article"), pk=pk)
        if not activity_services.can_edit_article(request.user, photo.article):
            raise PermissionDenied
        article_pk = photo.article_id
        activity_services.photo_delete(photo=photo, user=request.user)
        messages.success(request, _("照片已删除。"))
        return HttpResponseRedirect(reverse("staff:article_preview", args=[article_pk]))


class SiteListView(StaffMixin, FilterView):
    permission_required = "organizations.view_servicesite"
    model = ServiceSite
    filterset_class = ServiceSiteFilter
    template_name = "staff/site_list.html"
    paginate_by = 25

    def base_queryset(self):
        return (
            ServiceSite.objects.select_related("federation")
            .prefetch_related("hours")
            .order_by("kind", "name")
        )


class SiteFormView(StaffFormView):
    model = ServiceSite
    form_class = forms.ServiceSiteForm
    template_name = "staff/site_form.html"

    def get_permission_required(self):
        return [
            "organizations.change_servicesite"
            if "pk" in self.kwargs
            else "organizations.add_servicesite"
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("hours_formset", self.hours_formset())
        return context

    def hours_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return forms.OpeningHoursFormSet(
            data, instance=self.object or ServiceSite(), prefix="hours"
        )

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        formset = self.hours_formset()
        if form.is_valid() and formset.is_valid():
            self.formset = formset
            return self.form_valid(form)
        return self.render_to_response(self.get_context_data(form=form, hours_formset=formset))

    def form_invalid(self, form):
        return self.render_to_response(
            self.get_context_data(
                form=form, hours_formset=getattr(self, "formset", None) or self.hours_formset()
            )
        )

    def save(self, form):
        return org_services.site_save(
            site=form.instance,
            user=self.request.user,
            expected_version=form.expected_version,
            hours=hours_from(self.formset),
        )

    def get_success_url(self):
        return reverse("staff:site_list")


class FederationProfileView(StaffFormView):
    """The user's own federation's profile (its level, parent and kind are not on the form)."""

    permission_required = "organizations.change_federation"
    model = Federation
    form_class = forms.FederationProfileForm
    template_name = "staff/federation_form.html"
    success_message = _("组织资料已保存。")

    def get_object(self, queryset=None):
        if self.request.user.federation_id is None:
            raise Http404(_("您的账号没有所属妇联。"))
        return get_object_or_404(self.get_queryset(), pk=self.request.user.federation_id)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        form = response.context_data["form"]
        privacy.log_unmasked_view(
            request=request,
            model=Federation,
            obj=self.object,
            fields=privacy.filled(
                self.object, [f for f in privacy.personal_fields(Federation) if f in form.fields]
            ),
        )
        return response

    def save(self, form):
        return org_services.federation_save(
            federation=form.instance, user=self.request.user, expected_version=form.expected_version
        )

    def get_success_url(self):
        return reverse("staff:federation_profile")


class HistoryView(StaffMixin, DetailView):
    """Who changed what and when, field by field: for anyone who may see the record."""

    template_name = "staff/history.html"

    def dispatch(self, request, *args, **kwargs):
        self.model = selectors.history_models().get(kwargs["model"])
        if self.model is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_permission_required(self):
        opts = self.model._meta
        return [f"{opts.app_label}.view_{opts.model_name}"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["records"], revealed = selectors.history_with_changes(
            self.object, self.request.user
        )
        privacy.log_unmasked_view(
            request=self.request, model=self.model, obj=self.object, fields=revealed
        )
        context["verbose_name"] = self.model._meta.verbose_name
        context["network_scope"] = has_network_scope(self.request.user)
        return context


# --- sign-up and check-in (issue 13) ---------------------------------------------------------------
class ActivityRegistrationMixin(StaffMixin):
    """An activity of the user's scope (404 otherwise) whose registrations the user may see
    (sensitive programmes: only with the separate permission, 403 otherwise)."""

    model = Activity

    def dispatch(self, request, *args, **kwargs):
        # Login and the page's permission first (403 for a role without it), then the scope.
        if not request.user.is_authenticated or not self.has_permission():
            return self.handle_no_permission()
        self.activity = get_object_or_404(
            scope_queryset(
                Activity.objects.select_related("organizer", "brand", "brand__parent"), request.user
            ),
            pk=kwargs["pk"],
        )
        if not activity_selectors.may_see_registrations_of(request.user, self.activity):
            raise PermissionDenied(_("本活动涉及参与者隐私，报名名单仅限获得专门授权的人员查看。"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["activity"] = self.activity
        context["config"] = RegistrationSettings.objects.filter(activity=self.activity).first()
        if context["config"] is not None:
            context["state"] = activity_selectors.signup_state(
                self.activity, context["config"], timezone.now()
            )
        context["private"] = self.activity.keeps_participants_private
        return context


class RegistrationListView(ActivityRegistrationMixin, FilterView):
    permission_required = "activities.view_registration"
    filterset_class = RegistrationFilter
    template_name = "staff/registration_list.html"
    paginate_by = 50

    def get_queryset(self):
        return (
            activity_selectors.registrations_for(self.request.user)
            .filter(activity=self.activity)
            .select_related("enterprise", "checked_in_by")
            .order_by("status", "queued_at", "pk")
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        rows = list(context["object_list"])
        masked = not privacy.can_view_contact(user)
        for row in rows:
            row.shown_name = (
                privacy.mask_name(row.participant_name) if masked else row.participant_name
            )
            row.shown_mobile = privacy.mask_phone(row.mobile) if masked else row.mobile
        context["object_list"] = rows
        context["masked"] = masked
        context["can_change"] = user.has_perm("activities.change_registration")
        context["can_export"] = (
            user.has_perm("activities.export_registration") and not context["private"]
        )
        context["can_settings"] = user.has_perm("activities.change_registrationsettings")
        context["counts"] = dict(
            Registration.objects.filter(activity=self.activity)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        context["checked_in"] = (
            Registration.objects.filter(activity=self.activity).checked_in().count()
        )
        shown = [r for r in rows if r.participant_name or r.mobile]
        if shown and not masked:
            privacy.log_unmasked_view(
                request=self.request,
                model=Registration,
                fields=["participant_name", "mobile"],
                object_count=len(shown),
            )
        return context


REGISTRATION_STEPS = {
    "confirm": (activity_services.registration_confirm, _("已确认，此人获得名额。")),
    "waitlist": (
        activity_services.registration_to_waitlist,
        _("已移入候补（排在最后）。空出的名额不会自动递补，可在候补名单中确认其他人。"),
    ),
    "cancel": (activity_services.registration_cancel, _("已取消该报名。")),
}


class RegistrationActionView(StaffMixin, View):
    """POST only: confirm / move to the waitlist / cancel one registration."""

    permission_required = "activities.change_registration"
    http_method_names = ["post"]

    def post(self, request, pk, step):
        if step not in REGISTRATION_STEPS:
            raise Http404
        registration = get_object_or_404(
            activity_selectors.registrations_for(request.user).select_related("activity"), pk=pk
        )
        service, done = REGISTRATION_STEPS[step]
        try:
            result = service(registration=registration, user=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, done)
            if step == "cancel" and result:
                messages.info(
                    request,
                    _("候补者 %(codes)s 已自动递补获得名额。")
                    % {"codes": "、".join(r.display_code for r in result)},
                )
        return HttpResponseRedirect(
            reverse("staff:registration_list", args=[registration.activity_id])
        )


class RegistrationSettingsView(ActivityRegistrationMixin, UpdateView):
    """The sign-up settings of one activity (created on the first save)."""

    form_class = forms.RegistrationSettingsForm
    template_name = "staff/registration_settings_form.html"

    def get_permission_required(self):
        exists = RegistrationSettings.objects.filter(activity_id=self.kwargs["pk"]).exists()
        return [
            "activities.change_registrationsettings"
            if exists
            else "activities.add_registrationsettings"
        ]

    def get_object(self, queryset=None):
        found = RegistrationSettings.objects.filter(activity=self.activity).first()
        if found is not None:
            return found
        return RegistrationSettings(activity=self.activity, capacity=50, closes_at=None)

    def form_valid(self, form):
        try:
            activity_services.registration_settings_save(
                registration_settings=form.instance,
                user=self.request.user,
                expected_version=form.expected_version,
            )
        except StaleObjectError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("报名设置已保存。"))
        return HttpResponseRedirect(reverse("staff:registration_list", args=[self.activity.pk]))


class RegistrationExportView(ActivityRegistrationMixin, View):
    """The sign-up list as xlsx (logged; masked for roles without contacts; refused for
    sensitive programmes)."""

    permission_required = "activities.export_registration"

    def get(self, request, pk):
        if self.activity.keeps_participants_private:
            raise PermissionDenied(_("本活动涉及参与者隐私，报名名单不能导出。"))
        registrations = list(
            activity_selectors.registrations_for(request.user)
            .filter(activity=self.activity)
            .select_related("enterprise")
            .order_by("status", "queued_at", "pk")
        )
        masked = not privacy.can_view_contact(request.user)
        body = registrations_xlsx(self.activity, registrations, masked=masked)
        personal_data_access_log(
            user=request.user,
            model=Registration,
            fields=["participant_name", "mobile"],
            object_count=len(registrations),
            kind=PersonalDataAccess.Kind.EXPORT,
            request=request,
        )
        response = HttpResponse(
            body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="registrations-{self.activity.pk}.xlsx"'
        )
        return response


class CheckinView(ActivityRegistrationMixin, TemplateView):
    """The venue's check-in page on a staff phone: scan tickets (camera or a photo), type a code,
    add a walk-in, or show the rotating 签到码. Works without JavaScript through the two forms;
    with it, scans are queued on the phone and re-sent until the server has them."""

    permission_required = "activities.change_registration"
    template_name = "staff/checkin.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("code_form", forms.CheckinCodeForm())
        context.setdefault("walk_in_form", forms.WalkInForm())
        context["checked_in"] = (
            Registration.objects.filter(activity=self.activity).checked_in().count()
        )
        context["confirmed"] = Registration.objects.filter(
            activity=self.activity, status=Registration.Status.CONFIRMED
        ).count()
        context["recent"] = [
            _checkin_row(r, self.request.user, self.activity)
            for r in Registration.objects.filter(activity=self.activity)
            .checked_in()
            .order_by("-checked_in_at")[:10]
        ]
        context["can_walk_in"] = self.request.user.has_perm("activities.add_registration")
        return context

    def post(self, request, pk):
        """The no-JavaScript path: a typed code or a walk-in."""
        context = {}
        if "participant_name" in request.POST:
            form = forms.WalkInForm(request.POST)
            context["walk_in_form"] = form
            if form.is_valid():
                try:
                    result = activity_services.registration_walk_in(
                        activity=self.activity, user=request.user, **form.cleaned_data
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, _checkin_message(result, request.user, self.activity))
                    return HttpResponseRedirect(request.path)
        else:
            form = forms.CheckinCodeForm(request.POST)
            context["code_form"] = form
            if form.is_valid():
                try:
                    result = activity_services.registration_check_in(
                        activity=self.activity, user=request.user, code=form.cleaned_data["code"]
                    )
                except ValidationError as exc:
                    form.add_error("code", exc)
                else:
                    level = messages.success if result.outcome == "ok" else messages.warning
                    level(request, _checkin_message(result, request.user, self.activity))
                    return HttpResponseRedirect(request.path)
        return self.render_to_response(self.get_context_data(**context), status=400)


def _shown_name(registration, user, activity) -> str:
    """The name the check-in screen shows: none for sensitive programmes, masked without contacts."""
    if activity.keeps_participants_private or registration.is_erased:
        return ""
    if privacy.can_view_contact(user):
        return registration.participant_name
    return privacy.mask_name(registration.participant_name)


def _checkin_row(registration, user, activity) -> dict:
    return {
        "code": registration.display_code,
        "name": _shown_name(registration, user, activity),
        "at": registration.checked_in_at,
        "method": registration.get_checkin_method_display(),
    }


def _checkin_message(result, user, activity) -> str:
    who = _shown_name(result.registration, user, activity) or result.registration.display_code
    if result.outcome == "already":
        at = timezone.localtime(result.registration.checked_in_at).strftime("%H:%M")
        return _("%(who)s 已于 %(at)s 签到过，本次未重复计数。") % {"who": who, "at": at}
    return _("%(who)s 签到成功。") % {"who": who}


class CheckinScanView(ActivityRegistrationMixin, View):
    """JSON endpoint of the check-in page's script: one scanned ticket or typed code."""

    permission_required = "activities.change_registration"
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"ok": False, "message": str(_("请求格式不正确。"))}, status=400)
        if not isinstance(data, dict):
            return JsonResponse({"ok": False, "message": str(_("请求格式不正确。"))}, status=400)
        ticket, code = str(data.get("ticket", ""))[:300], str(data.get("code", ""))[:20]
        scan_id = str(data.get("scan_id", ""))[:40]
        try:
            result = activity_services.registration_check_in(
                activity=self.activity, user=request.user, ticket=ticket, code=code, scan_id=scan_id
            )
        except ValidationError as exc:
            # 200: the request arrived and was answered; the phone must not retry it.
            return JsonResponse(
                {"ok": False, "outcome": exc.code, "message": "；".join(exc.messages)}
            )
        name = _shown_name(result.registration, request.user, self.activity)
        if name and privacy.can_view_contact(request.user):
            privacy.log_unmasked_view(
                request=request,
                model=Registration,
                obj=result.registration,
                fields=["participant_name"],
            )
        return JsonResponse(
            {
                "ok": True,
                "outcome": result.outcome,
                "message": _checkin_message(result, request.user, self.activity),
                "checked_in": Registration.objects.filter(activity=self.activity)
                .checked_in()
                .count(),
                "row": {
                    **_checkin_row(result.registration, request.user, self.activity),
                    "at": timezone.localtime(result.registration.checked_in_at).strftime("%H:%M"),
                },
            }
        )


class CheckinCodeQRView(ActivityRegistrationMixin, View):
    """The rotating 签到码 as an SVG QR code: participants scan it with their own phone."""

    permission_required = "activities.change_registration"

    def get(self, request, pk):
        token = tickets.checkin_code(self.activity.pk, now=time.time())
        url = request.build_absolute_uri(
            reverse("activities:self_checkin", args=[self.activity.pk])
        )
        response = HttpResponse(
            tickets.qr_svg(f"{url}?{urlencode({'k': token})}", scale=8),
            content_type="image/svg+xml",
        )
        response["Cache-Control"] = "no-store"
        return response


# --- the coverage drive --------------------------------------------------------------------


class CoverageWorklistView(StaffMixin, FilterView):
    """District roles: every surveyed, uncovered enterprise, with filters and a true count.
    Grassroots staff: the uncovered enterprises the district gave their federation to follow."""

    permission_required = "organizations.view_enterprise"
    model = Enterprise
    filterset_class = CoverageFilter
    template_name = "staff/coverage_worklist.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = org_selectors.worklist_queryset()
        ids = federation_ids(self.request.user)
        if ids is None:
            return queryset
        return queryset.filter(followed_by__in=ids)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        district = has_network_scope(self.request.user)
        suggestions = org_selectors.coverage_suggestions(rows) if district else {}
        visits = org_selectors.latest_visits(rows)
        for row in rows:
            row.suggestions = suggestions.get(row.pk, [])
            visit = visits.get(row.pk)
            row.last_outcome = visit.outcome if visit else ""
            row.last_visit_on = visit.visited_on if visit else None
            row.last_outcome_label = visit.get_outcome_display() if visit else ""
        context.update(
            rows=rows,
            district=district,
            suggested_names=sorted(
                {s.federation.name for row in rows for s in row.suggestions}
                | {row.followed_by.name for row in rows if row.followed_by}
            ),
            action_form=forms.CoverageActionForm(user=self.request.user),
            today=timezone.localdate(),
            ESTABLISHED=FollowUpVisit.Outcome.ESTABLISHED,
        )
        return context


class CoverageActionView(StaffMixin, View):
    """纳入覆盖 or 分派跟进 of one or many enterprises: all or nothing, each refusal named."""

    permission_required = "organizations.cover_enterprise"
    http_method_names = ["post"]

    def post(self, request):
        form = forms.CoverageActionForm(request.POST, user=request.user)
        back = request.POST.get("next") or ""
        if not back.startswith(reverse("staff:coverage")):
            back = reverse("staff:coverage")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        try:
            if data["action"] == form.COVER:
                rows = org_services.coverage_cover(
                    enterprise_ids=data["enterprise"],
                    federation=data["federation"],
                    covered_since=data["covered_since"],
                    user=request.user,
                    confirmed=data["confirmed"],
                )
                done = _("已将 %(count)d 家企业纳入%(federation)s覆盖。")
            else:
                rows = org_services.coverage_assign(
                    enterprise_ids=data["enterprise"],
                    federation=data["federation"],
                    user=request.user,
                )
                done = _("已将 %(count)d 家企业分派给%(federation)s跟进。")
        except org_services.CoverageRefused as refused:
            if refused.warnings and not refused.refusals:
                return render(
                    request,
                    "staff/coverage_confirm.html",
                    {"warnings": refused.warnings, "data": data, "next": back},
                )
            messages.error(request, _("未作任何修改："))
            for _row, reason in refused.refusals + refused.warnings:
                messages.error(request, reason)
            return HttpResponseRedirect(back)
        messages.success(request, done % {"count": len(rows), "federation": data["federation"]})
        return HttpResponseRedirect(back)


class FollowUpVisitView(StaffMixin, View):
    """Grassroots staff log a visit to an enterprise given to their federation."""

    permission_required = "organizations.add_followupvisit"
    template_name = "staff/followup_visit_form.html"

    def enterprise(self):
        queryset = Enterprise.objects.select_related("followed_by").filter(
            federation__isnull=True, followed_by__isnull=False
        )
        ids = federation_ids(self.request.user)
        if ids is not None:
            queryset = queryset.filter(followed_by__in=ids)
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get(self, request, pk):
        return self.show(self.enterprise(), forms.FollowUpVisitForm())

    def post(self, request, pk):
        enterprise = self.enterprise()
        form = forms.FollowUpVisitForm(request.POST)
        if form.is_valid():
            visit = form.save(commit=False)
            visit.enterprise = enterprise
            visit.federation = enterprise.followed_by
            try:
                org_services.followup_visit_save(visit=visit, user=request.user)
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, exc.messages if hasattr(exc, "messages") else str(exc))
            else:
                if visit.outcome == FollowUpVisit.Outcome.ESTABLISHED:
                    messages.success(request, _("走访已记录，已提请区妇联确认覆盖。"))
                else:
                    messages.success(request, _("走访已记录。"))
                return HttpResponseRedirect(reverse("staff:coverage"))
        return self.show(enterprise, form)

    def show(self, enterprise, form):
        visits = enterprise.visits.select_related("federation")
        return render(
            self.request,
            self.template_name,
            {"enterprise": enterprise, "form": form, "visits": visits},
        )


# --- the district cockpit ------------------------------------------------------------------


class CockpitMixin(StaffMixin):
    """District roles see the whole network; grassroots staff the same figures over their own
    federation and its women's groups (the scope, never a parameter, decides which)."""

    permission_required = "organizations.view_cockpit"

    def has_permission(self):
        user = self.request.user
        return super().has_permission() and (has_network_scope(user) or bool(federation_ids(user)))

    def scope_ids(self) -> set[int] | None:
        return federation_ids(self.request.user)


class DistrictCockpitMixin(CockpitMixin):
    """District-wide figures only (targets, the district's quarterly report)."""

    def has_permission(self):
        return super().has_permission() and has_network_scope(self.request.user)


class CockpitView(CockpitMixin, TemplateView):
    template_name = "staff/cockpit.html"

    def get_context_data(self, **kwargs):
        from federation.staff import charts, cockpit, reports

        context = super().get_context_data(**kwargs)
        data = cockpit.cockpit(federations=self.scope_ids())
        trend = data["trend"]
        labels = [m["label"] for m in trend]
        whole = _("全区") if not data["scoped"] else _("本组织")
        series = [charts.Series(str(whole), [m["rate"] for m in trend], "series-0")]
        series += [
            charts.Series(area, [m["areas"][i] for m in trend], f"series-{i % 8 + 1}")
            for i, area in enumerate(data["areas"])
        ]
        targets = data["targets"]
        marks = {
            row["label"]: row["progress"]["target"] for row in data["by_area"] if row["progress"]
        }
        context.update(
            data,
            dormant_listed=cockpit.DORMANT_LISTED,
            trend_chart=charts.line_chart(str(_("覆盖率按月趋势")), labels, series),
            area_chart=charts.bar_chart(
                str(_("各片区覆盖率")),
                [(r["label"], r["rate"] or 0) for r in data["by_area"]],
                maximum=100,
                unit="%",
                marks=marks,
            ),
            sector_chart=charts.bar_chart(
                str(_("各领域覆盖率")),
                [(r["label"], r["rate"] or 0) for r in data["by_sector"]],
                maximum=100,
                unit="%",
            ),
            activity_chart=charts.bar_chart(
                str(_("每月活动场次")), [(m["label"], m["count"]) for m in data["per_month"]]
            ),
            quarters=reports.finished_quarters(),
            report_federations=[]
            if data["scoped"]
            else Federation.objects.active().grassroots().order_by("name").only("pk", "name"),
            can_set_targets=not data["scoped"]
            and self.request.user.has_perm("organizations.change_coveragetarget"),
            target_form=forms.CoverageTargetForm(
                areas=data["areas"], initial={"year": targets.year}
            ),
        )
        return context


class CockpitExportView(CockpitMixin, View):
    def get(self, request):
        from federation.staff import cockpit
        from organizations.importing.writers import workbook_bytes

        data = cockpit.cockpit(federations=self.scope_ids())
        sheets = cockpit.cockpit_sheets(data)
        org_services.report_download_log(
            kind="cockpit", user=request.user, row_count=cockpit.data_rows(sheets)
        )
        response = HttpResponse(
            workbook_bytes(sheets),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"cockpit-{data['today']:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class CoverageTargetView(DistrictCockpitMixin, View):
    """District admins set (or remove) a coverage target; back to the cockpit with a message."""

    permission_required = ("organizations.view_cockpit", "organizations.change_coveragetarget")
    http_method_names = ["post"]

    def post(self, request):
        areas = Enterprise.objects.exclude(area="").values_list("area", flat=True).distinct()
        form = forms.CoverageTargetForm(request.POST, areas=sorted(set(areas)))
        back = reverse("staff:cockpit") + "#targets"
        if not form.is_valid():
            messages.error(request, _("目标未保存："))
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        target = org_services.coverage_target_set(
            year=data["year"],
            quarter=data["quarter"],
            area=data["area"],
            rate=data["rate"],
            user=request.user,
        )
        if target is None:
            messages.success(request, _("已删除该目标。"))
        else:
            messages.success(
                request,
                _("已设置%(scope)s%(period)s覆盖率目标 %(rate)d%%。")
                % {
                    "scope": target.area or _("全区"),
                    "period": target.period_label,
                    "rate": target.rate,
                },
            )
        return HttpResponseRedirect(back)


class QuarterlyReportView(CockpitMixin, View):
    """The 季度工作台账 of a finished quarter (``?quarter=2026Q3``), as an xlsx download: the
    district's (or, ``?federation=<pk>``, one grassroots federation's) for district roles; always
    their own federation's for grassroots staff, whatever the query says."""

    def report_federation(self, request):
        """None for the district report; raises ValueError with the message for a bad choice."""
        user = request.user
        if not has_network_scope(user):
            return user.federation
        chosen = request.GET.get("federation", "").strip()
        if not chosen:
            return None
        federation = (
            Federation.objects.active().grassroots().filter(pk=chosen).first()
            if chosen.isdigit()
            else None
        )
        if federation is None:
            raise ValueError(_("所选基层妇联不存在或已撤销，请重新选择。"))
        return federation

    def get(self, request):
        from federation.staff import reports

        try:
            quarter = reports.parse_quarter(request.GET.get("quarter", ""))
            federation = self.report_federation(request)
        except (reports.QuarterError, ValueError) as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("staff:cockpit") + "#quarterly")
        from federation.staff.cockpit import data_rows
        from organizations.importing.writers import workbook_bytes

        sheets = reports.quarterly_report_sheets(quarter, federation=federation)
        code = quarter.code if federation is None else f"{quarter.code}-{federation.pk}"
        org_services.report_download_log(
            kind="quarterly",
            user=request.user,
            row_count=data_rows(sheets),
            filters=code if federation is None else f"{quarter.code} {federation.name}",
        )
        response = HttpResponse(
            workbook_bytes(sheets),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="quarterly-{code}.xlsx"'
        return response


class KeptReportListView(DistrictCockpitMixin, TemplateView):
    """The quarterly reports the scheduled task kept in REPORTS_DIR (district roles)."""

    template_name = "staff/kept_reports.html"

    def get_context_data(self, **kwargs):
        from federation.staff import reports

        context = super().get_context_data(**kwargs)
        context["reports"] = reports.kept_reports(settings.REPORTS_DIR)
        return context


class KeptReportDownloadView(DistrictCockpitMixin, View):
    """One kept report, by its listed name only (no path from the URL reaches the disk); each
    download logged like the on-demand ones."""

    def get(self, request, name):
        from federation.staff import reports

        kept = {r.name: r for r in reports.kept_reports(settings.REPORTS_DIR)}
        if name not in kept:
            raise Http404(name)
        content = (settings.REPORTS_DIR / name).read_bytes()
        org_services.report_download_log(
            kind="quarterly", user=request.user, row_count=0, filters=f"{name}（保留文件）"
        )
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
