from django.urls import include, path

from .main import api

urlpatterns = [
    path("v1/", api.urls),
    path("", include(("api.web_urls", "apiaccess"))),
]
