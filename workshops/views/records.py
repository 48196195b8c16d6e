"""(skeleton: its owner replaces this file; the URL names below are reserved)"""

from django.http import Http404
from django.urls import path


def _todo(request, pk=None):
    raise Http404


urlpatterns = [
    path("<int:pk>/minutes/", _todo, name="meeting-minutes"),
    path("<int:pk>/photos/", _todo, name="meeting-photos"),
    path("<int:pk>/agreement/", _todo, name="meeting-agreement"),
]
