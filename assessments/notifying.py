"""What the assessments tell whom (issue #15's kernel.notifications), imported in
AssessmentsConfig.ready().

- PKP (issue #18): submitted (the district's planners), returned with its reason, approved
  with the district's feedback, reopened (the puskesmas's heads and staff).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.models import AuditEvent
from kernel.notifications import on_event, people_of_puskesmas, planners_of_district

from .models import PkpAssessment

Action = AuditEvent.Action


def _who(event: AuditEvent) -> str:
    by = event.by
    return (by.get_full_name() or by.username) if by is not None else _("Simpul")


def _verify_url(pkp: PkpAssessment, event: AuditEvent | None = None) -> str:
    return reverse("assessments:pkp-verify", args=[pkp.pk])


def _detail_url(pkp: PkpAssessment, event: AuditEvent | None = None) -> str:
    return reverse("assessments:pkp-detail", args=[pkp.pk])


def _puskesmas_people(pkp: PkpAssessment, event: AuditEvent):
    return people_of_puskesmas(pkp.puskesmas_id)


on_event(
    PkpAssessment,
    Action.SUBMITTED,
    kind="pkp_submitted",
    recipients=lambda r, e: planners_of_district(r.puskesmas.district_id),
    title=lambda r, e: (
        _("%(puskesmas)s submitted its PKP %(year)s")
        % {"puskesmas": r.puskesmas.name, "year": r.year}
    ),
    url=_verify_url,
)
on_event(
    PkpAssessment,
    Action.RETURNED,
    kind="pkp_returned",
    recipients=_puskesmas_people,
    title=lambda r, e: (
        _("The PKP %(year)s was returned by %(who)s") % {"year": r.year, "who": _who(e)}
    ),
    body=lambda r, e: _("Reason: %(reason)s") % {"reason": e.reason},
    url=_detail_url,
)
on_event(
    PkpAssessment,
    Action.APPROVED,
    kind="pkp_approved",
    recipients=_puskesmas_people,
    title=lambda r, e: (
        _("The PKP %(year)s was approved by %(who)s") % {"year": r.year, "who": _who(e)}
    ),
    body=lambda r, e: _("Feedback: %(feedback)s") % {"feedback": r.feedback},
    url=_detail_url,
)
on_event(
    PkpAssessment,
    Action.REOPENED,
    kind="pkp_reopened",
    recipients=_puskesmas_people,
    title=lambda r, e: (
        _("The PKP %(year)s was reopened by %(who)s") % {"year": r.year, "who": _who(e)}
    ),
    body=lambda r, e: _("Reason: %(reason)s") % {"reason": e.reason},
    url=_detail_url,
)
