"""What a meeting plans and agrees: RTL items (follow-up plan), commitments of partner
organisations, and proposals for the kecamatan Musrenbang (DOMAIN.md §3, P2; §4).

Whoever runs the meeting writes; a closed meeting is read-only (`problems.lock_open_meeting`).
Status changes of RTL items and commitments and Musrenbang outcomes are written elsewhere
(`tracking`, `musrenbang`): an edit here saves only the fields it owns, so it never overwrites
a status recorded meanwhile. An edit is made at the version its form showed: one saved over a
newer version is refused (StaleEdit: who saved, when, their values beside the user's).
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kernel.models import FundingSource, User
from kernel.versioning import save_versioned

from ..models import Commitment, FollowUp, Meeting, MusrenbangProposal
from ..selectors.outcomes import (
    partners_of_meeting,
    spm_services_of_meeting,
    subdistricts_of_meeting,
)
from .problems import check_service_point, lock_open_meeting

logger = logging.getLogger(__name__)

FOLLOW_UP_FIELDS = [
    "problem",
    "root_cause",
    "activity",
    "goal",
    "target_group",
    "target",
    "due_on",
    "responsible",
    "sector",
    "partner",
    "cost_idr",
    "funding_source",
    "success_indicator",
    "service_point",
]
COMMITMENT_FIELDS = [
    "partner",
    "party",
    "sector",
    "description",
    "due_on",
    "signatory_name",
    "signatory_position",
]
# What the item services save: RTL items and commitments are followed (Tracked); all three are
# versioned.
Followed = FollowUp | Commitment
Item = FollowUp | Commitment | MusrenbangProposal

PROPOSAL_FIELDS = [
    "subdistrict",
    "village",
    "title",
    "description",
    "service",
    "volume",
    "estimated_cost_idr",
    "priority",
]


def _check_due_on(item: Followed, meeting: Meeting, errors: dict[str, str]) -> None:
    if item.due_on and item.due_on < meeting.held_on:
        errors["due_on"] = _("The due date cannot be before the meeting (%(date)s).") % {
            "date": date_format(meeting.held_on, "DATE_FORMAT")
        }


def _check_cost(value: int | None, field: str, errors: dict[str, str]) -> None:
    if value is not None and value < 0:
        errors[field] = _("The cost cannot be negative.")


def _check_partner(item: Followed, meeting: Meeting, errors: dict[str, str]) -> None:
    if item.partner_id and not partners_of_meeting(meeting).filter(pk=item.partner_id).exists():
        errors["partner"] = _("Choose a partner organisation of the meeting's area.")


def _save(item: Item, fields: list[str], by: User, version: int | None) -> None:
    """Insert a new row, or update (at `version`) only the fields this part owns."""
    if item.pk is None:
        item.created_by = by
    item.full_clean()
    columns = [*fields, "version", "updated_by", "updated_at"]
    save_versioned(
        item,
        by=by,
        version=version,
        fields=fields,
        save=lambda row: row.save(update_fields=columns) if row.pk else row.save(),
    )


def _delete(item: Item, label: str, by: User) -> None:
    try:
        with transaction.atomic():
            item.delete()
    except models.ProtectedError as error:
        raise ValidationError(
            _("%(item)s is used elsewhere (for example in a plan) and cannot be deleted.")
            % {"item": label}
        ) from error
    logger.info("%s %s deleted by %s", type(item).__name__, item.pk, by.pk)


def _refuse_when_followed_up(item: Followed) -> None:
    if item.status != item.Status.PLANNED or item.updates.exists():
        raise ValidationError(
            _(
                "This item is already being followed up (%(status)s): drop it with a reason "
                "instead of deleting it."
            )
            % {"status": item.get_status_display().lower()}
        )


# --- RTL items ------------------------------------------------------------------------------------


@transaction.atomic
def follow_up_save(*, follow_up: FollowUp, by: User, version: int | None = None) -> FollowUp:
    """Create or update (at `version`) an RTL item of an open meeting; atomic; nothing saved on
    bad input.

    The due date is not before the meeting, the cost not negative, the funding source one of
    the list, the problem and root cause this meeting's (the cause's problem fills an empty
    problem), the partner in the meeting's area (its sector fills an empty sector).
    """
    meeting = lock_open_meeting(follow_up.meeting, by=by)
    errors: dict[str, str] = {}
    _check_due_on(follow_up, meeting, errors)
    _check_cost(follow_up.cost_idr, "cost_idr", errors)
    if follow_up.funding_source and follow_up.funding_source not in FundingSource.values:
        errors["funding_source"] = _("Choose a funding source from the list.")
    if follow_up.problem is not None and follow_up.problem.meeting_id != meeting.pk:
        errors["problem"] = _("Choose a problem of this meeting.")
    cause = follow_up.root_cause if follow_up.root_cause_id else None
    if cause is not None:
        if cause.problem.meeting_id != meeting.pk:
            errors["root_cause"] = _("Choose a root cause of this meeting's problems.")
        elif not follow_up.problem_id:
            follow_up.problem = cause.problem
        elif cause.problem_id != follow_up.problem_id:
            errors["root_cause"] = _("This root cause belongs to another problem.")
    _check_partner(follow_up, meeting, errors)
    check_service_point(follow_up, meeting, errors)
    if errors:
        raise ValidationError(errors)
    if not follow_up.sector and follow_up.partner is not None:
        follow_up.sector = follow_up.partner.sector
    _save(follow_up, FOLLOW_UP_FIELDS, by, version)
    return follow_up


@transaction.atomic
def follow_up_delete(*, follow_up: FollowUp, by: User) -> None:
    """Delete an RTL item of an open meeting that nobody has followed up yet."""
    lock_open_meeting(follow_up.meeting, by=by)
    _refuse_when_followed_up(follow_up)
    _delete(follow_up, follow_up.activity, by)


# --- Commitments ----------------------------------------------------------------------------------


@transaction.atomic
def commitment_save(*, commitment: Commitment, by: User, version: int | None = None) -> Commitment:
    """Create or update (at `version`) a commitment of an open meeting; atomic; nothing saved
    on bad input.

    The party is a partner organisation of the meeting's area (its name and sector fill empty
    fields) or a name written out; the due date is not before the meeting.
    """
    meeting = lock_open_meeting(commitment.meeting, by=by)
    errors: dict[str, str] = {}
    _check_due_on(commitment, meeting, errors)
    _check_partner(commitment, meeting, errors)
    commitment.party = (commitment.party or "").strip()
    partner = commitment.partner if "partner" not in errors else None
    if partner is not None:
        commitment.party = commitment.party or partner.name
        commitment.sector = commitment.sector or partner.sector
    if not commitment.party and "partner" not in errors:
        errors["party"] = _("Choose a partner organisation or write the party's name.")
    if errors:
        raise ValidationError(errors)
    _save(commitment, COMMITMENT_FIELDS, by, version)
    return commitment


@transaction.atomic
def commitment_delete(*, commitment: Commitment, by: User) -> None:
    """Delete a commitment of an open meeting that nobody has followed up yet."""
    lock_open_meeting(commitment.meeting, by=by)
    _refuse_when_followed_up(commitment)
    _delete(commitment, commitment.party, by)


# --- Musrenbang proposals -------------------------------------------------------------------------


def _refuse_when_decided(proposal: MusrenbangProposal) -> None:
    if proposal.pk is None:
        return
    outcome = MusrenbangProposal.objects.filter(pk=proposal.pk).values_list("outcome", flat=True)
    if outcome and outcome[0] != MusrenbangProposal.Outcome.PENDING:
        label = MusrenbangProposal.Outcome(outcome[0]).label
        raise ValidationError(
            _("Its Musrenbang outcome is recorded (%(outcome)s): it can no longer be changed.")
            % {"outcome": str(label).lower()}
        )


@transaction.atomic
def proposal_save(
    *, proposal: MusrenbangProposal, by: User, version: int | None = None
) -> MusrenbangProposal:
    """Create or update (at `version`) a Musrenbang proposal of an open meeting; atomic;
    nothing saved on bad input. A puskesmas lokmin proposes to its own kecamatan; a district
    meeting to one of the district's. The desa lies in that kecamatan, the SPM service is of
    the meeting's year, the cost is not negative and the priority is 1 or more. Refused once
    its outcome is recorded."""
    meeting = lock_open_meeting(proposal.meeting, by=by)
    _refuse_when_decided(proposal)
    subdistricts = subdistricts_of_meeting(meeting)
    if meeting.level == "puskesmas":
        assert meeting.puskesmas is not None  # a lokmin belongs to a puskesmas (Meeting.clean)
        proposal.subdistrict_id = meeting.puskesmas.subdistrict_id
    errors: dict[str, str] = {}
    if not proposal.subdistrict_id:
        errors["subdistrict"] = _("Choose the kecamatan of the Musrenbang.")
    elif not subdistricts.filter(pk=proposal.subdistrict_id).exists():
        errors["subdistrict"] = _("Choose a kecamatan in the meeting's area.")
    elif (
        proposal.village is not None and proposal.village.subdistrict_id != proposal.subdistrict_id
    ):
        errors["village"] = _("Choose a desa in the kecamatan %(name)s.") % {
            "name": proposal.subdistrict.name
        }
    if proposal.service_id and not (
        spm_services_of_meeting(meeting).filter(pk=proposal.service_id).exists()
    ):
        errors["service"] = _("Choose an SPM service of the %(year)s catalogue.") % {
            "year": meeting.year
        }
    _check_cost(proposal.estimated_cost_idr, "estimated_cost_idr", errors)
    if proposal.priority is None or proposal.priority < 1:
        errors["priority"] = _("The priority is a whole number from 1 (most urgent).")
    if errors:
        raise ValidationError(errors)
    _save(proposal, PROPOSAL_FIELDS, by, version)
    return proposal


@transaction.atomic
def proposal_delete(*, proposal: MusrenbangProposal, by: User) -> None:
    """Delete a Musrenbang proposal of an open meeting whose outcome is not recorded yet."""
    lock_open_meeting(proposal.meeting, by=by)
    _refuse_when_decided(proposal)
    _delete(proposal, proposal.title, by)
