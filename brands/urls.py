from django.urls import path

from brands import views

app_name = "brands"
urlpatterns = [
    path("brands/", views.BrandListView.as_view(), name="brand_list"),
    path("brands/<slug:slug>/", views.BrandDetailView.as_view(), name="brand_detail"),
]
