"""One import pipeline for every spreadsheet import (issue #11, STYLE.md §15).

- reader.py: the streaming .xlsx reader with hard limits that no file can break;
- schema.py: a sheet declared once (columns, types, required, choices, lookups, limits);
- base.py: an importer = its sheet + who may import into what + the service it applies;
- runner.py: every import is an ImportJob run on Celery (eager without Redis), with progress,
  all rows or none, and a retry.

Writing a new importer is a declaration (a `SheetSpec` and an `Importer` subclass registered
with `@register`) plus a test; tests/hostile/ runs every registered importer on hostile files.
"""

from .base import Importer, Outcome, Target, importer_for, refusal, register  # noqa: F401
from .reader import FileRefused, Workbook  # noqa: F401
from .schema import (  # noqa: F401
    BadCell,
    Choice,
    Code,
    Column,
    Count,
    Date,
    DecimalNumber,
    Integer,
    Lookup,
    Parsed,
    Row,
    Rupiah,
    SheetSpec,
    Text,
    YesNo,
)
