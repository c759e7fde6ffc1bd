from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.i18n import set_language
from django.views.static import serve

from centers import annual_views
from centers import views as center_views
from centers.forms import PhoneAuthenticationForm
from centers.sitemaps import sitemaps

urlpatterns = [
    path("", center_views.home, name="home"),
    path(
        "manage/reports/annual/<slug:slug>/<int:year>/",
        annual_views.annual_report,
        name="annual_report",
    ),
    path(
        "manage/reports/annual/<slug:slug>/<int:year>/report.docx",
        annual_views.annual_report_docx,
        name="annual_report_docx",
    ),
    path("open-data/", annual_views.open_data, name="open_data"),
    path("open-data/<int:year>.csv", annual_views.open_data_csv, name="open_data_csv"),
    path("centers/", include("centers.urls")),
    path("activities/", include("activities.urls")),
    path("manage/activities/", include("activities.manage_urls")),
    path("deliberation/", include("deliberation.urls")),
    path("manage/deliberation/", include("deliberation.manage_urls")),
    path("assistance/", include("assistance.urls")),
    path("manage/assistance/", include("assistance.manage_urls")),
    path("manage/reports/", include("centers.report_urls", namespace="reports")),
    path("manage/", include("centers.manage_urls")),
    path(
        "accounts/login/",
        login_not_required(
            auth_views.LoginView.as_view(
                redirect_authenticated_user=True, authentication_form=PhoneAuthenticationForm
            )
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", center_views.resident_signup, name="signup"),
    path("accounts/", center_views.account, name="account"),
    path("accounts/welcome/", center_views.welcome, name="welcome"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("i18n/<str:code>/", center_views.switch_language, name="switch_language"),
    path("healthz", center_views.healthz, name="healthz"),
    path("readyz", center_views.readyz, name="readyz"),
    path("robots.txt", center_views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        login_not_required(sitemap),
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            login_not_required(serve),
            {"document_root": settings.MEDIA_ROOT},
        ),
    ]

handler404 = "centers.views.page_not_found"
# 503 with Retry-After when the database is unreachable, the 500 page otherwise.
handler500 = "centers.resilience.server_error"
handler403 = "centers.views.permission_denied"
