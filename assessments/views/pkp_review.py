"""Pages of issue #18's pkp_review part (its helper fills this module)."""

from __future__ import annotations

urlpatterns: list = []
