"""Public pages of activities, activity news and exemplars; the news feed and the calendar."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from activities.calendar import activities_calendar
from activities.filters import ActivityFilter, ArticleFilter, ExemplarFilter
from activities.models import Activity, Article, Exemplar
from activities.renditions import pictures_for
from activities.selectors import article_cards, cover_annotation, with_covers
from federation.core.visibility import with_public_flags
from federation.web import querykeys
from federation.web.cache import public_page

UPCOMING_LIMIT = 30
CALENDAR_LIMIT = 200


# The query parameters of each list (the page cache keys on these alone).
ARTICLE_QUERY = {
    "category": querykeys.one_of(Activity.Category),
    "brand": querykeys.slug,
    "federation": querykeys.number(),
    "year": querykeys.YEAR,
    "page": querykeys.page,
}
ACTIVITY_QUERY = {"category": querykeys.one_of(Activity.Category), "page": querykeys.page}
EXEMPLAR_QUERY = {
    "honour": querykeys.one_of(Exemplar.Honour),
    "year": querykeys.YEAR,
    "page": querykeys.page,
}


def ongoing_or_upcoming(now):
    return Q(starts_at__gte=now) | Q(ends_at__gte=now)


@method_decorator(public_page(query=ARTICLE_QUERY), name="dispatch")
class ArticleListView(ListView):
    template_name = "activities/article_list.html"
    paginate_by = 20

    def get_queryset(self):
        self.filterset = ArticleFilter(
            self.request.GET or None,
            queryset=Article.objects.published()
            .select_related("federation", "activity")
            .annotate(cover_id=cover_annotation()),
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["object_list"] = with_covers(context["object_list"])
        federation_id = (
            self.filterset.form.cleaned_data.get("federation") if self.filterset.is_bound else None
        )
        context["filtered"] = self.filterset.is_bound and any(
            self.filterset.form.cleaned_data.get(name) for name in self.filterset.filters
        )
        if federation_id:
            from organizations.models import Federation

            context["filter_federation"] = (
                Federation.objects.active().filter(pk=federation_id).first()
            )
        return context


@method_decorator(public_page, name="dispatch")
class ArticleDetailView(DetailView):
    template_name = "activities/article_detail.html"

    def get_queryset(self):
        return with_public_flags(
            Article.objects.published().select_related("federation", "activity", "brand"),
            "federation",
            "brand",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        photos = list(article.photos.all())
        pictures = pictures_for(photos)
        context["pictures"] = [pictures[p.pk] for p in photos if p.pk in pictures]
        published = Article.objects.published().only("pk", "title", "publish_at")
        # Newer/older by (publish_at, pk), the list's own order.
        context["newer"] = (
            published.filter(
                Q(publish_at__gt=article.publish_at)
                | Q(publish_at=article.publish_at, pk__gt=article.pk)
            )
            .order_by("publish_at", "pk")
            .first()
        )
        context["older"] = (
            published.filter(
                Q(publish_at__lt=article.publish_at)
                | Q(publish_at=article.publish_at, pk__lt=article.pk)
            )
            .order_by("-publish_at", "-pk")
            .first()
        )
        context["og_image"] = context["pictures"][0].largest if context["pictures"] else None
        return context


@method_decorator(public_page(query=ACTIVITY_QUERY), name="dispatch")
class ActivityListView(ListView):
    """Upcoming activities first (all of them, bounded), then past ones, paginated."""

    template_name = "activities/activity_list.html"
    paginate_by = 20

    def get_queryset(self):
        self.now = timezone.now()
        self.filterset = ActivityFilter(
            self.request.GET or None,
            queryset=Activity.objects.public().select_related("organizer", "site", "brand"),
        )
        return self.filterset.qs.exclude(ongoing_or_upcoming(self.now)).order_by("-starts_at")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["upcoming"] = list(
            self.filterset.qs.filter(ongoing_or_upcoming(self.now)).order_by("starts_at")[
                :UPCOMING_LIMIT
            ]
        )
        return context


@method_decorator(public_page, name="dispatch")
class ActivityDetailView(DetailView):
    template_name = "activities/activity_detail.html"

    def get_queryset(self):
        return with_public_flags(
            Activity.objects.public().select_related(
                "organizer", "site", "brand", "brand_session", "series"
            ),
            "organizer",
            "site",
            "brand",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["articles"] = article_cards(
            Article.objects.published().filter(activity=self.object)
        )
        context["is_upcoming"] = self.object.starts_at >= timezone.now()
        return context


@method_decorator(public_page(query=EXEMPLAR_QUERY), name="dispatch")
class ExemplarListView(ListView):
    template_name = "activities/exemplar_list.html"
    paginate_by = 30

    def get_queryset(self):
        self.filterset = ExemplarFilter(
            self.request.GET or None,
            queryset=Exemplar.objects.published().select_related("federation"),
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context


@method_decorator(public_page, name="dispatch")
class ExemplarDetailView(DetailView):
    template_name = "activities/exemplar_detail.html"

    def get_queryset(self):
        return with_public_flags(
            Exemplar.objects.published().select_related("federation"), "federation"
        )


@require_GET
@public_page
def calendar_ics(request):
    """iCalendar feed of upcoming public activities, for phone calendars."""
    now = timezone.now()
    activities = (
        Activity.objects.public()
        .filter(ongoing_or_upcoming(now))
        .select_related("site", "organizer")
        .order_by("starts_at")[:CALENDAR_LIMIT]
    )
    body = activities_calendar(activities, request=request, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="teda-activities.ics"'
    return response
