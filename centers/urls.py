from django.urls import path

from centers import views

app_name = "centers"
urlpatterns = [
    path("", views.center_directory, name="list"),
    path("<slug:slug>/", views.center_detail, name="detail"),
]
