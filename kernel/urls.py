from django.urls import path

from .views import accounts, exports, imports, notifications, ops, satusehat, twofactor
from .views import organisation as views

app_name = "kernel"

# Home, regions and organisation (issue #3), the import jobs' pages and the export jobs' (files
# made in the background).

urlpatterns = [
    path("", views.home, name="home"),
    path("regions/", views.region_list, name="region-list"),
    path("regions/<int:pk>/", views.district_detail, name="district-detail"),
    path("regions/subdistrict/<int:pk>/", views.subdistrict_detail, name="subdistrict-detail"),
    path("puskesmas/", views.puskesmas_list, name="puskesmas-list"),
    path("puskesmas/new/", views.puskesmas_create, name="puskesmas-create"),
    path("puskesmas/<int:pk>/", views.puskesmas_detail, name="puskesmas-detail"),
    path("puskesmas/<int:pk>/edit/", views.puskesmas_edit, name="puskesmas-edit"),
    path("service-points/", views.servicepoint_list, name="servicepoint-list"),
    path("service-points/import/", views.servicepoint_import, name="servicepoint-import"),
    path("service-points/template/", views.servicepoint_template, name="servicepoint-template"),
    path("service-points/new/", views.servicepoint_create, name="servicepoint-create"),
    path("service-points/<int:pk>/edit/", views.servicepoint_edit, name="servicepoint-edit"),
    path("service-points/<int:pk>/delete/", views.servicepoint_delete, name="servicepoint-delete"),
    path("partners/", views.partner_list, name="partner-list"),
    path("partners/new/", views.partner_create, name="partner-create"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="partner-edit"),
    path("dinkes/", views.unit_list, name="unit-list"),
    path("dinkes/new/", views.unit_create, name="unit-create"),
    path("dinkes/<int:pk>/edit/", views.unit_edit, name="unit-edit"),
    path("dinkes/<int:pk>/delete/", views.unit_delete, name="unit-delete"),
]
urlpatterns += imports.urlpatterns
urlpatterns += exports.urlpatterns
# The ops page for system administrators (issue #14).
urlpatterns += ops.urlpatterns
# Two-factor sign-in under /account/two-factor/ (issue #14).
urlpatterns += twofactor.urlpatterns
# Accounts within one's area under /users/, one's own under /account/ (issue #14).
urlpatterns += accounts.urlpatterns
# The inbox of notifications and their e-mail preference (issue #15).
urlpatterns += notifications.urlpatterns
# SATUSEHAT master data under /organisation/satusehat/ (issue #19).
urlpatterns += satusehat.urlpatterns
