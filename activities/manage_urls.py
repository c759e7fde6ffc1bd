from django.urls import path

from activities import views

app_name = "activities_manage"
urlpatterns = [
    path("", views.manage_list, name="list"),
    path("new/<slug:slug>/", views.manage_add, name="add"),
    path("<int:pk>/", views.manage_detail, name="detail"),
    path("<int:pk>/edit/", views.manage_edit, name="edit"),
    path("occurrences/<int:pk>/", views.manage_occurrence, name="occurrence"),
    path("occurrences/<int:pk>/attendance/", views.manage_attendance, name="attendance"),
    path("occurrences/<int:pk>/cancel/", views.manage_cancel, name="cancel"),
    path("occurrences/<int:pk>/move/", views.manage_move, name="move"),
    path("occurrences/<int:pk>/record/", views.manage_record, name="record"),
    path("occurrences/<int:pk>/export.<str:fmt>", views.manage_export, name="export"),
    path("checkin/<str:token>/", views.manage_checkin, name="checkin"),
]
