from django.views.generic import TemplateView

from federation import selectors


class HomeView(TemplateView):
    template_name = "federation/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = selectors.headline_figures()
        return context
