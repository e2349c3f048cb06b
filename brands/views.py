from django.views.generic import DetailView, ListView

from brands.models import Brand


class BrandListView(ListView):
    template_name = "brands/brand_list.html"

    def get_queryset(self):
        return Brand.objects.published()


class BrandDetailView(DetailView):
    template_name = "brands/brand_detail.html"

    def get_queryset(self):
        return Brand.objects.published()
