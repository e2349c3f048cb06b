from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from federation.site import sitemaps, views
from federation.site.sitemaps import SITEMAPS
from federation.web import querykeys, two_factor, wechat, wellknown
from federation.web.cache import public_page

admin.site.site_header = _("有你泰好 · 天津经开区妇联 管理后台")
admin.site.site_title = _("有你泰好 管理后台")
admin.site.index_title = _("数据管理")
admin.site.login_form = two_factor.AdminLoginForm

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("open-data/", views.OpenDataView.as_view(), name="open_data"),
    path("open-data/<slug:slug>.<str:fmt>", views.open_data_file, name="open_data_file"),
    path("robots.txt", wellknown.robots_txt, name="robots_txt"),
    path("favicon.ico", wellknown.favicon_ico, name="favicon"),
    path("language/<str:code>/", views.switch_language, name="switch_language"),
    path(
        "sitemap.xml",
        public_page(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        # p=1 is the page without the parameter.
        public_page(sitemaps.section, query={"p": querykeys.number(2, 100_000)}),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=two_factor.LoginForm),
        name="login",
    ),
    path("accounts/two-factor/", two_factor.TwoFactorView.as_view(), name="two_factor"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("staff/", include("federation.staff.urls")),
    path("captcha/", include("captcha.urls")),
    path("wechat/jssdk-config/", wechat.jssdk_config_view, name="wechat_jssdk_config"),
    path(".well-known/security.txt", wellknown.security_txt, name="security_txt"),
    path("", include("organizations.urls")),
    path("", include("activities.urls")),
    path("", include("brands.urls")),
]

if settings.BENCH_TRIVIAL_VIEW:
    urlpatterns.append(path("bench/trivial/", wellknown.bench_trivial, name="bench_trivial"))

# Media are served by nginx or object storage in production, never by Django.
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "federation.web.errors.server_error"
