from django.urls import path

from deliberation import staff_views as views

app_name = "deliberation_manage"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("issues/<int:pk>/", views.issue_detail, name="issue"),
    path("issues/<int:pk>/contact/", views.issue_contact, name="issue_contact"),
    path("issues/<int:pk>/<str:action>/", views.issue_action, name="issue_action"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/<slug:slug>/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/decide/<int:item>/", views.meeting_decide, name="meeting_decide"),
    path("meetings/<int:pk>/publish/", views.meeting_publish, name="meeting_publish"),
]
