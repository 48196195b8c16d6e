"""The two workbooks' sheets and columns, in either language, and what an import reports."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from ...models import Meeting, Problem

MAX_ERRORS = 200  # more would hide the pattern, not help fix it
SPARE_ROWS = 300  # empty rows below the data that still get the dropdowns and formats
MAX_COST = 10**15  # rupiah; more is a typing slip
LISTS = gettext_lazy("Lists")


@dataclass(frozen=True)
class Layout:
    """One data sheet: its title and its (key, heading) columns; the hidden id column last."""

    sheet: object
    columns: tuple[tuple[str, object], ...]

    def headings(self, language: str | None = None) -> list[str]:
        with translation.override(language or translation.get_language()):
            return [str(heading) for _key, heading in self.columns]

    def titles(self) -> list[str]:
        """The sheet's title in the active language first, then in the other one."""
        titles = []
        for language in (translation.get_language(), "id", "en"):
            with translation.override(language):
                if str(self.sheet) not in titles:
                    titles.append(str(self.sheet))
        return titles

    def letter(self, key: str) -> str:
        return get_column_letter([k for k, _h in self.columns].index(key) + 1)


PARTICIPANTS = Layout(
    gettext_lazy("Participants"),
    (
        ("name", gettext_lazy("Name")),
        ("position", gettext_lazy("Position")),
        ("organisation", gettext_lazy("Organisation")),
        ("sector", gettext_lazy("Sector code")),
        ("phone", gettext_lazy("Phone")),
        ("attended", gettext_lazy("Present")),
        ("signs_agreement", gettext_lazy("Signs the agreement")),
        ("id", "id"),
    ),
)
RTL = Layout(
    "RTL",
    (
        ("problem", gettext_lazy("Problem no.")),
        ("activity", gettext_lazy("Activity")),
        ("goal", gettext_lazy("Goal")),
        ("target_group", gettext_lazy("Target group")),
        ("target", gettext_lazy("Target to reach")),
        ("due_on", gettext_lazy("Due date")),
        ("responsible", gettext_lazy("Person responsible")),
        ("sector", gettext_lazy("Sector code")),
        ("partner", gettext_lazy("Partner organisation")),
        ("cost_idr", gettext_lazy("Cost (Rp)")),
        ("funding_source", gettext_lazy("Funding source code")),
        ("success_indicator", gettext_lazy("Success indicator")),
        ("id", "id"),
    ),
)
PERSON_KEYS = ("name", "position", "organisation", "sector", "phone", "signs_agreement")


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int


def problem_numbers(meeting: Meeting) -> dict[int, Problem]:
    """The meeting's problems by their number (order of entry, as its problems list shows)."""
    problems = Problem.objects.filter(meeting=meeting).order_by("order", "pk")
    return dict(enumerate(problems, start=1))
