"""(skeleton: its owner replaces this file; the URL names below are reserved)"""

from django.http import Http404
from django.urls import path


def _todo(request, pk=None):
    raise Http404


urlpatterns = [
    path("follow-up/", _todo, name="followup-board"),
    path("follow-up/partners/", _todo, name="commitment-partners"),
    path("musrenbang/", _todo, name="proposal-board"),
    path("management-score/", _todo, name="management-score"),
]
