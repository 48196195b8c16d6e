"""What became of a Musrenbang proposal: accepted, rejected or funded from which budget."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.models import FundingSource, User
from kernel.versioning import save_versioned

from .. import rights
from ..models import MusrenbangProposal

Outcome = MusrenbangProposal.Outcome
VERSION_FIELDS = ("version", "updated_by", "updated_at")
# A proposal is budgeted for the year after the Musrenbang at the earliest; allow a few more.
BUDGET_YEARS_AHEAD = 5


def _check(
    *,
    proposal: MusrenbangProposal,
    outcome: str,
    funding_source: str,
    budget_year: int | None,
) -> None:
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose an outcome from the list.")
    if funding_source and funding_source not in FundingSource.values:
        errors["funding_source"] = _("Choose a funding source from the list.")
    elif outcome == Outcome.FUNDED and not funding_source:
        errors["funding_source"] = _("A funded proposal needs its funding source.")
    elif funding_source and outcome != Outcome.FUNDED:
        errors["funding_source"] = _("Only a funded proposal has a funding source.")
    if outcome == Outcome.FUNDED and budget_year is None:
        errors["budget_year"] = _("A funded proposal needs the budget year it is funded in.")
    first = proposal.meeting.held_on.year
    if budget_year is not None and not first <= budget_year <= first + BUDGET_YEARS_AHEAD:
        errors["budget_year"] = _(
            "The budget year must be between %(first)s and %(last)s (the meeting was held in "
            "%(first)s)."
        ) % {"first": first, "last": first + BUDGET_YEARS_AHEAD}
    if outcome == Outcome.PENDING and budget_year is not None:
        errors["budget_year"] = _("A proposal still waiting for Musrenbang has no budget year.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def proposal_outcome_save(
    *,
    proposal: MusrenbangProposal,
    outcome: str,
    funding_source: str = "",
    budget_year: int | None = None,
    note: str = "",
    by: User,
    version: int | None = None,
) -> MusrenbangProposal:
    """Record a proposal's outcome, who recorded it and when; atomic, all or nothing; refused
    (StaleEdit) if the proposal was saved since `version` (None: a script, no check).

    Whoever runs the meeting and the district's planners may (`rights.can_follow_up`); a funded
    proposal names its funding source and budget year.
    """
    if not rights.can_follow_up(by, proposal.meeting):
        raise PermissionDenied(_("You may not record the outcome of this proposal."))
    funding_source = (funding_source or "").strip()
    _check(
        proposal=proposal, outcome=outcome, funding_source=funding_source, budget_year=budget_year
    )
    fresh = MusrenbangProposal.objects.get(pk=proposal.pk)
    fresh.outcome = outcome
    fresh.funding_source = funding_source
    fresh.budget_year = budget_year
    fresh.outcome_note = (note or "").strip()
    fresh.outcome_at = timezone.now()
    fresh.outcome_by = by
    fresh.full_clean(exclude=["version", "updated_by", "updated_at"])
    fields = ["outcome", "funding_source", "budget_year", "outcome_note"]
    return save_versioned(
        fresh,
        by=by,
        version=fresh.version if version is None else version,
        fields=fields,
        save=lambda p: p.save(
            update_fields=[
                *fields,
                "outcome_at",
                "outcome_by",
                "version",
                "updated_by",
                "updated_at",
            ]
        ),
    )
