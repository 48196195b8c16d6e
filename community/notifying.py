"""What the community layer tells whom (issue #15's kernel.notifications), imported in
CommunityConfig.ready().

- Reviews (issue #17): a posyandu or desa siaga aktif review submitted (the district's
  planners), returned with its reason, approved or reopened (the puskesmas's heads and staff).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.models import AuditEvent
from kernel.notifications import on_event, people_of_puskesmas, planners_of_district

from .models import PosyanduReview, VillageReview

Action = AuditEvent.Action
Review = PosyanduReview | VillageReview


def _name(review: Review) -> str:
    if isinstance(review, PosyanduReview):
        return f"{review.service_point.name} {review.year}"
    return _("Desa %(name)s %(year)s") % {"name": review.village.name, "year": review.year}


def _url(review: Review, event: AuditEvent | None = None) -> str:
    name = (
        "community:posyandu-review"
        if isinstance(review, PosyanduReview)
        else "community:village-review"
    )
    return reverse(name, args=[review.pk])


def _who(event: AuditEvent) -> str:
    by = event.by
    return (by.get_full_name() or by.username) if by is not None else _("Simpul")


def _puskesmas_people(review: Review, event: AuditEvent):
    return people_of_puskesmas(review.puskesmas_id)


for model in (PosyanduReview, VillageReview):
    on_event(
        model,
        Action.SUBMITTED,
        kind="ukbm_review_submitted",
        recipients=lambda r, e: planners_of_district(r.puskesmas.district_id),
        title=lambda r, e: (
            _("%(puskesmas)s submitted the review of %(name)s")
            % {"puskesmas": r.puskesmas.name, "name": _name(r)}
        ),
        url=_url,
    )
    on_event(
        model,
        Action.RETURNED,
        kind="ukbm_review_returned",
        recipients=_puskesmas_people,
        title=lambda r, e: (
            _("The review of %(name)s was returned by %(who)s") % {"name": _name(r), "who": _who(e)}
        ),
        body=lambda r, e: _("Reason: %(reason)s") % {"reason": e.reason},
        url=_url,
    )
    on_event(
        model,
        Action.APPROVED,
        kind="ukbm_review_approved",
        recipients=_puskesmas_people,
        title=lambda r, e: (
            _("The review of %(name)s was approved by %(who)s") % {"name": _name(r), "who": _who(e)}
        ),
        url=_url,
    )
    on_event(
        model,
        Action.REOPENED,
        kind="ukbm_review_reopened",
        recipients=_puskesmas_people,
        title=lambda r, e: (
            _("The review of %(name)s was reopened by %(who)s") % {"name": _name(r), "who": _who(e)}
        ),
        body=lambda r, e: _("Reason: %(reason)s") % {"reason": e.reason},
        url=_url,
    )
