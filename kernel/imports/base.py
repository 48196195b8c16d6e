"""An importer is a declaration: its sheet, who may run it on what, and the service it applies.

Every spreadsheet import of Simpul is one `Importer` registered under its `ImportJob.Kind`.
The runner (runner.py) reads the upload safely, types its rows by the declared `SheetSpec`,
and hands them to `apply`, which writes through the entity's own service (the one its form
uses), inside one transaction that any problem rolls back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Model

from ..models import User
from ..spreadsheets import CellError
from .schema import Parsed, Row, SheetSpec, capped

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Target:
    """What a job imports into: its area (for scoping the job) and a label for its page."""

    province_id: int | None = None
    district_id: int | None = None
    puskesmas_id: int | None = None
    label: str = ""
    back_url: str = ""  # the page the job page leads back to
    obj: Model | None = None


@dataclass
class Outcome:
    """What an import did, for the job's page: counts and a sentence in the user's language."""

    summary: str
    done: int = 0
    details: dict[str, Any] = field(default_factory=dict)


class Importer(ABC):
    """Subclass, declare `kind`, `sheet`, and implement `target`, `lookups` and `apply`."""

    kind: ClassVar[str]
    sheet: ClassVar[SheetSpec]
    # A template the job page includes under the summary to show the result (optional).
    result_template: ClassVar[str | None] = None
    # What the upload is: "xlsx" (parse gets a reader.Workbook); anything else (e.g. "json")
    # gets a reader.RawFile, which parse reads with a hardened parser (defusedxml for XML). The
    # stored file's extension is this.
    file_kind: ClassVar[str] = "xlsx"

    @abstractmethod
    def target(self, *, user: User, params: Mapping) -> Target:
        """The object imported into, checked for `user` with the same rights as its forms:
        raises PermissionDenied or ValidationError (a closed meeting, a submitted plan)."""

    def lookups(self, *, user: User, params: Mapping, target: Target) -> dict[str, Any]:
        """Dictionaries the declared Lookup columns read (only objects `user` may use)."""
        return {}

    def parse(self, workbook, *, user: User, params: Mapping, target: Target) -> Parsed:
        """The typed rows (or errors). Importers with a dynamic layout override this."""
        return self.sheet.read(workbook, self.lookups(user=user, params=params, target=target))

    @abstractmethod
    def apply(
        self,
        *,
        rows: list[Row],
        parsed: Parsed,
        user: User,
        params: Mapping,
        target: Target,
        progress: Progress,
    ) -> Outcome:
        """Write the rows through the entity's services, in the runner's transaction. Raise
        ValidationError (located messages) to refuse the whole file; nothing is then saved."""


_REGISTRY: dict[str, Importer] = {}


def register(importer_class: type[Importer]) -> type[Importer]:
    """Class decorator: the runner finds the importer of a job by its kind."""
    _REGISTRY[importer_class.kind] = importer_class()
    return importer_class


def importer_for(kind: str) -> Importer:
    from django.apps import apps

    apps.check_apps_ready()
    return _REGISTRY[kind]


def refusal(errors: list[CellError]) -> ValidationError:
    """The located errors of a file as one ValidationError, capped and in file order."""
    return ValidationError(capped(errors))
