"""The community layer's indicators pages (issue #17). Each views module declares its own URLs."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
