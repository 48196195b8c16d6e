"""bench/cpu.py's URLs: the project's own (config.urls) plus the floor, a static page through
the same middleware, context processors and base.html. Used only through a settings override:
no production URL is added."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

_FLOOR = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Floor{% endblock %}'
    "{% block content %}<h1>Floor</h1><p>A static page: the frame every page pays for.</p>"
    "{% endblock %}"
)


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_FLOOR.render({}, request))


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("config.urls")),
]
