from django.urls import path

from federation.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/new/", views.ActivityFormView.as_view(), name="activity_create"),
    path("activities/<int:pk>/edit/", views.ActivityFormView.as_view(), name="activity_edit"),
    path("articles/", views.ArticleListView.as_view(), name="article_list"),
    path("articles/new/", views.ArticleFormView.as_view(), name="article_create"),
    path("articles/<int:pk>/", views.ArticlePreviewView.as_view(), name="article_preview"),
    path("articles/<int:pk>/edit/", views.ArticleFormView.as_view(), name="article_edit"),
    path(
        "articles/<int:pk>/<slug:step>/",
        views.ArticleTransitionView.as_view(),
        name="article_transition",
    ),
    path("photos/", views.PhotoListView.as_view(), name="photo_list"),
    path("photos/<int:pk>/edit/", views.PhotoEditView.as_view(), name="photo_edit"),
    path("photos/<int:pk>/delete/", views.PhotoDeleteView.as_view(), name="photo_delete"),
    path("sites/", views.SiteListView.as_view(), name="site_list"),
    path("sites/new/", views.SiteFormView.as_view(), name="site_create"),
    path("sites/<int:pk>/edit/", views.SiteFormView.as_view(), name="site_edit"),
    path("federation/", views.FederationProfileView.as_view(), name="federation_profile"),
    path("history/<slug:model>/<int:pk>/", views.HistoryView.as_view(), name="history"),
]
