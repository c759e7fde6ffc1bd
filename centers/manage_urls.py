from django.urls import path

from centers import views

app_name = "manage"
urlpatterns = [
    path("", views.manage_dashboard, name="dashboard"),
    path("centers/<slug:slug>/", views.manage_center, name="center"),
    path("centers/<slug:slug>/edit/", views.manage_center_edit, name="center_edit"),
    path("centers/<slug:slug>/<str:kind>/add/", views.manage_content_add, name="content_add"),
    path(
        "centers/<slug:slug>/<str:kind>/<int:pk>/edit/",
        views.manage_content_edit,
        name="content_edit",
    ),
    path(
        "centers/<slug:slug>/<str:kind>/<int:pk>/delete/",
        views.manage_content_delete,
        name="content_delete",
    ),
]
