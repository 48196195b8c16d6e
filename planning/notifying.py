"""What planning tells whom (issue #15), declared on the kernel's notifications: a puskesmas's
RUK returned (with the reason) or approved goes to its head and staff; a RUK submitted goes
to the district's planners, who review it. Imported in PlanningConfig.ready()."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.models import AuditEvent
from kernel.notifications import on_event, people_of_puskesmas, planners_of_district

from .models import Plan

Action = AuditEvent.Action


def _puskesmas_people(plan: Plan, event: AuditEvent):
    """The puskesmas's people (none for the Dinkes plan, which its planners keep)."""
    if plan.puskesmas_id is None:
        return []
    return people_of_puskesmas(plan.puskesmas_id)


def _detail(plan: Plan, event: AuditEvent) -> str:
    return reverse("planning:plan-detail", args=[plan.pk])


def _who(event: AuditEvent) -> str:
    by = event.by
    return (by.get_full_name() or by.username) if by is not None else "Simpul"


on_event(
    Plan,
    Action.RETURNED,
    kind="ruk_returned",
    recipients=_puskesmas_people,
    title=lambda p, e: (
        _("The %(year)s RUK was returned by %(who)s") % {"year": p.year, "who": _who(e)}
    ),
    body=lambda p, e: _("Reason: %(reason)s") % {"reason": e.reason},
    url=_detail,
)
on_event(
    Plan,
    Action.APPROVED,
    kind="ruk_approved",
    recipients=_puskesmas_people,
    title=lambda p, e: (
        _("The %(year)s RUK was approved by %(who)s: schedule it in the RPK")
        % {"year": p.year, "who": _who(e)}
    ),
    url=_detail,
)
on_event(
    Plan,
    Action.SUBMITTED,
    kind="ruk_submitted",
    recipients=lambda p, e: planners_of_district(p.district_id) if p.puskesmas_id else [],
    title=lambda p, e: (
        _("%(puskesmas)s submitted its %(year)s RUK for review")
        % {"puskesmas": p.puskesmas.name if p.puskesmas_id else "", "year": p.year}
    ),
    url=lambda p, e: reverse("planning:plan-review", args=[p.pk]),
)
