"""/manage/reports/: the dashboard and one page per registered report section."""

from django.urls import path

from centers import report_views

app_name = "reports"
urlpatterns = [
    path("", report_views.dashboard, name="dashboard"),
    # Keep this catch-all for section keys last: fixed paths (an annual report …) go above it.
    path("<slug:key>/", report_views.section, name="section"),
]
