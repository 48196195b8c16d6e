"""Supervision of puskesmas by the district (issue #18, must-have 4).

- `visit_plan`: a visit to a puskesmas of the planner's district (date, purpose, team, the
  supervision checklist of the year or one chosen); created once per form token.
- `visit_edit`: the plan's fields as an edit at `version`; `visit_cancel` with a reason.
- `visit_record`: the visit held (a date not in the future), its findings and its checklist
  scores (only the item's levels) in one save; the visit's score is the weighted mean of them
  (assessments.scoring) and is stored with it.
- `action_save`: the RTL agreed on a finding (action, person responsible, due date);
  `action_status_change`: planned -> in progress -> done (evidence) or dropped (reason), and
  back, like a meeting's RTL items (workshops.services.tracking's moves and rules).

Rights (assessments.rights): the district's planners (system administrators anywhere) keep the
visits and their RTL; the puskesmas's head also moves the RTL's status. Edits are versioned and
every write leaves an audit event (kernel.versioning, kernel.audit).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import audit
from kernel.models import AuditEvent, Puskesmas, User
from kernel.versioning import create_once, created_before, save_edit, save_versioned
from workshops.services.tracking import CLOSED_STATUSES, status_change_errors

from ..models import Instrument, Item, Level, SupervisionAction, SupervisionScore, SupervisionVisit
from ..rights import can_keep_supervision, can_update_supervision_action
from ..scoring import Scored, total_score
from .mentoring import clean_text

Action = AuditEvent.Action
VisitStatus = SupervisionVisit.Status
Status = SupervisionAction.Status

VISIT_FIELDS = ("puskesmas", "planned_on", "purpose", "team", "instrument")
RECORD_FIELDS = ("visited_on", "findings", "status")
ACTION_FIELDS = ("finding", "action", "responsible", "due_on")
TEXT_MAX_LENGTH = 5000
FIRST_YEAR = 2000


def _clean_fields(obj: Model, names: tuple[str, ...]) -> None:
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, name, None)
        if isinstance(value, str):
            multiline = field.get_internal_type() == "TextField"
            value = clean_text(value, multiline=multiline)
            if len(value) > TEXT_MAX_LENGTH:
                raise ValidationError(
                    {name: _("Keep this under %(count)s characters.") % {"count": TEXT_MAX_LENGTH}}
                )
            setattr(obj, name, value)


def _check_date(value: datetime.date | None, field: str) -> None:
    if value is not None and not (FIRST_YEAR <= value.year <= 2100):
        raise ValidationError({field: _("Enter a date between 2000 and 2100.")})


def _require_keeper(by: User, puskesmas: Puskesmas) -> None:
    if not can_keep_supervision(by, puskesmas):
        raise PermissionDenied(_("Only the district's planners can do this."))


def _record(obj: Model, *, created: bool, by: User, **data: object) -> None:
    audit.record(
        obj,
        action=Action.CREATED if created else Action.SAVED,
        by=by,
        data={"version": getattr(obj, "version", None), **data},
    )


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


def checklist_for(year: int) -> Instrument | None:
    """The supervision checklist that applies in `year`."""
    return Instrument.for_year(Instrument.Kind.SUPERVISION, year)


# --- Visits -------------------------------------------------------------------------------------


def _check_plan(visit: SupervisionVisit) -> None:
    _check_date(visit.planned_on, "planned_on")
    if visit.instrument is None and visit.planned_on is not None:
        visit.instrument = checklist_for(visit.planned_on.year)
    if visit.instrument is not None and visit.instrument.kind != Instrument.Kind.SUPERVISION:
        raise ValidationError({"instrument": _("Choose a supervision checklist.")})
    _clean_fields(visit, ("purpose", "team"))
    if not visit.team:
        raise ValidationError({"team": _("Name the members of the team.")})


def visit_plan(
    *,
    puskesmas: Puskesmas,
    planned_on: datetime.date,
    team: str,
    by: User,
    purpose: str = "",
    instrument: Instrument | None = None,
    token: object = None,
) -> SupervisionVisit:
    """Plan a visit to `puskesmas` (of the planner's district) on `planned_on` with its team and
    purpose and the checklist of that year (or `instrument`). Created once per form token."""
    if earlier := created_before(token=token, by=by, model=SupervisionVisit):
        return earlier
    _require_keeper(by, puskesmas)
    visit = SupervisionVisit(
        puskesmas=puskesmas,
        planned_on=planned_on,
        team=team,
        purpose=purpose,
        instrument=instrument,
        status=VisitStatus.PLANNED,
        created_by=by,
    )
    _check_plan(visit)
    visit.full_clean(exclude=["version", "updated_by", "updated_at", "created_by"])

    def create() -> SupervisionVisit:
        saved = save_versioned(visit, by=by, version=None)
        _record(saved, created=True, by=by)
        return saved

    return create_once(token=token, by=by, model=SupervisionVisit, create=create)


def visit_edit(*, visit: SupervisionVisit, by: User, version: int | None) -> SupervisionVisit:
    """Save the plan's fields (puskesmas, date, purpose, team, checklist) as set on `visit` as
    an edit at `version`. Not of a cancelled visit; the checklist of a visit with scores stays."""
    _require_keeper(by, visit.puskesmas)
    stored = SupervisionVisit.objects.get(pk=visit.pk)
    if not can_keep_supervision(by, stored.puskesmas):  # moved out of the planner's district
        raise PermissionDenied(_("Only the district's planners can do this."))
    if stored.status == VisitStatus.CANCELLED:
        raise ValidationError(_("A cancelled visit cannot be changed."))
    if (
        visit.instrument_id != stored.instrument_id
        and SupervisionScore.objects.filter(visit=visit, score__isnull=False).exists()
    ):
        raise ValidationError({"instrument": _("The checklist of a scored visit cannot change.")})
    _check_plan(visit)
    visit.full_clean(exclude=["version", "updated_by", "updated_at", "created_by"])
    with transaction.atomic():
        saved = save_versioned(visit, by=by, version=version, fields=VISIT_FIELDS)
        _record(saved, created=False, by=by)
    return saved


def visit_cancel(
    *, visit: SupervisionVisit, reason: str, by: User, version: int | None = None
) -> SupervisionVisit:
    """Cancel a planned visit, with the reason (kept in the audit trail)."""
    _require_keeper(by, visit.puskesmas)
    return audit.transition(
        visit,
        by=by,
        source=[VisitStatus.PLANNED],
        target=VisitStatus.CANCELLED,
        action=Action.SAVED,
        version=version,
        reason=clean_text(reason)[:TEXT_MAX_LENGTH],
        reason_required=True,
        reason_message=_("Give the reason the visit is cancelled."),
    )


def _levels_of(instrument_id: int) -> tuple[dict[int, Item], dict[int, set[Decimal]]]:
    items = {
        item.pk: item
        for item in Item.objects.filter(section__instrument_id=instrument_id).select_related(
            "section"
        )
    }
    levels: dict[int, set[Decimal]] = {}
    for item_id, score in Level.objects.filter(item__in=list(items)).values_list(
        "item_id", "score"
    ):
        levels.setdefault(item_id, set()).add(score)
    return items, levels


def visit_record(
    *,
    visit: SupervisionVisit,
    visited_on: datetime.date | None,
    findings: str,
    scores: Mapping[int, tuple[object, str]],
    by: User,
    version: int | None,
    today: datetime.date | None = None,
) -> SupervisionVisit:
    """Record the visit as held on `visited_on` (not in the future) with its findings and its
    checklist scores (item id -> (level score or empty, note); an item of the visit's checklist,
    a score at one of the item's levels) in one save at `version`; then the visit's score is
    computed and stored. A cancelled visit is not recorded. All or nothing."""
    _require_keeper(by, visit.puskesmas)
    if visit.status == VisitStatus.CANCELLED:
        raise ValidationError(_("A cancelled visit cannot be changed."))
    if visited_on is None:
        raise ValidationError({"visited_on": _("Enter the date of the visit.")})
    _check_date(visited_on, "visited_on")
    if visited_on > (today or timezone.localdate()):
        raise ValidationError({"visited_on": _("A visit cannot be dated in the future.")})
    if visit.instrument_id is None:
        visit.instrument = checklist_for(visited_on.year)
    errors: list[str] = []
    rows: dict[int, tuple[Decimal | None, str]] = {}
    if visit.instrument_id is not None:
        items, levels = _levels_of(visit.instrument_id)
    else:
        items, levels = {}, {}
    for item_id, (raw, note) in scores.items():
        item = items.get(int(item_id)) if str(item_id).isdigit() else None
        if item is None:
            raise ValidationError(_("A score of another checklist was sent."))
        try:
            value = _level_value(raw)
        except ValidationError as error:
            errors.append(f"{item.code}: {error.messages[0]}")
            continue
        if value is not None and value not in levels.get(item.pk, set()):
            errors.append(f"{item.code}: " + _("Choose one of the item's levels."))
            continue
        note = clean_text(note)
        if len(note) > TEXT_MAX_LENGTH:
            errors.append(
                f"{item.code}: "
                + _("Keep this under %(count)s characters.") % {"count": TEXT_MAX_LENGTH}
            )
            continue
        rows[item.pk] = (value, note)
    if errors:
        raise ValidationError(errors)
    visit.visited_on, visit.findings, visit.status = visited_on, findings, VisitStatus.DONE
    _clean_fields(visit, ("findings",))
    was = SupervisionVisit.objects.filter(pk=visit.pk).values_list("status", flat=True).first()
    with transaction.atomic():
        saved = save_versioned(visit, by=by, version=version, fields=RECORD_FIELDS)
        existing = {s.item_id: s for s in SupervisionScore.objects.filter(visit=visit)}
        now = timezone.now()
        created, changed = [], []
        for item_id, (value, note) in rows.items():
            row = existing.get(item_id)
            if row is None:
                if value is None and not note:
                    continue
                created.append(
                    SupervisionScore(
                        visit=visit,
                        item_id=item_id,
                        score=value,
                        note=note,
                        version=1,
                        updated_by=by,
                        updated_at=now,
                    )
                )
            elif (row.score, row.note) != (value, note):
                row.score, row.note = value, note
                row.version += 1
                row.updated_by, row.updated_at = by, now
                changed.append(row)
        SupervisionScore.objects.bulk_create(created)
        SupervisionScore.objects.bulk_update(
            changed, ["score", "note", "version", "updated_by", "updated_at"]
        )
        visit_score_refresh(saved)
        audit.record(
            saved,
            action=Action.SAVED,
            by=by,
            data={"version": saved.version, "scores": len(created) + len(changed)},
            from_status=was or "",
            to_status=VisitStatus.DONE,
        )
    return saved


def visit_score_refresh(visit: SupervisionVisit) -> Decimal | None:
    """Compute the visit's checklist score (weighted mean of its sections) and store it without
    a new edit version."""
    rows = [
        Scored(
            section_id=row.item.section_id,
            section_weight=row.item.section.weight,
            item_weight=row.item.weight,
            score=row.score,
        )
        for row in SupervisionScore.objects.filter(visit=visit).select_related("item__section")
    ]
    value = total_score(rows)
    SupervisionVisit.objects.filter(pk=visit.pk).update(score=value)
    visit.score = value
    return value


# --- RTL actions --------------------------------------------------------------------------------


def action_save(
    *, action: SupervisionAction, by: User, version: int | None, token: object = None
) -> SupervisionAction:
    """Create (once per form token) or edit (at `version`) an RTL action of a visit: the
    finding, the action, who is responsible and by when. The district's planners. Not on a
    cancelled visit."""
    if action.pk is None and (
        earlier := created_before(token=token, by=by, model=SupervisionAction)
    ):
        return earlier
    visit = action.visit
    _require_keeper(by, visit.puskesmas)
    if visit.status == VisitStatus.CANCELLED:
        raise ValidationError(_("A cancelled visit cannot be changed."))
    _check_date(action.due_on, "due_on")
    _clean_fields(action, ("finding", "action", "responsible"))
    created = action.pk is None
    if created:
        action.created_by = by
    action.full_clean(
        exclude=["version", "updated_by", "updated_at", "created_by", "status_changed_by"]
    )
    with transaction.atomic():
        saved = save_edit(action, by=by, version=version, token=token, fields=ACTION_FIELDS)
        _record(saved, created=created, by=by)
    return saved


def action_status_change(
    *, action: SupervisionAction, status: str, note: str = "", by: User
) -> SupervisionAction:
    """Move an RTL action (planned -> in progress -> done with evidence / dropped with a
    reason; reopened with a note): the district's planners or the puskesmas's head."""
    if not can_update_supervision_action(by, action.visit.puskesmas):
        raise PermissionDenied(_("You may not change the status of this item."))
    note = clean_text(note)
    errors = status_change_errors(action, status=status, note=note)
    if errors:
        raise ValidationError(errors)
    old, now = action.status, timezone.now()
    kept = note if status in CLOSED_STATUSES else ""
    with transaction.atomic():
        changed = SupervisionAction.objects.filter(pk=action.pk, status=old).update(
            status=status, status_note=kept, status_changed_at=now, status_changed_by=by
        )
        if not changed:
            raise ValidationError(
                _(
                    "Someone changed this item's status while you were looking at it. Nothing "
                    "was saved: reload the page to see its status now."
                )
            )
        action.status, action.status_note = status, kept
        action.status_changed_at, action.status_changed_by = now, by
        audit.record(
            action, action=Action.SAVED, by=by, reason=note, from_status=old, to_status=status
        )
    return action
