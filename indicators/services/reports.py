"""Monthly SPM reports: entry, checks, workflow and audit (issue #4).

The grid of a report is the puskesmas's working-area desa x the year's monthly SPM services.
Hard errors refuse a save; warnings need a comment before the report can be submitted.
Every write is conditional on the report's version, so two editors cannot both win.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kernel import audit
from kernel.models import AuditEvent, Puskesmas, User, Village

from ..models import (
    MonthlyReport,
    MonthlyValue,
    ReportingYear,
    SPMService,
    UnlockRequest,
    ValueChange,
)
from ..reporting import (  # noqa: F401  (re-exported: services callers use them)
    Grid,
    history_before,
    monthly_services,
    populations,
    report_grid,
    reporting_year,
    targets_of_record,
    working_area,
    year_to_date_before,
)
from ..rights import can_enter_report, can_review_report
from .aggregation import achievement_refresh_later

Status = MonthlyReport.Status
Action = AuditEvent.Action
Cell = tuple[int, int]  # (village id, service id)


@dataclass(frozen=True)
class CellInput:
    value: int | None
    comment: str = ""
    # (value, comment) as the user's page showed them, when the page says (`o-`/`oc-` fields):
    # then only a cell the user changed is saved, and only over what they saw.
    seen: tuple[int | None, str] | None = None


@dataclass(frozen=True)
class CellProblem:
    """A hard error or a warning located at one cell of the grid."""

    village: Village
    service: SPMService
    message: str
    # Which check (report_warnings): "target", "history" or "age_group"; "" for the others.
    kind: str = ""

    def __str__(self) -> str:
        return f"{self.village.name} · {self.service.code}: {self.message}"


@dataclass
class SaveResult:
    changed: int
    version: int


# --- Opening a report ---------------------------------------------------------------------------


def report_open(
    *,
    puskesmas: Puskesmas,
    year: int,
    month: int,
    by: User,
    today: datetime.date | None = None,
) -> MonthlyReport:
    """The puskesmas's report for the month, created as a draft on first open; idempotent.
    The current month may be started (and saved as a draft); a month not begun is refused."""
    if not 1 <= month <= 12:
        raise ValidationError(_("The month must be between 1 and 12."))
    settings = reporting_year(year)
    today = today or timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise ValidationError(_("A month cannot be reported before it has started."))
    report = MonthlyReport.objects.filter(puskesmas=puskesmas, year=year, month=month).first()
    if report is not None:
        return report
    if not can_enter_report(by, puskesmas):
        raise PermissionDenied(_("Only the puskesmas's own staff can start its report."))
    with transaction.atomic():
        report, created = MonthlyReport.objects.get_or_create(
            puskesmas=puskesmas,
            year=year,
            month=month,
            defaults={"due_on": settings.due_on(month), "updated_by": by},
        )
        if created:
            audit.record(report, action=Action.CREATED, by=by, to_status=report.status)
    return report


# --- Checks -------------------------------------------------------------------------------------


def posted_cells(raw: Mapping[str, str]) -> set[Cell]:
    """The (village id, service id) of the `v-<village>-<service>` fields of a form."""
    keys = set()
    for name in raw:
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "v" and all(_an_id(part) for part in parts[1:]):
            keys.add((int(parts[1]), int(parts[2])))
    return keys


def _an_id(text: str) -> bool:
    """Digits that fit a database id (an absurd one is no cell, never a database error)."""
    return text.isascii() and text.isdigit() and len(text) <= 9


def seen_of(raw: Mapping[str, str], key: Cell) -> tuple[int | None, str] | None:
    """What the page showed of a cell (`o-` value, `oc-` comment), or None if it does not say."""
    text = raw.get(f"o-{key[0]}-{key[1]}")
    if text is None:
        return None
    text = text.strip()
    if text and not (text.isascii() and text.isdigit() and len(text) <= 7):
        return None  # not something the page wrote: fall back to the version check
    return (int(text) if text else None, (raw.get(f"oc-{key[0]}-{key[1]}") or "").strip())


def parse_cells(
    raw: Mapping[str, str], *, villages: Iterable[Village], services: Iterable[SPMService]
) -> tuple[dict[Cell, CellInput], list[CellProblem]]:
    """Read `v-<village>-<service>` (value) and `c-<village>-<service>` (comment) form fields.

    Hard errors: a value that is not a whole number, a negative one, a cell outside the grid
    (unknown or foreign desa, unknown service).
    """
    village_by_id = {v.pk: v for v in villages}
    service_by_id = {s.pk: s for s in services}
    cells: dict[Cell, CellInput] = {}
    errors: list[CellProblem] = []
    unknown = []
    for name, text in raw.items():
        if not name.startswith("v-"):
            continue
        try:
            _prefix, village_id, service_id = name.split("-")
            key = (int(village_id), int(service_id))
        except ValueError:
            unknown.append(name)
            continue
        if key[0] not in village_by_id or key[1] not in service_by_id:
            unknown.append(name)
            continue
        village, service = village_by_id[key[0]], service_by_id[key[1]]
        comment = (raw.get(f"c-{key[0]}-{key[1]}") or "").strip()
        seen = seen_of(raw, key)
        # No thousands separators: "1.234" could be a decimal; asking is safer than guessing.
        text = (text or "").strip().replace(" ", "")
        if text == "":
            cells[key] = CellInput(None, comment, seen)
            continue
        if text.startswith("-") and text[1:].isdigit():
            errors.append(
                CellProblem(village, service, _("a number of people cannot be negative."))
            )
        elif not text.isdigit():
            errors.append(
                CellProblem(
                    village,
                    service,
                    _("“%(text)s” is not a whole number of people.") % {"text": text},
                )
            )
        elif int(text) > 1_000_000:
            errors.append(CellProblem(village, service, _("the number is implausibly large.")))
        else:
            cells[key] = CellInput(int(text), comment, seen)
    if unknown:
        raise ValidationError(
            _("The form has cells for a desa or service outside this report: %(cells)s.")
            % {"cells": ", ".join(unknown[:5])}
        )
    return cells, errors


def report_warnings(
    *,
    report: MonthlyReport,
    cells: Mapping[Cell, CellInput] | None = None,
    values: QuerySet[MonthlyValue] | None = None,
    grid: Grid | None = None,
    history: Mapping[Cell, list[int]] | None = None,
    people: Mapping[tuple[int, int], int] | None = None,
) -> list[CellProblem]:
    """Warnings on the report's values (or on `cells` about to be saved); a few queries in all.

    - year to date over the annual target of record;
    - far from the desa's own history (ReportingYear.outlier_factor x the median of the
      12 months before, once there are outlier_min_months of history);
    - year to date over the population of the service's age band.

    Earlier months come from `values` when given (a reader's `readable_values`), else from all;
    `grid` (and the cells' `history`, the desa's `people` per age band) are the page's, when
    it has read them already (a list of many reports reads them once for all).
    """
    if cells is None:
        cells = {
            (v.village_id, v.service_id): CellInput(v.value, v.comment) for v in report.values.all()
        }
    if grid is None:
        grid = report_grid(report, values=values, service_ids={key[1] for key in cells})
    villages = {v.pk: v for v in grid.villages}
    services = {s.pk: s for s in grid.services}
    reported = {key: cell.value for key, cell in cells.items() if cell.value is not None}
    settings, before, targets = grid.settings, grid.before, grid.targets
    if people is None:
        people = populations({key[0] for key in reported}, report.year)
    if history is None:
        history = history_before(report, set(reported), values=values)
    factor = float(settings.outlier_factor)
    problems = []
    for key, value in sorted(reported.items()):
        village, service = villages.get(key[0]), services.get(key[1])
        if village is None or service is None:
            continue
        ytd = before.get(key, 0) + value
        target = targets.get(key)
        if target is not None and ytd > target:
            problems.append(
                CellProblem(
                    village,
                    service,
                    _("year to date %(ytd)s is over the annual target %(target)s.")
                    % {"ytd": ytd, "target": target},
                    "target",
                )
            )
        past = history.get(key, [])
        if len(past) >= settings.outlier_min_months:
            median = statistics.median(past)
            if value > factor * max(median, 1) or (median >= 10 and value < median / factor):
                problems.append(
                    CellProblem(
                        village,
                        service,
                        _("%(value)s is far from this desa's usual %(median)s a month.")
                        % {"value": value, "median": int(median)},
                        "history",
                    )
                )
        band_id = service.population_band_id
        cap = people.get((key[0], band_id)) if band_id else None
        if cap is not None and ytd > cap:
            problems.append(
                CellProblem(
                    village,
                    service,
                    _("year to date %(ytd)s is more than the %(people)s people of this age group.")
                    % {"ytd": ytd, "people": cap},
                    "age_group",
                )
            )
    return problems


# --- Saving values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellConflict:
    """A cell someone else wrote after the version the save was based on, with their value."""

    village: Village
    service: SPMService
    value: int | None
    comment: str
    by: str
    at: datetime.datetime

    @property
    def problem(self) -> CellProblem:
        """The conflict as a message at its cell: who saved what, when."""
        value = "–" if self.value is None else str(self.value)
        message = _("%(who)s saved %(value)s at %(when)s, after you opened the page.") % {
            "who": self.by,
            "value": value,
            "when": formats.time_format(timezone.localtime(self.at), "H:i"),
        }
        return CellProblem(self.village, self.service, message)

    def __str__(self) -> str:
        return str(self.problem)


class CellConflicts(ValidationError):
    """Refused save: these cells changed since the version it was based on; nothing was saved."""

    def __init__(self, conflicts: list[CellConflict]):
        self.conflicts = conflicts
        super().__init__(
            [_("Someone else changed these cells since you opened them; nothing was saved:")]
            + [str(conflict) for conflict in conflicts],
            code="conflict",
        )


def _conflict(value: MonthlyValue, villages, services) -> CellConflict:
    editor = value.updated_by
    return CellConflict(
        village=villages[value.village_id],
        service=services[value.service_id],
        value=value.value,
        comment=value.comment,
        by=(editor.get_full_name() or editor.username) if editor else "?",
        at=value.updated_at,
    )


def _claim(report: MonthlyReport, *, by: User) -> None:
    """Bump the report's version for this write (the row stays locked until the transaction
    ends, so concurrent saves of one report queue), or refuse if it is no longer editable."""
    audit.claim(
        report,
        by=by,
        source=MonthlyReport.EDITABLE_STATUSES,
        refused=_("This report is %(status)s now and can no longer be changed."),
    )


@transaction.atomic
def report_save(
    *,
    report: MonthlyReport,
    cells: Mapping[Cell, CellInput],
    version: int,
    by: User,
    reason: str = "",
    action: str = Action.SAVED,
) -> SaveResult:
    """Save changed cells of an editable report; atomic.

    Conflicts are per cell: a cell this save changes that someone else wrote since the user saw
    it refuses the whole save (CellConflicts, with their value and who); saves of other cells
    never conflict. What the user saw is the cell's `seen` when the page sent it, else the cell
    as of the report's `version` the page was read at. Each change
    is audited (who, when, old, new); once a report has been submitted, changes need a reason.
    Returns how many cells changed, the report's new version and the warnings now on the cells.
    """
    if not can_enter_report(by, report):
        raise PermissionDenied(_("Only the puskesmas's own staff can enter its data."))
    _claim(report, by=by)  # first: what is read below is read under the report's lock
    rows = report.values.all()
    if len(cells) <= 24:  # a cell save reads its cells only, a full form the whole grid
        keys = Q()
        for village_id, service_id in cells:
            keys |= Q(village_id=village_id, service_id=service_id)
        rows = rows.filter(keys) if cells else rows.none()
    existing = {(v.village_id, v.service_id): v for v in rows}
    changes, stale = [], []
    for key, cell in cells.items():
        old = existing.get(key)
        stored = (old.value, old.comment) if old else (None, "")
        typed = (cell.value, cell.comment)
        if typed == stored or typed == cell.seen:
            continue  # unchanged, or changed by someone else only: theirs stays
        changes.append((key, old, cell))
        moved = (
            stored != cell.seen if cell.seen is not None else bool(old and old.version > version)
        )
        if old is not None and moved:
            stale.append(old)
    if stale:
        villages = {v.pk: v for v in Village.objects.filter(pk__in={v.village_id for v in stale})}
        services = {
            s.pk: s for s in SPMService.objects.filter(pk__in={v.service_id for v in stale})
        }
        raise CellConflicts([_conflict(v, villages, services) for v in stale])
    if changes and report.first_submitted_at and not reason.strip():
        raise ValidationError(_("This report was submitted before: say why the values change."))
    now = timezone.now()
    new_rows, updated_rows, value_changes = [], [], []
    for (village_id, service_id), old, cell in changes:
        value_changes.append(
            ValueChange(
                report=report,
                village_id=village_id,
                service_id=service_id,
                old_value=old.value if old else None,
                old_comment=old.comment if old else "",
                new_value=cell.value,
                new_comment=cell.comment,
                status=report.status,
                reason=reason.strip(),
                changed_by=by,
                changed_at=now,
            )
        )
        if old is None:
            new_rows.append(
                MonthlyValue(
                    report=report,
                    village_id=village_id,
                    service_id=service_id,
                    value=cell.value,
                    comment=cell.comment,
                    updated_by=by,
                    updated_at=now,
                    version=report.version,
                )
            )
        else:
            old.value, old.comment, old.updated_by, old.updated_at = (
                cell.value,
                cell.comment,
                by,
                now,
            )
            old.version = report.version
            updated_rows.append(old)
    MonthlyValue.objects.bulk_create(new_rows)
    written = ["value", "comment", "updated_by", "updated_at", "version"]
    if len(updated_rows) <= 3:  # a cell save: plain UPDATEs are cheaper than bulk_update's CASE
        for row in updated_rows:
            row.save(update_fields=written)
    else:
        MonthlyValue.objects.bulk_update(updated_rows, written)
    ValueChange.objects.bulk_create(value_changes)
    if changes:
        audit.record(report, action=action, by=by, reason=reason, data={"version": report.version})
    return SaveResult(changed=len(changes), version=report.version)


# --- Workflow -----------------------------------------------------------------------------------


def _require_reviewer(report: MonthlyReport, by: User) -> None:
    if not can_review_report(by, report):
        raise PermissionDenied(_("Only the district's planners can do this."))


def submit_refusal(
    report: MonthlyReport, *, today: datetime.date, settings: ReportingYear | None = None
) -> str:
    """Why `report` cannot be submitted on `today` because of its month, or "": a month is
    submitted once it has ended, unless its reporting year allows early submission (#15)."""
    settings = settings or reporting_year(report.year)
    if settings.allow_early_submission or settings.has_ended(report.month, today):
        return ""
    first = datetime.date(report.year, report.month, 1)
    next_month = (first + datetime.timedelta(days=31)).replace(day=1)
    return _(
        "%(month)s has not ended yet: its report can be submitted from %(date)s. "
        "Save it as a draft until then."
    ) % {
        "month": formats.date_format(first, "F Y"),
        "date": formats.date_format(next_month, "j F Y"),
    }


class BlankServices(ValidationError):
    """Refused submit: some services have no value for any desa; the user may confirm."""

    def __init__(self, *, blank: int, total: int):
        self.blank, self.total = blank, total
        super().__init__(
            _("%(blank)s of %(total)s services have no value for any desa. Submit anyway?")
            % {"blank": blank, "total": total},
            code="blank_services",
        )


def blank_services(report: MonthlyReport) -> tuple[int, int]:
    """(services with no value for any desa, services of the year) of a report (two queries)."""
    services = {s.pk for s in monthly_services(report.year)}
    reported = set(
        report.values.filter(value__isnull=False, service_id__in=services)
        .values_list("service_id", flat=True)
        .distinct()
    )
    return len(services - reported), len(services)


@transaction.atomic
def report_submit(
    *,
    report: MonthlyReport,
    version: int,
    by: User,
    allow_blank: bool = False,
    today: datetime.date | None = None,
) -> None:
    """Submit a draft or returned report to the district; atomic. Refused before the month
    ends (unless the year allows it), while a warning has no comment, and while a service has
    no value for any desa unless `allow_blank` (the user confirmed: BlankServices says how many).
    """
    if not can_enter_report(by, report):
        raise PermissionDenied(_("Only the puskesmas's own staff can submit its report."))
    if report.version != version:
        raise ValidationError(_("The report changed since you opened it: reload the page."))
    if refusal := submit_refusal(report, today=today or timezone.localdate()):
        raise ValidationError(refusal, code="not_ended")
    if not report.values.filter(value__isnull=False).exists():
        raise ValidationError(_("Enter at least one value before submitting."))
    comments = {(v.village_id, v.service_id): v.comment for v in report.values.all()}
    missing = [
        problem
        for problem in report_warnings(report=report)
        if not comments.get((problem.village.pk, problem.service.pk), "").strip()
    ]
    if missing:
        raise ValidationError(
            [_("Explain these values in their comment before submitting:")]
            + [str(problem) for problem in missing]
        )
    if not allow_blank:
        blank, total = blank_services(report)
        if blank:
            raise BlankServices(blank=blank, total=total)
    now = timezone.now()
    was_returned = report.status == Status.RETURNED
    changed = (
        report.changes.filter(changed_at__gt=report.decided_at)
        .values("village_id", "service_id")
        .distinct()
        .count()
        if was_returned and report.decided_at
        else None
    )
    audit.transition(
        report,
        by=by,
        source=MonthlyReport.EDITABLE_STATUSES,
        target=Status.SUBMITTED,
        action=Action.SUBMITTED,
        version=version,
        fields={
            "submitted_at": now,
            "submitted_by": by,
            "first_submitted_at": report.first_submitted_at or now,
            "changes_since_return": changed,
        },
    )


def _return_notes(report: MonthlyReport, values: Iterable[Mapping]) -> list[dict]:
    """The per-value reasons of a return, checked: each names a cell of this report's grid
    (its working area's desa x the year's monthly services) and gives a reason; one per cell."""
    values = list(values)
    if not values:
        return []
    village_ids = {v.pk for v in working_area(report.puskesmas)}
    service_ids = {s.pk for s in monthly_services(report.year)}
    notes: dict[Cell, dict] = {}
    for item in values:
        try:
            key = (int(item["village"]), int(item["service"]))
            text = str(item.get("reason") or "").strip()
        except (KeyError, TypeError, ValueError) as error:
            raise ValidationError(_("A value's reason must name its desa and service.")) from error
        if key[0] not in village_ids or key[1] not in service_ids:
            raise ValidationError(_("A value's reason names a cell outside this report."))
        if not text:
            raise ValidationError(_("Say what is wrong with each value you mark."))
        notes[key] = {"village": key[0], "service": key[1], "reason": text[:500]}
    return list(notes.values())


@transaction.atomic
def report_return(
    *, report: MonthlyReport, by: User, reason: str, values: Iterable[Mapping] = ()
) -> None:
    """Send a submitted report back to the puskesmas with the reason it must fix, and a reason
    per value (`values`: {"village": id, "service": id, "reason": text}, only cells of this
    report) kept in the RETURNED event's data["values"]."""
    _require_reviewer(report, by)
    notes = _return_notes(report, values)
    audit.transition(
        report,
        by=by,
        source=[Status.SUBMITTED],
        target=Status.RETURNED,
        action=Action.RETURNED,
        reason=reason,
        reason_required=True,
        reason_message=_("Say why the report goes back: the puskesmas will read it."),
        data={"values": notes} if notes else None,
        fields={
            "return_reason": reason.strip(),
            "decided_at": timezone.now(),
            "decided_by": by,
        },
    )


@transaction.atomic
def report_approve(*, report: MonthlyReport, by: User) -> None:
    """Approve a submitted report; its values are then fixed unless the district unlocks it."""
    _require_reviewer(report, by)
    audit.transition(
        report,
        by=by,
        source=[Status.SUBMITTED],
        target=Status.APPROVED,
        action=Action.APPROVED,
        fields={"decided_at": timezone.now(), "decided_by": by},
    )
    achievement_refresh_later(report=report)


@transaction.atomic
def report_lock(*, report: MonthlyReport, by: User) -> None:
    """Lock an approved report (the period is closed)."""
    _require_reviewer(report, by)
    audit.transition(
        report,
        by=by,
        source=[Status.APPROVED],
        target=Status.LOCKED,
        action=Action.LOCKED,
        fields={"locked_at": timezone.now(), "locked_by": by},
    )


@transaction.atomic
def report_unlock(*, report: MonthlyReport, by: User, reason: str) -> None:
    """Reopen an approved or locked report for the puskesmas, with the reason recorded."""
    _require_reviewer(report, by)
    audit.transition(
        report,
        by=by,
        source=MonthlyReport.APPROVED_STATUSES,
        target=Status.DRAFT,
        action=Action.UNLOCKED,
        reason=reason,
        reason_required=True,
        reason_message=_("Say why the report is unlocked."),
        fields={"locked_at": None, "locked_by": None},
    )
    achievement_refresh_later(report=report)


def _pending_unlock(report: MonthlyReport) -> UnlockRequest | None:
    return report.unlock_requests.filter(status=UnlockRequest.Status.PENDING).first()


def _same_or_refuse(existing: UnlockRequest, *, by: User, reason: str) -> UnlockRequest:
    """The waiting request when this one repeats it (a double click, a resent form); a
    different request while one waits is refused."""
    if existing.requested_by_id == by.pk and existing.reason == reason:
        return existing
    raise ValidationError(_("An unlock request for this report is already waiting."))


@transaction.atomic
def unlock_request_create(*, report: MonthlyReport, by: User, reason: str) -> UnlockRequest:
    """A puskesmas asks to reopen its approved report; one pending request at a time.

    Idempotent: the same request posted again, even concurrently, returns the waiting one (the
    database's one-pending constraint decides the race) instead of failing.
    """
    if not can_enter_report(by, report):
        raise PermissionDenied(_("Only the puskesmas's own staff can ask for an unlock."))
    if not report.is_approved:
        raise ValidationError(_("Only an approved report needs an unlock."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say what must change and why."))
    if existing := _pending_unlock(report):
        return _same_or_refuse(existing, by=by, reason=reason)
    try:
        with transaction.atomic():  # a savepoint: the losing insert of a race rolls back alone
            request = UnlockRequest.objects.create(report=report, reason=reason, requested_by=by)
    except IntegrityError:
        existing = _pending_unlock(report)
        if existing is None:
            raise
        return _same_or_refuse(existing, by=by, reason=reason)
    audit.record(report, action=Action.UNLOCK_REQUESTED, by=by, reason=reason)
    return request


@transaction.atomic
def unlock_request_decide(*, request: UnlockRequest, by: User, grant: bool, answer: str) -> None:
    """The district grants (the report reopens) or refuses (with an answer) an unlock request."""
    report = request.report
    _require_reviewer(report, by)
    if not grant and not answer.strip():
        raise ValidationError(_("Say why the unlock is refused."))
    decided = UnlockRequest.objects.filter(
        pk=request.pk, status=UnlockRequest.Status.PENDING
    ).update(
        status=UnlockRequest.Status.GRANTED if grant else UnlockRequest.Status.REFUSED,
        answer=answer.strip(),
        decided_by=by,
        decided_at=timezone.now(),
    )
    if not decided:
        raise ValidationError(_("This request was already answered."))
    if grant:
        report_unlock(report=report, by=by, reason=answer.strip() or request.reason)
    else:
        audit.record(report, action=Action.UNLOCK_REFUSED, by=by, reason=answer)
