"""What became of a Musrenbang proposal: accepted, rejected or funded from which budget."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import FundingSource, User

from .. import rights
from ..models import MusrenbangProposal

Outcome = MusrenbangProposal.Outcome
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
) -> MusrenbangProposal:
    """Record a proposal's outcome, who recorded it and when; atomic, all or nothing.

    Whoever runs the meeting and the district's planners may (`rights.can_follow_up`); a funded
    proposal names its funding source and budget year.
    """
    if not rights.can_follow_up(by, proposal.meeting):
        raise PermissionDenied(_("You may not record the outcome of this proposal."))
    funding_source = (funding_source or "").strip()
    _check(
        proposal=proposal, outcome=outcome, funding_source=funding_source, budget_year=budget_year
    )
    locked = MusrenbangProposal.objects.select_for_update().get(pk=proposal.pk)
    locked.outcome = outcome
    locked.funding_source = funding_source
    locked.budget_year = budget_year
    locked.outcome_note = (note or "").strip()
    locked.outcome_at = timezone.now()
    locked.outcome_by = by
    locked.full_clean()
    locked.save(
        update_fields=[
            "outcome",
            "funding_source",
            "budget_year",
            "outcome_note",
            "outcome_at",
            "outcome_by",
        ]
    )
    return locked
