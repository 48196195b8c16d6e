"""Planning-capacity mentoring of a district (issue #18, must-have 3).

- Mentor assignments: the province assigns planning mentors to its districts (system
  administrators to any), for a period; `mentor_assignment_end` closes one.
- Capacity assessments: the baseline (usually at the FGD, a district meeting of the FGD
  format) and each review, with one CapacityScore per item of the capacity edition that
  applies in its year; scores only at the item's levels; the assessment's score is the
  weighted mean (assessments.scoring) stored after every save.
- The mentoring plan (activities), visits, and the RTL items agreed with the Dinkes, followed
  to done like meeting items (workshops.services.tracking's moves and rules).

Rights (assessments.rights): a mentor keeps the records of the districts assigned to it today
(system administrators any); the district's planners only move the RTL items' status. Creates
run once per form token, edits at the version the form showed (kernel.versioning); every
write leaves an audit event.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import audit
from kernel.models import AuditEvent, District, MentorAssignment, User
from kernel.versioning import create_once, created_before, save_edit, save_versioned
from workshops.models import Meeting
from workshops.services.tracking import CLOSED_STATUSES, status_change_errors

from ..models import (
    CapacityAssessment,
    CapacityScore,
    Instrument,
    Item,
    Level,
    MentoringActivity,
    MentoringItem,
    MentoringVisit,
    Part,
)
from ..rights import can_assign_mentors, can_keep_mentoring, can_update_mentoring_item
from ..scoring import Scored, total_score

Action = AuditEvent.Action
Status = MentoringItem.Status

ASSIGNMENT_FIELDS = ("user", "district", "starts_on", "ends_on", "organisation")
ASSESSMENT_FIELDS = ("stage", "held_on", "meeting", "summary")
ACTIVITY_FIELDS = ("title", "description", "section", "starts_on", "due_on")
VISIT_FIELDS = ("visited_on", "puskesmas", "activity", "topics", "notes", "next_steps")
ITEM_FIELDS = (
    "problem",
    "cause",
    "action",
    "responsible",
    "section",
    "assessment",
    "visit",
    "due_on",
)
TEXT_MAX_LENGTH = 5000
FIRST_YEAR = 2000


def clean_text(text: object, *, multiline: bool = True) -> str:
    """Text as typed, without control characters (a pasted NUL byte) and outer spaces."""
    keep = "\n\t" if multiline else ""
    cleaned = "".join(
        ch for ch in str(text or "") if ch in keep or unicodedata.category(ch)[0] != "C"
    )
    return cleaned.strip()


def _clean_fields(obj: Model, names: tuple[str, ...]) -> None:
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, name, None)
        if isinstance(value, str):
            multiline = field.get_internal_type() == "TextField"
            value = clean_text(value, multiline=multiline)
            if multiline and len(value) > TEXT_MAX_LENGTH:
                raise ValidationError(
                    {name: _("Keep this under %(count)s characters.") % {"count": TEXT_MAX_LENGTH}}
                )
            setattr(obj, name, value)


def _check_date(value: datetime.date | None, field: str) -> None:
    if value is not None and not (FIRST_YEAR <= value.year <= 2100):
        raise ValidationError({field: _("Enter a date between 2000 and 2100.")})


def _require_keeper(by: User, district: District) -> None:
    if not can_keep_mentoring(by, district):
        raise PermissionDenied(_("Only the district's planning mentor can do this."))


def _full_clean(obj: Model, exclude: tuple[str, ...] = ()) -> None:
    obj.full_clean(exclude=["version", "updated_by", "updated_at", *exclude])


def _record(obj: Model, *, created: bool, by: User, **data: object) -> None:
    audit.record(
        obj,
        action=Action.CREATED if created else Action.SAVED,
        by=by,
        data={"version": getattr(obj, "version", None), **data},
    )


# --- Mentor assignments -------------------------------------------------------------------------


def _assignment_area(assignment: MentorAssignment) -> dict[str, int | None]:
    return {
        "province_id": assignment.district.province_id,
        "district_id": assignment.district_id,
        "puskesmas_id": None,
    }


def mentor_assignment_save(
    *, assignment: MentorAssignment, by: User, version: int | None, token: object = None
) -> MentorAssignment:
    """Assign a planning mentor to a district for a period (created once per form token) or
    save an edit at `version`. The province reviewer for its own districts, system
    administrators for any; only a user with the mentor role; the end not before the start."""
    if assignment.pk is None and (
        earlier := created_before(token=token, by=by, model=MentorAssignment)
    ):
        return earlier
    if not can_assign_mentors(by, assignment.district):
        raise PermissionDenied(_("Only the province or a system administrator assigns mentors."))
    if assignment.user.role != User.Role.MENTOR:
        raise ValidationError({"user": _("Only a planning mentor can be assigned.")})
    _check_date(assignment.starts_on, "starts_on")
    _check_date(assignment.ends_on, "ends_on")
    assignment.organisation = clean_text(assignment.organisation, multiline=False)
    created = assignment.pk is None
    if created:
        assignment.created_by = by
    _full_clean(assignment, exclude=("created_by",))
    with transaction.atomic():
        saved = save_edit(assignment, by=by, version=version, token=token, fields=ASSIGNMENT_FIELDS)
        audit.record_many(
            [saved],
            action=Action.CREATED if created else Action.SAVED,
            by=by,
            area=_assignment_area,
        )
    return saved


def mentor_assignment_end(
    *,
    assignment: MentorAssignment,
    by: User,
    version: int | None,
    ends_on: datetime.date | None = None,
) -> MentorAssignment:
    """End an assignment on `ends_on` (today by default; not before it started)."""
    if not can_assign_mentors(by, assignment.district):
        raise PermissionDenied(_("Only the province or a system administrator assigns mentors."))
    day = ends_on or timezone.localdate()
    if day < assignment.starts_on:
        raise ValidationError({"ends_on": _("The end comes before the start.")})
    assignment.ends_on = day
    with transaction.atomic():
        saved = save_versioned(assignment, by=by, version=version, fields=["ends_on"])
        audit.record_many([saved], action=Action.SAVED, by=by, area=_assignment_area)
    return saved


# --- Capacity assessments -----------------------------------------------------------------------


def capacity_instrument(year: int) -> Instrument | None:
    """The capacity edition that applies in `year`."""
    return Instrument.for_year(Instrument.Kind.CAPACITY, year)


def _check_meeting(meeting: Meeting | None, district: District) -> None:
    if meeting is None:
        return
    if meeting.district_id != district.pk:
        raise ValidationError({"meeting": _("Choose a meeting of this district.")})
    if meeting.format != Meeting.Format.FGD:
        raise ValidationError({"meeting": _("Choose a meeting held as an FGD.")})


def capacity_create(
    *,
    district: District,
    stage: str,
    held_on: datetime.date,
    by: User,
    meeting: Meeting | None = None,
    summary: str = "",
    token: object = None,
) -> CapacityAssessment:
    """A baseline or review assessment of `district` on `held_on` with the capacity edition of
    that year and an empty score per item; optionally at an FGD meeting of the district.
    Created once per form token."""
    if earlier := created_before(token=token, by=by, model=CapacityAssessment):
        return earlier
    _require_keeper(by, district)
    if stage not in CapacityAssessment.Stage.values:
        raise ValidationError({"stage": _("Choose baseline or review.")})
    _check_date(held_on, "held_on")
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("An assessment cannot be dated in the future.")})
    _check_meeting(meeting, district)
    instrument = capacity_instrument(held_on.year)
    if instrument is None:
        raise ValidationError({"held_on": _("No capacity instrument applies to this year.")})
    assessment = CapacityAssessment(
        district=district,
        instrument=instrument,
        stage=stage,
        held_on=held_on,
        meeting=meeting,
        summary=summary,
        created_by=by,
    )
    _clean_fields(assessment, ("summary",))

    def create() -> CapacityAssessment:
        saved = save_versioned(assessment, by=by, version=None)
        items = Item.objects.filter(section__instrument=instrument, section__part=Part.TOPIC)
        CapacityScore.objects.bulk_create(
            CapacityScore(assessment=saved, item=item, version=1) for item in items
        )
        _record(saved, created=True, by=by, stage=stage)
        return saved

    return create_once(token=token, by=by, model=CapacityAssessment, create=create)


def _check_header(assessment: CapacityAssessment) -> None:
    if assessment.stage not in CapacityAssessment.Stage.values:
        raise ValidationError({"stage": _("Choose baseline or review.")})
    _check_date(assessment.held_on, "held_on")
    if assessment.held_on.year < assessment.instrument.valid_from:
        raise ValidationError({"held_on": _("The instrument does not apply to this year.")})
    if assessment.held_on > timezone.localdate():
        raise ValidationError({"held_on": _("An assessment cannot be dated in the future.")})
    _check_meeting(assessment.meeting, assessment.district)
    _clean_fields(assessment, ("summary",))


def capacity_edit(
    *, assessment: CapacityAssessment, by: User, version: int | None
) -> CapacityAssessment:
    """Save the assessment's stage, date, FGD and summary as an edit at `version`."""
    _require_keeper(by, assessment.district)
    _check_header(assessment)
    with transaction.atomic():
        saved = save_versioned(assessment, by=by, version=version, fields=ASSESSMENT_FIELDS)
        _record(saved, created=False, by=by)
    return saved


def _level_value(raw: object) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).strip()[:12])
    except InvalidOperation as error:
        raise ValidationError(_("Choose one of the item's levels.")) from error
    if not value.is_finite():
        raise ValidationError(_("Choose one of the item's levels."))
    return value


def capacity_scores_save(
    *,
    assessment: CapacityAssessment,
    by: User,
    version: int | None,
    scores: Mapping[int, tuple[object, str]],
) -> CapacityAssessment:
    """Save the assessment (its stage, date, FGD and summary as set on `assessment`) and its
    scores at once: CapacityScore id -> (level score or empty, note). A score is one of its
    item's levels (empty: not scored). The edit is made at the assessment's `version`
    (StaleEdit when someone saved since); then the assessment's score is computed and stored.
    All or nothing."""
    _require_keeper(by, assessment.district)
    _check_header(assessment)
    rows = {
        row.pk: row
        for row in CapacityScore.objects.filter(assessment=assessment).select_related("item")
    }
    levels: dict[int, set[Decimal]] = {}
    for item_id, score in Level.objects.filter(
        item__in=[row.item_id for row in rows.values()]
    ).values_list("item_id", "score"):
        levels.setdefault(item_id, set()).add(score)
    errors: dict[str, list[str]] = {}
    changed: list[CapacityScore] = []
    for pk, (raw, note) in scores.items():
        row = rows.get(pk)
        if row is None:
            raise ValidationError(_("A score of another assessment was sent."))
        try:
            value = _level_value(raw)
        except ValidationError as error:
            errors.setdefault("__all__", []).append(f"{row.item.code}: {error.messages[0]}")
            continue
        if value is not None and value not in levels.get(row.item_id, set()):
            errors.setdefault("__all__", []).append(
                f"{row.item.code}: " + _("Choose one of the item's levels.")
            )
            continue
        note = clean_text(note)
        if len(note) > TEXT_MAX_LENGTH:
            errors.setdefault("__all__", []).append(
                f"{row.item.code}: "
                + _("Keep this under %(count)s characters.") % {"count": TEXT_MAX_LENGTH}
            )
            continue
        if row.score != value or row.note != note:
            row.score, row.note = value, note
            row.version += 1
            row.updated_by, row.updated_at = by, timezone.now()
            changed.append(row)
    if errors:
        raise ValidationError(errors["__all__"])
    with transaction.atomic():
        save_versioned(assessment, by=by, version=version, fields=ASSESSMENT_FIELDS)
        CapacityScore.objects.bulk_update(
            changed, ["score", "note", "version", "updated_by", "updated_at"]
        )
        capacity_score_refresh(assessment)
        _record(assessment, created=False, by=by, scores=len(changed))
    return assessment


def capacity_score_save(
    *, score: CapacityScore, by: User, version: int | None, value: object, note: str = ""
) -> CapacityScore:
    """Save one item's score (one of its levels, or empty) and note at the score's `version`;
    then the assessment's score is computed again."""
    assessment = score.assessment
    _require_keeper(by, assessment.district)
    level = _level_value(value)
    if level is not None and not Level.objects.filter(item_id=score.item_id, score=level).exists():
        raise ValidationError({"score": _("Choose one of the item's levels.")})
    score.score, score.note = level, clean_text(note)
    with transaction.atomic():
        saved = save_versioned(score, by=by, version=version, fields=["score", "note"])
        capacity_score_refresh(assessment)
        _record(assessment, created=False, by=by, item=score.item.code)
    return saved


def capacity_score_refresh(assessment: CapacityAssessment) -> Decimal | None:
    """Compute the assessment's score (weighted mean of its topics) and store it without a new
    edit version."""
    rows = [
        Scored(
            section_id=row.item.section_id,
            section_weight=row.item.section.weight,
            item_weight=row.item.weight,
            score=row.score,
        )
        for row in CapacityScore.objects.filter(assessment=assessment).select_related(
            "item__section"
        )
    ]
    value = total_score(rows)
    CapacityAssessment.objects.filter(pk=assessment.pk).update(score=value)
    assessment.score = value
    return value


# --- The plan, visits and RTL items -------------------------------------------------------------


def _check_section(section, field: str = "section") -> None:
    if section is not None and section.instrument.kind != Instrument.Kind.CAPACITY:
        raise ValidationError({field: _("Choose a topic of the capacity assessment.")})


def activity_save(
    *, activity: MentoringActivity, by: User, version: int | None, token: object = None
) -> MentoringActivity:
    """Create (once per form token) or edit (at `version`) an activity of the mentoring plan
    of its district. It ends on or after it starts."""
    if activity.pk is None and (
        earlier := created_before(token=token, by=by, model=MentoringActivity)
    ):
        return earlier
    _require_keeper(by, activity.district)
    _check_section(activity.section)
    _check_date(activity.starts_on, "starts_on")
    _check_date(activity.due_on, "due_on")
    if activity.starts_on and activity.due_on and activity.due_on < activity.starts_on:
        raise ValidationError({"due_on": _("The end comes before the start.")})
    _clean_fields(activity, ("title", "description"))
    created = activity.pk is None
    if created:
        activity.created_by = by
    _full_clean(activity, exclude=("created_by", "status_changed_by"))
    with transaction.atomic():
        saved = save_edit(activity, by=by, version=version, token=token, fields=ACTIVITY_FIELDS)
        _record(saved, created=created, by=by)
    return saved


def visit_save(
    *, visit: MentoringVisit, by: User, version: int | None, token: object = None
) -> MentoringVisit:
    """Create (once per form token) or edit (at `version`) a mentor's visit to the Dinkes (no
    puskesmas) or one of the district's puskesmas; a plan activity of the district only."""
    if visit.pk is None and (earlier := created_before(token=token, by=by, model=MentoringVisit)):
        return earlier
    _require_keeper(by, visit.district)
    if visit.puskesmas is not None and visit.puskesmas.district_id != visit.district_id:
        raise ValidationError({"puskesmas": _("Choose a puskesmas of this district.")})
    if visit.activity is not None and visit.activity.district_id != visit.district_id:
        raise ValidationError({"activity": _("Choose an activity of this district's plan.")})
    _check_date(visit.visited_on, "visited_on")
    if visit.visited_on and visit.visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("A visit cannot be dated in the future.")})
    _clean_fields(visit, ("topics", "notes", "next_steps"))
    created = visit.pk is None
    if created:
        visit.created_by = by
        if visit.mentor_id is None:
            visit.mentor = by
    _full_clean(visit, exclude=("created_by", "mentor"))
    with transaction.atomic():
        saved = save_edit(visit, by=by, version=version, token=token, fields=VISIT_FIELDS)
        _record(saved, created=created, by=by)
    return saved


def item_save(
    *, item: MentoringItem, by: User, version: int | None, token: object = None
) -> MentoringItem:
    """Create (once per form token) or edit (at `version`) an RTL item agreed with the Dinkes:
    from an assessment or a visit of the same district, on a capacity topic."""
    if item.pk is None and (earlier := created_before(token=token, by=by, model=MentoringItem)):
        return earlier
    _require_keeper(by, item.district)
    _check_section(item.section)
    if item.assessment is not None and item.assessment.district_id != item.district_id:
        raise ValidationError({"assessment": _("Choose an assessment of this district.")})
    if item.visit is not None and item.visit.district_id != item.district_id:
        raise ValidationError({"visit": _("Choose a visit to this district.")})
    _check_date(item.due_on, "due_on")
    _clean_fields(item, ("problem", "cause", "action", "responsible"))
    created = item.pk is None
    if created:
        item.created_by = by
    _full_clean(item, exclude=("created_by", "status_changed_by"))
    with transaction.atomic():
        saved = save_edit(item, by=by, version=version, token=token, fields=ITEM_FIELDS)
        _record(saved, created=created, by=by)
    return saved


def _status_change(
    obj: MentoringActivity | MentoringItem, *, status: str, note: str, by: User
) -> MentoringActivity | MentoringItem:
    note = clean_text(note)
    errors = status_change_errors(obj, status=status, note=note)
    if errors:
        raise ValidationError(errors)
    old, now = obj.status, timezone.now()
    kept = note if status in CLOSED_STATUSES else ""
    with transaction.atomic():
        changed = (
            type(obj)
            .objects.filter(pk=obj.pk, status=old)
            .update(status=status, status_note=kept, status_changed_at=now, status_changed_by=by)
        )
        if not changed:
            raise ValidationError(
                _(
                    "Someone changed this item's status while you were looking at it. Nothing "
                    "was saved: reload the page to see its status now."
                )
            )
        obj.status, obj.status_note = status, kept
        obj.status_changed_at, obj.status_changed_by = now, by
        audit.record(
            obj, action=Action.SAVED, by=by, reason=note, from_status=old, to_status=status
        )
    return obj


def activity_status_change(
    *, activity: MentoringActivity, status: str, note: str = "", by: User
) -> MentoringActivity:
    """Move a plan activity (planned -> in progress -> done with evidence / dropped with a
    reason; reopened with a note), like a meeting's RTL item. The mentor only."""
    _require_keeper(by, activity.district)
    result = _status_change(activity, status=status, note=note, by=by)
    assert isinstance(result, MentoringActivity)
    return result


def item_status_change(
    *, item: MentoringItem, status: str, note: str = "", by: User
) -> MentoringItem:
    """Move an RTL item's status (the same moves and notes as a meeting's RTL items): the
    mentor or the district's planners."""
    if not can_update_mentoring_item(by, item.district):
        raise PermissionDenied(_("You may not change the status of this item."))
    result = _status_change(item, status=status, note=note, by=by)
    assert isinstance(result, MentoringItem)
    return result
