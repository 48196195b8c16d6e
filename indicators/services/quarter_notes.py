"""What a district planner writes for a quarter's e-SPM report, per SPM service (issue #5): the
four implementation stages, problems and planned actions."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.models import District, User
from kernel.versioning import StaleEdit

from ..models import QuarterServiceNote, SPMService
from ..rights import can_review_report

# The note's budget fields are no longer written: the quarterly report reads the budget through
# indicators.budget (issue #16).
NOTE_FIELDS = (
    "stage_data",
    "stage_needs",
    "stage_plan",
    "stage_delivery",
    "problems",
    "planned_actions",
)


@transaction.atomic
def quarter_notes_save(
    *, district: District, year: int, quarter: int, notes: Mapping[SPMService, dict], by: User
) -> int:
    """Create or update the notes of several services at once; atomic, and idempotent under
    concurrent identical posts; district planners only. A note saved by someone else since
    the version in its values is refused whole (StaleEdit), nothing saved.

    Returns how many notes changed.
    """
    if not can_review_report(by, district):
        raise PermissionDenied(_("Only the district's planners can write the quarterly report."))
    # The district's row lock serialises two saves of its notes: the second sees the notes the
    # first created and updates them, instead of inserting the same note twice.
    list(District.objects.select_for_update().filter(pk=district.pk).values_list("pk"))
    existing = {
        note.service_id: note
        for note in QuarterServiceNote.objects.select_for_update().filter(
            district=district, year=year, quarter=quarter
        )
    }
    changed = 0
    for service, values in notes.items():
        note = existing.get(service.pk) or QuarterServiceNote(
            district=district, service=service, year=year, quarter=quarter
        )
        if note.pk and all(
            getattr(note, f) == values.get(f, getattr(note, f)) for f in NOTE_FIELDS
        ):
            continue
        if not note.pk and all(values.get(f) in (None, "") for f in NOTE_FIELDS):
            continue  # nothing written for this service
        if note.pk and values.get("version", note.version) != note.version:
            # Saved (or first written) by someone else since this form was opened.
            mine = QuarterServiceNote(**{f: values.get(f, getattr(note, f)) for f in NOTE_FIELDS})
            raise StaleEdit(current=note, mine=mine, fields=NOTE_FIELDS)
        for field in NOTE_FIELDS:
            if field in values:
                setattr(note, field, values[field])
        note.full_clean(exclude=["version", "updated_by"])
        note.version = note.version + 1 if note.pk else 1
        note.updated_by = by
        note.save()
        changed += 1
    return changed
