from django.urls import path

from .main import api

urlpatterns = [
    path("v1/", api.urls),
]
