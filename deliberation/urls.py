from django.urls import path

from deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("new/", views.issue_new, name="new"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/rate/", views.rate, name="rate"),
    path("mine/", views.my_issues, name="mine"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
]
