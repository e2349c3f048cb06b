"""Public pages of the brand programmes: sessions numbered 第N期, outcomes summed, news."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView

from activities.models import Activity, Article
from activities.selectors import cover_annotation, with_covers
from brands.models import Brand
from federation.web.cache import public_page

OUTCOME_FIELDS = ("participants", "families", "enterprises", "classes_incubated", "couples")


@method_decorator(public_page, name="dispatch")
class BrandListView(ListView):
    template_name = "brands/brand_list.html"

    def get_queryset(self):
        return (
            Brand.objects.published()
            .select_related("parent")
            .annotate(
                session_count=Count("sessions"),
                total_participants=Sum("sessions__participants"),
                total_families=Sum("sessions__families"),
            )
        )


@method_decorator(public_page, name="dispatch")
class BrandDetailView(DetailView):
    template_name = "brands/brand_detail.html"

    def get_queryset(self):
        return Brand.objects.published().select_related("organizer", "parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        brand = self.object
        sessions = list(brand.sessions.select_related("site", "federation").order_by("-number"))
        context["sessions"] = sessions
        # Outcomes are the sums of the sessions shown (no extra query, always consistent).
        context["totals"] = {
            name: sum(getattr(s, name) for s in sessions) for name in OUTCOME_FIELDS
        }
        context["counted_sessions"] = sum(1 for s in sessions if s.participants_counted)
        context["sub_brands"] = list(brand.sub_brands.filter(is_published=True))
        context["articles"] = with_covers(
            Article.objects.published()
            .filter(brand=brand)
            .select_related("federation")
            .annotate(cover_id=cover_annotation())[:10]
        )
        context["upcoming"] = list(
            Activity.objects.public()
            .filter(brand=brand, starts_at__gte=timezone.now())
            .select_related("site", "organizer")
            .order_by("starts_at")[:10]
        )
        return context
