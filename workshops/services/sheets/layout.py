"""The two sheets, declared once on the import pipeline (kernel/imports): columns, types,
what is required, choices, lookups and limits. The templates (build.py) write them and the
importers (workshops/importers.py) read them, so a column exists in one place only.

The hidden trailing "id" column marks the rows Simpul wrote: a row with an id corrects that
row, a row without one is added. Its heading is "id" in both languages and an older template
may lack it (`optional_last`); a user's notes beside the rows are ignored (`spare_columns`).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.imports import BadCell, Choice, Column, Date, Lookup, Rupiah, SheetSpec, Text, YesNo
from kernel.imports.reader import short
from kernel.imports.schema import text_of
from kernel.models import FundingSource, PartnerOrganisation, ServicePoint

from ...models import SECTOR_CHOICES, FollowUp, Meeting, Participant, Problem

SPARE_ROWS = 300  # empty rows below the data that still get the dropdowns and formats
SPARE_COLUMNS = 20  # columns right of the template's that may hold a user's notes (ignored)
LISTS = gettext_lazy("Lists")


# --- Cell types of these two sheets --------------------------------------------------------------


class ListCode(Choice):
    """A code of the Lists sheet, or its label in either language (fixed choices, so their
    codes are worked out once, not for every cell)."""

    _codes: dict[str, str] | None = None

    def codes(self) -> dict[str, str]:
        if self._codes is None:
            self._codes = super().codes()
        return self._codes

    def __call__(self, value: object, context: Mapping) -> str:
        try:
            return super().__call__(value, context)
        except BadCell:
            message = _("unknown code “%(code)s”; use a code from the %(sheet)s sheet.")
            raise BadCell(message % {"code": short(text_of(value)), "sheet": LISTS}) from None


class Attendance(YesNo):
    """Present: Yes, No, or empty while attendance is not taken."""

    def __init__(self) -> None:
        super().__init__(empty=None)

    def __call__(self, value: object, context: Mapping) -> bool | None:
        try:
            return super().__call__(value, context)
        except BadCell:
            raise BadCell(_("write Yes or No, or leave it empty.")) from None


class HiddenId:
    """The id Simpul wrote in the hidden column; whether it is one of the meeting's rows is
    checked when the rows are applied, with the meeting locked."""

    def __call__(self, value: object, context: Mapping) -> int | None:
        text = text_of(value)
        if not text:
            return None
        if text.isascii() and text.isdigit() and len(text) <= 18:
            return int(text)
        message = _("the hidden id “%(text)s” was not written by Simpul; clear it.")
        raise BadCell(message % {"text": short(text)})


class ProblemNumber(Lookup):
    """One of the meeting's problems by its number ("2" or "2."), from `context["problems"]`."""

    def __init__(self) -> None:
        super().__init__("problems", "")

    def __call__(self, value: object, context: Mapping) -> Problem | None:
        text = text_of(value).rstrip(".")
        if not text:
            return None
        found = context[self.name].get(text)
        if found is None:
            message = _("there is no problem %(number)s in this meeting's problems list.")
            raise BadCell(message % {"number": short(text)})
        return found


class PartnerName(Lookup):
    """A partner organisation the user may name, by name or short name, case-blind, from
    `context["partners"]`."""

    def __init__(self) -> None:
        super().__init__("partners", "")

    def __call__(self, value: object, context: Mapping) -> PartnerOrganisation | None:
        text = text_of(value)
        if not text:
            return None
        found = context[self.name].get(text.casefold())
        if found is None:
            message = _(
                "unknown partner organisation “%(name)s”; use a name from the %(sheet)s sheet."
            )
            raise BadCell(message % {"name": short(text), "sheet": LISTS})
        return found


class ServicePointName(Lookup):
    """A posyandu or other UKBM of the meeting's area by its name, case-blind, or by its name
    and desa as the Lists sheet writes it when two share a name (`context["service_points"]`,
    from `service_point_names`)."""

    def __init__(self) -> None:
        super().__init__("service_points", "")

    def __call__(self, value: object, context: Mapping) -> ServicePoint | None:
        text = text_of(value)
        if not text:
            return None
        found = context[self.name].get(" ".join(text.split()).casefold())
        if found is None:
            message = _(
                "unknown posyandu or UKBM “%(name)s” in the meeting's area; use a name from the "
                "%(sheet)s sheet."
            )
            raise BadCell(message % {"name": short(text), "sheet": LISTS})
        if found is AMBIGUOUS:
            message = _(
                "several posyandu or UKBM are named “%(name)s”; write the name with its desa as "
                "the %(sheet)s sheet does."
            )
            raise BadCell(message % {"name": short(text), "sheet": LISTS})
        return found


AMBIGUOUS = object()  # a name two UKBM of the area share


def service_point_names(points) -> tuple[dict[ServicePoint, str], dict[str, object]]:
    """How the sheet writes each UKBM (its name, or "name (desa)" when the name is shared), and
    the names an importer accepts (both forms, case-blind; a shared bare name is AMBIGUOUS)."""
    points = list(points)

    def key(text: str) -> str:
        return " ".join(text.split()).casefold()

    counts: dict[str, int] = {}
    for point in points:
        counts[key(point.name)] = counts.get(key(point.name), 0) + 1
    written: dict[ServicePoint, str] = {}
    accepted: dict[str, object] = {}
    for point in points:
        shared = counts[key(point.name)] > 1
        accepted[key(point.name)] = AMBIGUOUS if shared else point
        full = f"{point.name} ({point.village.name})" if point.village_id else point.name
        written[point] = full if shared else point.name
    for point in points:  # the name with its desa is always accepted, and wins
        if point.village_id:
            accepted[key(f"{point.name} ({point.village.name})")] = point
    return written, accepted


def _text(model: type[models.Model], key: str) -> Text:
    """Text as long as the model's field allows."""
    field = model._meta.get_field(key)
    assert isinstance(field, models.CharField) and field.max_length is not None  # text columns
    return Text(field.max_length)


# --- The sheets -----------------------------------------------------------------------------------

ID = Column("id", "id", HiddenId())

PARTICIPANTS = SheetSpec(
    title=gettext_lazy("Participants"),
    columns=(
        Column("name", gettext_lazy("Name"), _text(Participant, "name"), required=True),
        Column("position", gettext_lazy("Position"), _text(Participant, "position")),
        Column("organisation", gettext_lazy("Organisation"), _text(Participant, "organisation")),
        Column("sector", gettext_lazy("Sector code"), ListCode(SECTOR_CHOICES), required=True),
        Column("phone", gettext_lazy("Phone"), _text(Participant, "phone")),
        Column("attended", gettext_lazy("Present"), Attendance()),
        Column("signs_agreement", gettext_lazy("Signs the agreement"), YesNo(empty=False)),
        ID,
    ),
    max_rows=5_000,
    spare_columns=SPARE_COLUMNS,
    optional_last=True,
)

RTL = SheetSpec(
    title="RTL",
    columns=(
        Column("problem", gettext_lazy("Problem no."), ProblemNumber()),
        Column("activity", gettext_lazy("Activity"), _text(FollowUp, "activity"), required=True),
        Column("goal", gettext_lazy("Goal"), _text(FollowUp, "goal")),
        Column("target_group", gettext_lazy("Target group"), _text(FollowUp, "target_group")),
        Column("target", gettext_lazy("Target to reach"), _text(FollowUp, "target")),
        Column("due_on", gettext_lazy("Due date"), Date(), required=True),
        Column(
            "responsible",
            gettext_lazy("Person responsible"),
            _text(FollowUp, "responsible"),
            required=True,
        ),
        Column("sector", gettext_lazy("Sector code"), ListCode(SECTOR_CHOICES)),
        Column("partner", gettext_lazy("Partner organisation"), PartnerName()),
        # Negative costs are left to the service, which refuses them with the form's message.
        Column("cost_idr", gettext_lazy("Cost (Rp)"), Rupiah()),
        Column(
            "funding_source",
            gettext_lazy("Funding source code"),
            ListCode(FundingSource.choices),
        ),
        Column(
            "success_indicator",
            gettext_lazy("Success indicator"),
            _text(FollowUp, "success_indicator"),
        ),
        # Issue #17: optional, a posyandu or other UKBM of the meeting's area by its name.
        Column("service_point", gettext_lazy("Posyandu or UKBM"), ServicePointName()),
        ID,
    ),
    max_rows=5_000,
    spare_columns=SPARE_COLUMNS,
    optional_last=True,
)


def problem_numbers(meeting: Meeting) -> dict[int, Problem]:
    """The meeting's problems by their number (order of entry, as its problems list shows)."""
    problems = Problem.objects.filter(meeting=meeting).order_by("order", "pk")
    return dict(enumerate(problems, start=1))
