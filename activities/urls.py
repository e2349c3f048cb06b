from django.urls import path

from activities import views
from activities.feeds import LatestNewsFeed
from federation.web.cache import public_page

app_name = "activities"
urlpatterns = [
    path("news/", views.ArticleListView.as_view(), name="article_list"),
    path("news/<int:pk>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path(
        "news/preview/<str:token>/",
        views.ArticleSharedPreviewView.as_view(),
        name="article_shared_preview",
    ),
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/calendar.ics", views.calendar_ics, name="activity_calendar"),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/event.ics", views.activity_ics, name="activity_ics"),
    path("activities/<int:pk>/join-qr.svg", views.join_qr, name="join_qr"),
    path("activities/<int:pk>/signup/", views.signup, name="signup"),
    path("activities/<int:pk>/ticket/<str:code>/", views.ticket, name="ticket"),
    path(
        "activities/<int:pk>/ticket/<str:code>/qr.<str:fmt>",
        views.ticket_qr,
        name="ticket_qr",
    ),
    path("activities/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("activities/<int:pk>/checkin/", views.self_check_in, name="self_checkin"),
    path("exemplars/", views.ExemplarListView.as_view(), name="exemplar_list"),
    path("exemplars/<int:pk>/", views.ExemplarDetailView.as_view(), name="exemplar_detail"),
    path("feeds/news/", public_page(LatestNewsFeed()), name="news_feed"),
]
