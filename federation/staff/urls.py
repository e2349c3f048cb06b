from django.urls import path

from federation.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/new/", views.ActivityFormView.as_view(), name="activity_create"),
    path("activities/<int:pk>/edit/", views.ActivityFormView.as_view(), name="activity_edit"),
    path("activities/<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="activity_delete"),
    path(
        "activities/<int:pk>/registrations/",
        views.RegistrationListView.as_view(),
        name="registration_list",
    ),
    path(
        "activities/<int:pk>/registrations/export/",
        views.RegistrationExportView.as_view(),
        name="registration_export",
    ),
    path(
        "activities/<int:pk>/signup/",
        views.RegistrationSettingsView.as_view(),
        name="registration_settings",
    ),
    path("activities/<int:pk>/checkin/", views.CheckinView.as_view(), name="checkin"),
    path("activities/<int:pk>/checkin/scan/", views.CheckinScanView.as_view(), name="checkin_scan"),
    path(
        "activities/<int:pk>/checkin/code.svg",
        views.CheckinCodeQRView.as_view(),
        name="checkin_code",
    ),
    path(
        "registrations/<int:pk>/<slug:step>/",
        views.RegistrationActionView.as_view(),
        name="registration_action",
    ),
    path("articles/", views.ArticleListView.as_view(), name="article_list"),
    path("articles/new/", views.ArticleFormView.as_view(), name="article_create"),
    path("articles/<int:pk>/", views.ArticlePreviewView.as_view(), name="article_preview"),
    path(
        "articles/<int:pk>/send-back/",
        views.ArticleSendBackView.as_view(),
        name="article_send_back",
    ),
    path("articles/<int:pk>/edit/", views.ArticleFormView.as_view(), name="article_edit"),
    path("articles/<int:pk>/delete/", views.ArticleDeleteView.as_view(), name="article_delete"),
    path("articles/<int:pk>/photos/", views.ArticlePhotosView.as_view(), name="article_photos"),
    path(
        "articles/<int:pk>/photos/upload/",
        views.ArticlePhotoUploadView.as_view(),
        name="article_photo_upload",
    ),
    path(
        "articles/<int:pk>/<slug:step>/",
        views.ArticleTransitionView.as_view(),
        name="article_transition",
    ),
    path(
        "notifications/read/",
        views.NotificationsReadView.as_view(),
        name="notifications_read",
    ),
    path("photos/", views.PhotoListView.as_view(), name="photo_list"),
    path("photos/<int:pk>/edit/", views.PhotoEditView.as_view(), name="photo_edit"),
    path("photos/<int:pk>/delete/", views.PhotoDeleteView.as_view(), name="photo_delete"),
    path("sites/", views.SiteListView.as_view(), name="site_list"),
    path("sites/new/", views.SiteFormView.as_view(), name="site_create"),
    path("sites/<int:pk>/edit/", views.SiteFormView.as_view(), name="site_edit"),
    path("federation/", views.FederationProfileView.as_view(), name="federation_profile"),
    path("coverage/", views.CoverageWorklistView.as_view(), name="coverage"),
    path("coverage/act/", views.CoverageActionView.as_view(), name="coverage_action"),
    path("coverage/<int:pk>/visit/", views.FollowUpVisitView.as_view(), name="coverage_visit"),
    path("cockpit/", views.CockpitView.as_view(), name="cockpit"),
    path("cockpit/cockpit.xlsx", views.CockpitExportView.as_view(), name="cockpit_export"),
    path("cockpit/quarterly/", views.QuarterlyReportView.as_view(), name="quarterly_report"),
    path("reports/", views.KeptReportListView.as_view(), name="kept_reports"),
    path("reports/<str:name>", views.KeptReportDownloadView.as_view(), name="kept_report_download"),
    path("cockpit/targets/", views.CoverageTargetView.as_view(), name="cockpit_target"),
    path("history/<slug:model>/<int:pk>/", views.HistoryView.as_view(), name="history"),
]
