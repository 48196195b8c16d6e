"""The assessments' entry (the nav's "Assessments"): each role lands where its work is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_safe

from kernel.roles import is_mentor


@login_required
@require_safe
def home(request):
    if is_mentor(request.user):
        return redirect("assessments:mentoring-home")
    return redirect("assessments:pkp-list")


urlpatterns = [path("", home, name="home")]
