"""Posyandu cadres (issue #17, must-have 3): their register, their skill assessments and their
attendance at training events.

- `cadre_save`: create (once per form token) or edit (versioned: a stale save is refused with
  who and both values) a cadre of a posyandu; `cadre_deactivate` keeps the cadre, inactive.
- `assessments_record`: the marks of one session (skill -> competent or not yet) on a date
  that is not in the future, of skills of the skill set of the date's year; then the cadre's
  standing is computed again (`cadre_standing_refresh`).
- `cadre_standing_refresh`: skills competent, group badges and level from the LATEST result
  per skill, by the skill set's rules (community/rules.standing), stored on the cadre.
- `training_attendance_save`: who of the cadres attended a training event (a meeting of the
  bimtek format the user can see).

Rights are checked here (community.rights.can_keep_cadres); views only hide buttons.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.models import ServicePoint, User
from kernel.scoping import in_area
from kernel.versioning import created_before, save_edit, save_versioned
from workshops.models import Meeting

from ..models import Cadre, SkillAssessment, SkillSet, TrainingAttendance
from ..rights import can_keep_cadres
from ..rules import CadreStanding, standing

Result = SkillAssessment.Result

# What the cadre form edits (the rest is computed from the assessments).
CADRE_FIELDS = ("name", "sex", "birth_year", "phone", "since_year", "is_trained", "is_active")
NOTE_LENGTH = SkillAssessment._meta.get_field("note").max_length or 300
FIRST_ASSESSMENT_YEAR = 2000


def clean_text(text: object, *, multiline: bool = False) -> str:
    """Text as typed, without control characters (a pasted NUL byte) and outer spaces."""
    keep = "\n\t" if multiline else ""
    cleaned = "".join(
        ch for ch in str(text or "") if ch in keep or unicodedata.category(ch)[0] != "C"
    )
    return cleaned.strip()


def _require_keeper(by: User, obj: object) -> None:
    if not can_keep_cadres(by, obj):
        raise PermissionDenied(_("Only the puskesmas's or the district's officers can do this."))


# --- The register -------------------------------------------------------------------------------


def cadre_new(*, posyandu: ServicePoint) -> Cadre:
    """An unsaved cadre of `posyandu` (the form's instance)."""
    return Cadre(service_point=posyandu, puskesmas_id=posyandu.puskesmas_id)


def cadre_save(*, cadre: Cadre, by: User, version: int | None, token: object = None) -> Cadre:
    """Create a cadre once per form token (a repeated post returns the first one) or save an
    edit made at `version` (StaleEdit when someone saved since). A posyandu of the cadre's
    puskesmas only; a name and birth year only once per posyandu. Atomic."""
    if cadre.pk is None and (earlier := created_before(token=token, by=by, model=Cadre)):
        return earlier
    point = cadre.service_point
    if point.kind != ServicePoint.Kind.POSYANDU:
        raise ValidationError({"service_point": _("Choose a posyandu.")})
    cadre.puskesmas_id = point.puskesmas_id
    _require_keeper(by, cadre)
    cadre.name = clean_text(cadre.name)
    cadre.phone = clean_text(cadre.phone)
    cadre.full_clean(
        exclude=["version", "updated_by", "updated_at", "skill_set", "level", "badges"]
    )
    try:
        with transaction.atomic():  # a savepoint: the losing insert of a race rolls back alone
            return save_edit(cadre, by=by, version=version, token=token, fields=CADRE_FIELDS)
    except IntegrityError:
        cadre.full_clean(exclude=["version", "updated_by", "updated_at"])  # says which clashes
        raise


@transaction.atomic
def cadre_deactivate(*, cadre: Cadre, by: User, version: int | None) -> Cadre:
    """Mark a cadre as no longer active (kept with the assessments), as an edit at `version`."""
    _require_keeper(by, cadre)
    cadre.is_active = False
    return save_versioned(cadre, by=by, version=version, fields=["is_active"])


# --- Assessments and standing -------------------------------------------------------------------


def latest_results(cadre: Cadre, skill_set: SkillSet) -> dict[int, SkillAssessment]:
    """skill id -> the cadre's latest assessment of it among `skill_set`'s skills. One query."""
    latest: dict[int, SkillAssessment] = {}
    assessments = SkillAssessment.objects.filter(cadre=cadre, skill__skill_set=skill_set).order_by(
        "skill_id", "-assessed_on", "-pk"
    )
    for assessment in assessments:
        latest.setdefault(assessment.skill_id, assessment)
    return latest


def cadre_standing_refresh(cadre: Cadre) -> CadreStanding | None:
    """Compute the cadre's skills competent, badges and level from the latest result per skill
    of the skill set of its latest assessment's year, and store them (with that set and that
    date) on the cadre without touching its edit version. None when never assessed."""
    last = (
        SkillAssessment.objects.filter(cadre=cadre)
        .order_by("-assessed_on")
        .values_list("assessed_on", flat=True)
        .first()
    )
    skill_set = SkillSet.for_year(last.year) if last else None
    if skill_set is None:
        Cadre.objects.filter(pk=cadre.pk).update(
            skill_set=None, level="", skills_competent=0, badges=[], last_assessed_on=last
        )
        cadre.skill_set, cadre.level, cadre.skills_competent = None, "", 0
        cadre.badges, cadre.last_assessed_on = [], last
        return None
    latest = {
        skill_id: assessment.result == Result.COMPETENT
        for skill_id, assessment in latest_results(cadre, skill_set).items()
    }
    result = standing(
        latest=latest,
        skills=skill_set.skills.all(),
        badge_share=skill_set.badge_share,
        level_rules=skill_set.level_rules.all(),
    )
    values = {
        "skill_set": skill_set,
        "level": result.level,
        "skills_competent": result.skills_competent,
        "badges": result.badges,
        "last_assessed_on": last,
    }
    Cadre.objects.filter(pk=cadre.pk).update(**values)
    for name, value in values.items():
        setattr(cadre, name, value)
    return result


def assessment_date(raw: object, *, today: datetime.date | None = None) -> datetime.date:
    """The date of an assessment: a date (or ISO text), not in the future, not before 2000."""
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if not isinstance(raw, datetime.date):
        try:
            raw = datetime.date.fromisoformat(str(raw or "").strip()[:10])
        except ValueError as error:
            raise ValidationError(_("Enter the date of the assessment.")) from error
    today = today or timezone.localdate()
    if raw > today:
        raise ValidationError(_("An assessment cannot be dated in the future."))
    if raw.year < FIRST_ASSESSMENT_YEAR:
        raise ValidationError(_("The date of the assessment is too far back."))
    return raw


@dataclass(frozen=True)
class Outcome:
    """What a session's save did: how many marks were saved and the cadre's standing after."""

    saved: int
    standing: CadreStanding | None


@transaction.atomic
def assessments_record(
    *,
    cadre: Cadre,
    assessed_on: object,
    marks: Mapping[int, str],
    by: User,
    note: str = "",
    today: datetime.date | None = None,
) -> Outcome:
    """Record one session's marks (skill id -> "competent" or "not_yet") of `cadre` on
    `assessed_on` with `by` as the assessor: every skill must be of the skill set of that
    year; a skill marked again on the same day replaces that day's result. Then the cadre's
    standing is computed again. All or nothing."""
    _require_keeper(by, cadre)
    day = assessment_date(assessed_on, today=today)
    if not marks:
        raise ValidationError(_("Mark at least one skill."))
    skill_set = SkillSet.for_year(day.year)
    if skill_set is None:
        raise ValidationError(_("No cadre skill set applies to this year."))
    skills = {skill.pk: skill for skill in skill_set.skills.all()}
    cleaned: dict[int, str] = {}
    for skill_id, result in marks.items():
        try:
            key = int(skill_id)
        except (TypeError, ValueError) as error:
            raise ValidationError(_("Unknown skill.")) from error
        if key not in skills:
            raise ValidationError(_("This skill is not in the skill set of the assessment's year."))
        if result not in Result.values:
            raise ValidationError(_("Mark each skill Competent or Not yet."))
        cleaned[key] = result
    note = clean_text(note)
    if len(note) > NOTE_LENGTH:
        raise ValidationError(
            _("The note is too long (at most %(max)s characters).") % {"max": NOTE_LENGTH}
        )
    # Serialise sessions of the same cadre: the standing is computed from what is committed.
    Cadre.objects.select_for_update().filter(pk=cadre.pk).order_by("pk").first()
    same_day = {
        a.skill_id: a
        for a in SkillAssessment.objects.select_for_update()
        .filter(cadre=cadre, assessed_on=day, skill_id__in=list(cleaned))
        .order_by("pk")
    }
    now = timezone.now()
    created, updated = [], []
    for skill_id, result in cleaned.items():
        assessment = same_day.get(skill_id)
        if assessment is None:
            created.append(
                SkillAssessment(
                    cadre=cadre,
                    skill=skills[skill_id],
                    assessed_on=day,
                    result=result,
                    assessor=by,
                    note=note,
                    version=1,
                    updated_by=by,
                    updated_at=now,
                )
            )
        elif (assessment.result, assessment.note) != (result, note):
            assessment.result, assessment.note, assessment.assessor = result, note, by
            assessment.version += 1
            assessment.updated_by, assessment.updated_at = by, now
            updated.append(assessment)
    SkillAssessment.objects.bulk_create(created)
    SkillAssessment.objects.bulk_update(
        updated, ["result", "note", "assessor", "version", "updated_by", "updated_at"]
    )
    after = cadre_standing_refresh(cadre)
    return Outcome(saved=len(created) + len(updated), standing=after)


def assessment_record(
    *,
    cadre: Cadre,
    skill_id: int,
    assessed_on: object,
    result: str,
    by: User,
    note: str = "",
) -> Outcome:
    """One skill's assessment (see `assessments_record`)."""
    return assessments_record(
        cadre=cadre, assessed_on=assessed_on, marks={skill_id: result}, by=by, note=note
    )


# --- Training events ----------------------------------------------------------------------------


def is_training(meeting: Meeting) -> bool:
    return meeting.format == Meeting.Format.TRAINING


@transaction.atomic
def training_attendance_save(
    *, meeting: Meeting, shown: Iterable[int], attended: Iterable[int], by: User
) -> int:
    """Of the cadres `shown` on the page, those in `attended` attended the training event and
    the others did not (a cadre never listed before and not ticked gets no row). Only a
    training (bimtek) meeting the user can see, only cadres the user keeps. Returns how many
    rows changed."""
    if not is_training(meeting):
        raise ValidationError(_("Attendance of cadres is kept for technical trainings only."))
    if not in_area(Meeting.objects.filter(pk=meeting.pk), by).exists():
        raise PermissionDenied(_("This training is not in your area."))
    try:
        shown_ids = {int(pk) for pk in shown}
        ticked = {int(pk) for pk in attended}
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Unknown cadre.")) from error
    if not ticked <= shown_ids:
        raise ValidationError(_("Unknown cadre."))
    cadres = list(in_area(Cadre.objects.filter(pk__in=shown_ids), by).select_related("puskesmas"))
    if len(cadres) != len(shown_ids):
        raise PermissionDenied(_("One of these cadres is not in your area."))
    for cadre in cadres:
        _require_keeper(by, cadre)
    existing = {
        row.cadre_id: row
        for row in TrainingAttendance.objects.select_for_update()
        .filter(meeting=meeting, cadre_id__in=shown_ids)
        .order_by("pk")
    }
    created, updated = [], []
    for cadre in cadres:
        yes = cadre.pk in ticked
        row = existing.get(cadre.pk)
        if row is None:
            if yes:
                created.append(TrainingAttendance(meeting=meeting, cadre=cadre, attended=True))
        elif row.attended is not yes:
            row.attended = yes
            updated.append(row)
    TrainingAttendance.objects.bulk_create(created)
    TrainingAttendance.objects.bulk_update(updated, ["attended"])
    return len(created) + len(updated)
