from django.urls import path

from assistance import care_views, station_views

app_name = "assistance_manage"
urlpatterns = [
    # Beneficiaries, pairings, visits and help programs (care_views).
    path("", care_views.dashboard, name="dashboard"),
    path("beneficiaries/", care_views.beneficiary_list, name="beneficiaries"),
    path("beneficiaries/new/<slug:slug>/", care_views.beneficiary_new, name="beneficiary_new"),
    path(
        "beneficiaries/export.<str:fmt>", care_views.beneficiary_export, name="beneficiary_export"
    ),
    path("beneficiaries/<int:pk>/", care_views.beneficiary_detail, name="beneficiary"),
    path("beneficiaries/<int:pk>/edit/", care_views.beneficiary_edit, name="beneficiary_edit"),
    path("beneficiaries/<int:pk>/pairings/new/", care_views.pairing_new, name="pairing_new"),
    path("beneficiaries/<int:pk>/visits/new/", care_views.visit_new, name="visit_new"),
    path("pairings/<int:pk>/end/", care_views.pairing_end, name="pairing_end"),
    path("programs/", care_views.program_list, name="programs"),
    path("programs/new/<slug:slug>/", care_views.program_new, name="program_new"),
    path("programs/<int:pk>/", care_views.program_detail, name="program"),
    # The love aid station, staff side (station_views).
    path("items/", station_views.item_catalogue, name="items"),
    path("stations/", station_views.station_list, name="stations"),
    path("stations/<slug:slug>/", station_views.station_detail, name="station"),
    path("stations/<slug:slug>/edit/", station_views.station_edit, name="station_edit"),
    path("stations/<slug:slug>/donations/new/", station_views.donation_new, name="donation_new"),
    path("stations/<slug:slug>/adjust/", station_views.stock_adjust, name="stock_adjust"),
    path("stations/<slug:slug>/transfer/", station_views.stock_transfer, name="stock_transfer"),
    path(
        "stations/<slug:slug>/movements/<int:pk>/reverse/",
        station_views.movement_reverse,
        name="movement_reverse",
    ),
    path("stations/<slug:slug>/requests/new/", station_views.request_new, name="request_new"),
    path(
        "stations/<slug:slug>/distributions/new/",
        station_views.distribution_new,
        name="distribution_new",
    ),
    path("requests/<int:pk>/", station_views.request_detail, name="request"),
    path("requests/<int:pk>/approve/", station_views.request_approve, name="request_approve"),
    path("requests/<int:pk>/decline/", station_views.request_decline, name="request_decline"),
    path("distributions/<int:pk>/receipt/", station_views.distribution_receipt, name="receipt"),
    path("offers/<int:pk>/status/", station_views.offer_status, name="offer_status"),
]
