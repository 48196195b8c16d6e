"""(skeleton: its owner replaces this file; the URL names below are reserved)"""

from django.http import Http404
from django.urls import path


def _todo(request, pk=None):
    raise Http404


urlpatterns = [
    path("", _todo, name="meeting-list"),
    path("new/", _todo, name="meeting-create"),
    path("<int:pk>/", _todo, name="meeting-detail"),
    path("<int:pk>/participants/", _todo, name="meeting-participants"),
    path("<int:pk>/invitation/", _todo, name="meeting-invitation"),
    path("<int:pk>/attendance/", _todo, name="meeting-attendance"),
    path("<int:pk>/pack/", _todo, name="meeting-pack"),
]
