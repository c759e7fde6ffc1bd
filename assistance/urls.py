from django.urls import path

from assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.station_list, name="stations"),
    path("stations/<slug:slug>/", views.station_detail, name="station"),
    path("stations/<slug:slug>/offer/", views.offer, name="offer"),
    path("stations/<slug:slug>/ask/", views.ask, name="ask"),
]
