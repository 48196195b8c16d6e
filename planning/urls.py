"""(skeleton: its owner replaces this file; the URL names below are reserved)"""

from django.http import Http404
from django.urls import path

app_name = "planning"


def _todo(request, pk=None):
    raise Http404


urlpatterns = [
    path("", _todo, name="ruk-list"),
]
