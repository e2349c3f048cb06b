from django.views.generic import DetailView, ListView

from organizations.models import Federation, ServiceSite


class FederationListView(ListView):
    template_name = "organizations/federation_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Federation.objects.active().grassroots().order_by("kind", "name")


class FederationDetailView(DetailView):
    template_name = "organizations/federation_detail.html"

    def get_queryset(self):
        return Federation.objects.active().select_related("parent")


class SiteListView(ListView):
    template_name = "organizations/site_list.html"
    paginate_by = 50

    def get_queryset(self):
        return ServiceSite.objects.active().select_related("federation")


class SiteDetailView(DetailView):
    template_name = "organizations/site_detail.html"

    def get_queryset(self):
        return ServiceSite.objects.active().select_related("federation").prefetch_related("hours")
