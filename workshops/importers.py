"""The imports of the workshops app, declared on the one pipeline (kernel/imports).

A meeting's participants and its RTL items, from the templates services/sheets builds (whose
sheets are declared once in services/sheets/layout.py). Each runs as an ImportJob into one
meeting (params {"meeting": id}) that the user runs and that is not closed, and applies every
row through the services the forms use, so a file can do nothing the forms would refuse.
Rows with an id correct that row, rows without one are added, rows left out are kept; an RTL
item's status is never imported (`tracking` owns it).

The problems of a file's cells are listed together with what the services refuse in its
rows, so one upload lists everything to fix.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.imports import Importer, Outcome, Parsed, Row, SheetSpec, Target, refusal, register
from kernel.imports.schema import MAX_ERRORS
from kernel.models import ImportJob, PartnerOrganisation
from kernel.scoping import in_area
from kernel.spreadsheets import CellError

from .models import FollowUp, Meeting, Participant
from .selectors.outcomes import partners_of_meeting
from .services.items import FOLLOW_UP_FIELDS, follow_up_save
from .services.participants import (
    PERSON_FIELDS,
    attendance_take,
    lock_open_for_participants,
    participant_add,
    participant_update,
)
from .services.problems import lock_open_meeting
from .services.sheets.build import rtl_service_points
from .services.sheets.layout import PARTICIPANTS, RTL, problem_numbers, service_point_names

# The RTL form's fields less the root cause, which the file has no column for.
RTL_FIELDS = tuple(field for field in FOLLOW_UP_FIELDS if field != "root_cause")
TEXTS = {
    "name",
    "position",
    "organisation",
    "sector",
    "phone",
    "activity",
    "goal",
    "target_group",
    "target",
    "responsible",
    "funding_source",
    "success_indicator",
}


class MeetingImporter(Importer):
    """Rows of one meeting's sheet: its target, the hidden ids and the located refusals."""

    sheet: SheetSpec
    page: str  # URL name of the meeting's page the job leads back to

    @abstractmethod
    def lock(self, meeting: Meeting, *, by) -> Meeting:
        """The meeting locked for this transaction, with the service's own rights check."""

    def target(self, *, user, params: Mapping) -> Target:
        try:
            pk = int(params.get("meeting"))
        except (TypeError, ValueError):
            pk = None
        meeting = (
            in_area(Meeting.objects.select_related("puskesmas"), user).filter(pk=pk).first()
            if pk
            else None
        )
        if meeting is None:
            raise PermissionDenied(_("You are not allowed to import into this."))
        with transaction.atomic():
            meeting = self.lock(meeting, by=user)  # PermissionDenied, or closed: ValidationError
        level = meeting.level
        return Target(
            province_id=meeting.province_id if level == "province" else None,
            district_id=meeting.district_id if level != "province" else None,
            puskesmas_id=meeting.puskesmas_id if level == "puskesmas" else None,
            label=meeting.title,
            back_url=reverse(self.page, args=[meeting.pk]),
            obj=meeting,
        )

    def parse(self, workbook, *, user, params: Mapping, target: Target) -> Parsed:
        parsed = super().parse(workbook, user=user, params=params, target=target)
        if parsed.rows and len(parsed.errors) <= MAX_ERRORS:
            # Bad cells are reported with what the services refuse in the same file: `apply`
            # checks every row and refuses the whole file with all the problems.
            parsed.extra, parsed.errors = parsed.errors, []
        return parsed

    # --- Helpers for apply ------------------------------------------------------------------

    def located(self, parsed: Parsed, errors: list, row: Row, key: str | None, message) -> None:
        if key:
            row.bad.add(key)
        column = self.sheet.letter(key) if key else None
        errors.append(CellError(parsed.sheet, row.number, column, str(message)))

    def refused(self, parsed: Parsed, errors: list, row: Row, error: ValidationError) -> None:
        """A service's refusal, at the column of each field it names (a root cause at its
        problem's), unless that cell's own problem is listed already."""
        keys = {column.key for column in self.sheet.columns}
        fields = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for field, messages in fields.items():
            key = "problem" if field == "root_cause" else field if field in keys else None
            if key is None or key not in row.bad:
                for message in messages:
                    self.located(parsed, errors, row, key, message)

    def existing(self, parsed: Parsed, errors: list, row: Row, saved: dict, seen: dict):
        """The saved row the hidden id names (None for a new row); False when the id is wrong."""
        pk = row["id"]
        if "id" in row.bad:
            return False
        if pk is None:
            return None
        if pk in seen:
            message = _("the hidden id is also in row %(row)s; clear it in the copied row.")
            self.located(parsed, errors, row, "id", message % {"row": seen[pk]})
            return False
        seen[pk] = row.number
        if pk not in saved:
            message = _("the hidden id %(id)s is not of this meeting; clear it.")
            self.located(parsed, errors, row, "id", message % {"id": pk})
            return False
        return saved[pk]

    @staticmethod
    def values(row: Row, keys) -> dict:
        """The row's values for `keys`, an empty or refused text as ""."""
        return {key: (row[key] or "") if key in TEXTS else row[key] for key in keys}

    @staticmethod
    def outcome(added: int, updated: int, rows: int) -> Outcome:
        counts = {"added": added, "updated": updated, "unchanged": rows - added - updated}
        summary = (
            _("Import done: %(added)s added, %(updated)s updated, %(unchanged)s unchanged.")
            % counts
        )
        return Outcome(summary=summary, done=added + updated, details=counts)


@register
class ParticipantsImporter(MeetingImporter):
    """A meeting's participants and their attendance: added, or corrected by their id."""

    kind = ImportJob.Kind.PARTICIPANTS
    sheet = PARTICIPANTS
    page = "workshops:meeting-participants"

    def lock(self, meeting: Meeting, *, by) -> Meeting:
        return lock_open_for_participants(meeting, by=by)

    def apply(self, *, rows: list[Row], parsed, user, params, target, progress) -> Outcome:
        meeting = self.lock(target.obj, by=user)
        errors: list[CellError] = list(parsed.extra or [])
        saved = {p.pk: p for p in Participant.objects.filter(meeting=meeting)}
        seen: dict[int, int] = {}
        marks: dict[int, tuple[bool | None, bool]] = {}
        added = updated = 0
        for index, row in enumerate(rows):
            participant = self.existing(parsed, errors, row, saved, seen)
            data = self.values(row, PERSON_FIELDS)
            data["signs_agreement"] = bool(row["signs_agreement"])
            attended = row["attended"]
            if participant is False:
                continue
            try:
                if participant is None:
                    participant = participant_add(meeting=meeting, by=user, data=data)
                    added += 1
                else:
                    participant.meeting = meeting
                    person_changed = any(getattr(participant, k) != data[k] for k in PERSON_FIELDS)
                    if person_changed or participant.attended != attended:
                        updated += 1
                    if person_changed:
                        # Read in this transaction: the file's edit is made at its version.
                        participant_update(
                            participant=participant,
                            by=user,
                            data=data,
                            version=participant.version,
                        )
            except ValidationError as error:
                self.refused(parsed, errors, row, error)
                continue
            marks[participant.pk] = (attended, data["signs_agreement"])
            progress(index + 1, len(rows))
        if errors:
            raise refusal(errors)
        attendance_take(meeting=meeting, by=user, marks=marks)
        return self.outcome(added, updated, len(rows))


def _partner_names(meeting: Meeting, user) -> dict[str, PartnerOrganisation]:
    """Partners the user can name, by name or short name (case-blind); the meeting's own win."""
    ours = set(partners_of_meeting(meeting).values_list("pk", flat=True))
    partners = sorted(in_area(PartnerOrganisation.objects.all(), user), key=lambda p: p.pk in ours)
    names = {p.short_name.casefold(): p for p in partners if p.short_name}
    return names | {p.name.casefold(): p for p in partners}


def _service_point_names(meeting: Meeting, user) -> dict[str, object]:
    """The posyandu and other UKBM the file may name (issue #17), by the names the template
    writes: those of the meeting's area the user may see, active or named by an item."""
    used = set(
        FollowUp.objects.filter(meeting=meeting, service_point__isnull=False).values_list(
            "service_point_id", flat=True
        )
    )
    return service_point_names(rtl_service_points(meeting, user, used))[1]


def _unchanged(item: FollowUp, values: dict) -> bool:
    partner = values["partner"]
    for key, value in values.items():
        if key in ("problem", "partner", "service_point"):
            value, key = (value.pk if value else None), f"{key}_id"
        elif key == "sector" and not value and partner and item.sector == partner.sector:
            continue  # the service filled the empty sector from the partner
        if getattr(item, key) != value:
            return False
    return True


@register
class RtlItemsImporter(MeetingImporter):
    """A meeting's RTL items, each checked by `follow_up_save` as the form is; statuses stay."""

    kind = ImportJob.Kind.RTL_ITEMS
    sheet = RTL
    page = "workshops:meeting-rtl"

    def lock(self, meeting: Meeting, *, by) -> Meeting:
        return lock_open_meeting(meeting, by=by)

    def lookups(self, *, user, params, target) -> dict:
        meeting = target.obj
        return {
            "problems": {str(n): p for n, p in problem_numbers(meeting).items()},
            "partners": _partner_names(meeting, user),
            "service_points": _service_point_names(meeting, user),
        }

    def apply(self, *, rows: list[Row], parsed, user, params, target, progress) -> Outcome:
        meeting = self.lock(target.obj, by=user)
        errors: list[CellError] = list(parsed.extra or [])
        saved = {
            i.pk: i for i in FollowUp.objects.filter(meeting=meeting).select_related("root_cause")
        }
        seen: dict[int, int] = {}
        added = updated = 0
        for index, row in enumerate(rows):
            item = self.existing(parsed, errors, row, saved, seen)
            values = self.values(row, RTL_FIELDS)
            if item is False or (item is not None and not row.bad and _unchanged(item, values)):
                continue
            is_new = item is None
            item = item or FollowUp(meeting=meeting)
            for key, value in values.items():
                setattr(item, key, value)
            if item.root_cause_id and item.root_cause.problem_id != item.problem_id:
                item.root_cause = None  # the file has no root cause column: keep one that fits
            try:
                # Read in this transaction: the file's edit is made at the row's version.
                follow_up_save(follow_up=item, by=user, version=item.version)
            except ValidationError as error:
                self.refused(parsed, errors, row, error)
                continue
            added, updated = added + is_new, updated + (not is_new)
            progress(index + 1, len(rows))
        if errors:
            raise refusal(errors)
        return self.outcome(added, updated, len(rows))
