from django.urls import path

from activities import views

app_name = "activities"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("feed.ics", views.feed, name="feed"),
    path("mine/", views.my_registrations, name="mine"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("occurrences/<int:pk>/", views.occurrence_detail, name="occurrence"),
    path("occurrences/<int:pk>/signup/", views.signup, name="signup"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
]
