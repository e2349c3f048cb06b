"""Public pages of the brand programmes: sessions numbered 第N期, outcomes summed, news."""

from __future__ import annotations

from itertools import groupby

from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.views.generic import DetailView, ListView

from brands.models import Brand
from brands.selectors import brand_outcomes
from federation.core import registry
from federation.core.visibility import with_public_flags
from federation.web.cache import public_page

OUTCOME_FIELDS = ("participants", "families", "enterprises", "classes_incubated", "couples")


@method_decorator(public_page, name="dispatch")
class BrandListView(ListView):
    template_name = "brands/brand_list.html"

    def get_queryset(self):
        return brand_outcomes().select_related("parent")


def session_figures(brand) -> dict:
    """The brand's sessions, by year, and the outcomes summed from them."""
    sessions = list(
        with_public_flags(brand.sessions.select_related("site", "federation"), "site").order_by(
            "-starts_on", "-number"
        )
    )
    return {
        "sessions": sessions,
        # A brand with a hundred sessions would be a 14,000 px table: one folded group per year
        # (the latest open), each session a short list item that fits a phone.
        "session_years": [
            {"year": year, "sessions": list(group)}
            for year, group in groupby(sessions, key=lambda s: s.starts_on.year)
        ],
        # Outcomes are the sums of the sessions shown (no extra query, always consistent).
        "totals": {name: sum(getattr(s, name) for s in sessions) for name in OUTCOME_FIELDS},
        "counted_sessions": sum(1 for s in sessions if s.participants_counted),
    }


@method_decorator(public_page, name="dispatch")
class BrandDetailView(DetailView):
    template_name = "brands/brand_detail.html"

    def get_queryset(self):
        return with_public_flags(
            Brand.objects.published().select_related("organizer", "parent"), "organizer", "parent"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        brand = self.object
        # Read when first shown: the template keeps the brand's own part as a fragment
        # (federation.web.fragments), so a kept page reads no session.
        figures = SimpleLazyObject(lambda: session_figures(brand))
        for name in ("sessions", "session_years", "totals", "counted_sessions"):
            context[name] = SimpleLazyObject(lambda name=name: figures[name])
        context["sub_brands"] = Brand.objects.published().filter(parent=brand)
        # Its news and upcoming activities: contributed by the activities app.
        context.update(registry.contributions(brand))
        return context
