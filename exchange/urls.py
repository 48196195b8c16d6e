"""Data exchange (issue #19): the DHIS2 mapping kept as data, export and import."""

from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("dhis2/", views.dhis2_index, name="dhis2-index"),
    path("dhis2/<int:pk>/", views.dhis2_district, name="dhis2-district"),
    path("dhis2/<int:pk>/profile/", views.dhis2_profile, name="dhis2-profile"),
    path("dhis2/<int:pk>/elements/", views.dhis2_elements, name="dhis2-elements"),
    path("dhis2/<int:pk>/org-units/", views.dhis2_org_units, name="dhis2-org-units"),
    path("dhis2/<int:pk>/export/", views.dhis2_export, name="dhis2-export"),
    path("dhis2/<int:pk>/export-year/", views.dhis2_export_year, name="dhis2-export-year"),
    path("dhis2/<int:pk>/import/", views.dhis2_import, name="dhis2-import"),
]
