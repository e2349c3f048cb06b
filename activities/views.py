from django.views.generic import DetailView, ListView

from activities.models import Activity, Article, Exemplar


class ArticleListView(ListView):
    template_name = "activities/article_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().select_related("federation")


class ArticleDetailView(DetailView):
    template_name = "activities/article_detail.html"

    def get_queryset(self):
        return Article.objects.published().select_related("federation", "activity", "brand")


class ActivityListView(ListView):
    template_name = "activities/activity_list.html"
    paginate_by = 30

    def get_queryset(self):
        return Activity.objects.filter(is_public=True).select_related("organizer", "site")


class ActivityDetailView(DetailView):
    template_name = "activities/activity_detail.html"

    def get_queryset(self):
        return Activity.objects.filter(is_public=True).select_related("organizer", "site", "brand")


class ExemplarListView(ListView):
    template_name = "activities/exemplar_list.html"
    paginate_by = 30

    def get_queryset(self):
        return Exemplar.objects.published()


class ExemplarDetailView(DetailView):
    template_name = "activities/exemplar_detail.html"

    def get_queryset(self):
        return Exemplar.objects.published()
