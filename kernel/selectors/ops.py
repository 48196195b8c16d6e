"""Reads of the ops page (kernel/views/ops.py): background jobs of every kind, by status.

Every kind of job is registered with the sweep (kernel.services.jobs.KINDS: import and export
jobs, the indicators app's aggregation runs), so the kernel reads them all without importing
the apps that declare them. Two queries per kind, whatever the number of jobs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone

from ..scoping import in_area
from ..services.jobs import KINDS

RECENT = datetime.timedelta(days=7)
FAILURES_SHOWN = 10


@dataclass
class JobCounts:
    """One kind of job (and sub-kind, for import and export jobs) in the last days."""

    label: str
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def waiting(self) -> int:
        return self.count("queued")

    @property
    def working(self) -> int:
        return self.count("running")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def done(self) -> int:
        return self.count("done")


@dataclass(frozen=True)
class JobFailure:
    label: str
    pk: int
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    error: str


def _field_names(model: Any) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def _kind_labels(model: Any) -> dict[str, str]:
    if "kind" not in _field_names(model):
        return {}
    return {str(value): str(label) for value, label in model._meta.get_field("kind").choices or ()}


def _label(model: Any, kind: str | None, labels: dict[str, str]) -> str:
    name = str(model._meta.verbose_name_plural).capitalize()
    return f"{name}: {labels.get(kind, kind)}" if kind else name


def _error_of(row: dict) -> str:
    if row.get("error"):
        return str(row["error"])
    errors = row.get("errors") or []
    if isinstance(errors, list):
        return " ".join(str(error) for error in errors[:3])
    return str(errors)


def job_overview(*, user, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Jobs created in the last 7 days, counted by kind and status, and the latest failures
    with their error, newest first; only those inside `user`'s area."""
    since = (now or timezone.now()) - RECENT
    counts: dict[str, JobCounts] = {}
    failures: list[JobFailure] = []
    for kind in KINDS.values():
        model: Any = kind.model
        names = _field_names(model)
        labels = _kind_labels(model)
        by_kind = ["kind"] if "kind" in names else []
        recent = in_area(model.objects.filter(created_at__gte=since), user).order_by()
        for row in recent.values(*by_kind, "status").annotate(n=Count("pk")):
            label = _label(model, row.get("kind"), labels)
            counts.setdefault(label, JobCounts(label)).counts[row["status"]] = row["n"]
        error_fields = [name for name in ("error", "errors") if name in names]
        failed = (
            in_area(model.objects.filter(status=model.Status.FAILED), user)
            .order_by("-finished_at", "-pk")
            .values("pk", "created_at", "finished_at", *by_kind, *error_fields)[:FAILURES_SHOWN]
        )
        for row in failed:
            failures.append(
                JobFailure(
                    label=_label(model, row.get("kind"), labels),
                    pk=row["pk"],
                    created_at=row["created_at"],
                    finished_at=row["finished_at"],
                    error=_error_of(row),
                )
            )
    failures.sort(key=lambda f: f.finished_at or f.created_at, reverse=True)
    return {
        "counts": sorted(counts.values(), key=lambda c: c.label),
        "failures": failures[:FAILURES_SHOWN],
    }
