"""Pages of issue #18's supervision part (its helper fills this module)."""

from __future__ import annotations

urlpatterns: list = []
