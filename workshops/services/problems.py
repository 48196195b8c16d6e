"""Problems a meeting finds, their priority (USG, Hanlon or CARL) and root causes (fishbone).

DOMAIN.md §3 (P1): problems -> priorities -> root causes -> plans. Whoever runs the meeting
(`rights.can_manage_meeting`) writes; a closed meeting is read-only. Every write locks the
meeting's row first, so closing a meeting and writing into it cannot both win.
Scores are kept per method in `Problem.scores` (see `selectors.outcomes.stored_scores`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kernel.models import User
from kernel.versioning import save_versioned

from ..models import FollowUp, Meeting, Problem, RootCause
from ..priority import METHODS, clean_scores
from ..rights import can_manage_meeting
from ..selectors.outcomes import (
    service_points_of_meeting,
    spm_services_of_meeting,
    stored_scores,
    villages_of_meeting,
)
from .meetings import save_meeting

logger = logging.getLogger(__name__)

# What the problem form edits; scores and order are written by their own services.
PROBLEM_FIELDS = ["statement", "evidence", "service", "village", "service_point"]


def lock_open_meeting(meeting: Meeting, *, by: User) -> Meeting:
    """The meeting, locked for this transaction, if `by` runs it and it is not closed; else
    PermissionDenied or ValidationError. Call inside a transaction."""
    if not can_manage_meeting(by, meeting):
        raise PermissionDenied(_("Only those who run this meeting can change what it records."))
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status == Meeting.Status.CLOSED:
        raise ValidationError(
            _(
                "This meeting is closed: its problems, RTL, commitments and proposals can no "
                "longer be changed."
            )
        )
    return current


def check_service_point(item: Problem | FollowUp, meeting: Meeting, errors: dict) -> None:
    """A posyandu or other UKBM named by a problem or RTL item is one of the meeting's area."""
    if item.service_point_id and not (
        service_points_of_meeting(meeting).filter(pk=item.service_point_id).exists()
    ):
        errors["service_point"] = _("Choose a posyandu or other UKBM of the meeting's area.")


def _priority(scores: Mapping[str, object], method: str) -> Decimal | None:
    """The priority score of complete, valid scores; None otherwise."""
    try:
        return METHODS[method].score(clean_scores(method, scores))
    except ValidationError:
        return None


@transaction.atomic
def problem_save(*, problem: Problem, by: User, version: int | None = None) -> Problem:
    """Create or update (at `version`: StaleEdit if someone saved since) a problem of an open
    meeting; its SPM service must be in the catalogue of the meeting's year and its desa in the
    meeting's area; atomic. An update writes only the form's fields, never the scores."""
    meeting = lock_open_meeting(problem.meeting, by=by)
    errors = {}
    services, villages = spm_services_of_meeting(meeting), villages_of_meeting(meeting)
    if problem.service_id and not services.filter(pk=problem.service_id).exists():
        errors["service"] = _("Choose an SPM service of the %(year)s catalogue.") % {
            "year": meeting.year
        }
    if problem.village_id and not villages.filter(pk=problem.village_id).exists():
        errors["village"] = _("Choose a desa in the meeting's area.")
    check_service_point(problem, meeting, errors)
    if errors:
        raise ValidationError(errors)
    if problem.pk is None:
        last = meeting.problems.aggregate(last=Max("order"))["last"]
        problem.order = (last or 0) + 1
    problem.full_clean()
    columns = [*PROBLEM_FIELDS, "version", "updated_by", "updated_at"]
    save_versioned(
        problem,
        by=by,
        version=version,
        fields=PROBLEM_FIELDS,
        save=lambda p: p.save(update_fields=columns) if p.pk else p.save(),
    )
    return problem


@transaction.atomic
def problem_delete(*, problem: Problem, by: User) -> None:
    """Delete a problem and its root causes, unless RTL items were planned from it."""
    lock_open_meeting(problem.meeting, by=by)
    if problem.follow_ups.exists():
        raise ValidationError(
            _(
                "RTL items were planned from this problem: delete them or link them to another "
                "problem first."
            )
        )
    logger.info("Problem %s of meeting %s deleted by %s", problem.pk, problem.meeting_id, by.pk)
    problem.delete()


@transaction.atomic
def meeting_method_set(*, meeting: Meeting, method: str, version: int, by: User) -> Meeting:
    """Change the meeting's prioritisation method and recompute every problem's priority score
    (empty where the problem has no complete scores for the new method); refused if the meeting
    changed since `version` (StaleEdit); bumps the version; atomic."""
    if method not in METHODS:
        raise ValidationError({"method": _("Choose USG, Hanlon or CARL.")})
    current = lock_open_meeting(meeting, by=by)
    if current.priority_method == method:  # nothing to change, nothing to overwrite
        return current
    current.priority_method = method
    save_meeting(
        current,
        by=by,
        version=version,
        fields=["priority_method"],
        reason="priority method",
        only=True,
    )
    problems = list(current.problems.all())
    for problem in problems:
        problem.priority_score = _priority(stored_scores(problem.scores, method), method)
    Problem.objects.bulk_update(problems, ["priority_score"])
    return current


def _is_blank(value: object) -> bool:
    return value is None or not str(value).strip()


@transaction.atomic
def problem_scores_save(
    *, meeting: Meeting, method: str, scores: Mapping[int, Mapping[str, object]], by: User
) -> int:
    """Save the scores of the meeting's problems for its method, all or nothing; returns how
    many problems are scored.

    `scores` maps a problem id to {criterion code: value}. A row left wholly empty is "not scored
    yet"; any other row must have a whole number within each criterion's scale. Errors are keyed
    `p<problem id>-<criterion code>` and name the problem's number and the criterion.
    """
    current = lock_open_meeting(meeting, by=by)
    if method != current.priority_method:
        raise ValidationError(
            _(
                "The prioritisation method changed to %(method)s while you were scoring. Nothing "
                "was saved: enter the scores again."
            )
            % {"method": current.get_priority_method_display()}
        )
    problems = list(current.problems.order_by("order", "pk"))
    if set(scores) - {problem.pk for problem in problems}:
        raise ValidationError(
            _("A problem you scored is no longer in this meeting. Nothing was saved: reload.")
        )
    codes = [criterion.code for criterion in METHODS[method].criteria]
    errors: dict[str, list[str]] = {}
    changed = []
    for number, problem in enumerate(problems, start=1):
        if problem.pk not in scores:
            continue
        raw = {code: scores[problem.pk].get(code) for code in codes}
        cleaned: dict[str, int] = {}
        if not all(_is_blank(value) for value in raw.values()):
            try:
                cleaned = clean_scores(method, raw)
            except ValidationError as error:
                for code, messages in error.message_dict.items():
                    errors[f"p{problem.pk}-{code}"] = [
                        _("Problem %(number)s, %(error)s") % {"number": number, "error": message}
                        for message in messages
                    ]
                continue
        kept = {k: v for k, v in (problem.scores or {}).items() if isinstance(v, Mapping)}
        if cleaned:
            kept[method] = cleaned
        else:
            kept.pop(method, None)
        problem.scores = kept
        problem.priority_score = METHODS[method].score(cleaned) if cleaned else None
        changed.append(problem)
    if errors:
        raise ValidationError(errors)
    Problem.objects.bulk_update(changed, ["scores", "priority_score"])
    return sum(problem.priority_score is not None for problem in problems)


@transaction.atomic
def root_cause_add(*, problem: Problem, category: str, description: str, by: User) -> RootCause:
    """Add a cause in one of the six fishbone categories to a problem of an open meeting."""
    lock_open_meeting(problem.meeting, by=by)
    cause = RootCause(problem=problem, category=category, description=description.strip())
    if category not in RootCause.Category.values:
        raise ValidationError({"category": _("Choose one of the six categories.")})
    cause.full_clean()
    cause.save()
    return cause


@transaction.atomic
def root_cause_delete(*, cause: RootCause, by: User) -> None:
    """Delete a root cause, unless RTL items were planned from it."""
    lock_open_meeting(cause.problem.meeting, by=by)
    if cause.follow_ups.exists():
        raise ValidationError(
            _(
                "RTL items were planned from this cause: delete them or link them to another "
                "cause first."
            )
        )
    logger.info("Root cause %s of problem %s deleted by %s", cause.pk, cause.problem_id, by.pk)
    cause.delete()
