"""(skeleton: its owner replaces this file; the URL names below are reserved)"""

from django.http import Http404
from django.urls import path


def _todo(request, pk=None):
    raise Http404


urlpatterns = [
    path("<int:pk>/problems/", _todo, name="meeting-problems"),
    path("<int:pk>/rtl/", _todo, name="meeting-rtl"),
    path("<int:pk>/commitments/", _todo, name="meeting-commitments"),
    path("<int:pk>/proposals/", _todo, name="meeting-proposals"),
]
