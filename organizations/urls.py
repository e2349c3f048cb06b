from django.urls import path

from organizations import views

app_name = "organizations"
urlpatterns = [
    path("federations/", views.FederationListView.as_view(), name="federation_list"),
    path("federations/<int:pk>/", views.FederationDetailView.as_view(), name="federation_detail"),
    path("sites/", views.SiteListView.as_view(), name="site_list"),
    path("sites/<int:pk>/", views.SiteDetailView.as_view(), name="site_detail"),
    path("sites/<int:pk>/qr.svg", views.site_qr, name="site_qr"),
    path("sites/<int:pk>/qr.png", views.site_qr_png, name="site_qr_png"),
    path("sites/<int:pk>/poster/", views.SitePosterView.as_view(), name="site_poster"),
]
