"""The API's pages for people (issue #19): tokens and service accounts, under /api/."""

from django.urls import path

from . import views

urlpatterns = [
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("service-accounts/", views.service_account_list, name="service-account-list"),
    path("service-accounts/new/", views.service_account_create, name="service-account-create"),
    path("service-accounts/<int:pk>/", views.service_account_detail, name="service-account-detail"),
    path(
        "service-accounts/<int:pk>/tokens/",
        views.service_account_token_create,
        name="service-account-token-create",
    ),
    path(
        "service-accounts/<int:pk>/deactivate/",
        views.service_account_deactivate,
        name="service-account-deactivate",
    ),
]
