"""The monthly workbook's layout (sheets, headings) and who may import one."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import gettext_lazy

from ...models import MonthlyReport
from ...rights import can_import_monthly  # noqa: F401  (re-exported)

DATA_SHEET = "Data"
META_SHEET = "Simpul"  # hidden: what the file is and when it was downloaded
META_KIND = "monthly_values"
# A district's year in one file: every desa x 12 monthly services. The largest district has
# 852 desa (Aceh Utara, Kemendagri 2025: 10,224 rows); 15,000 leaves room and bounds the import's
# memory and time (bench/imports.py).
MAX_ROWS = 15_000
MAX_ERRORS = 200  # listed on the job page; more would hide the pattern, not help fix it

FIXED_COLUMNS = [
    gettext_lazy("Puskesmas code"),
    gettext_lazy("Village code"),
    gettext_lazy("Village"),
    gettext_lazy("Service code"),
    gettext_lazy("Service"),
    gettext_lazy("Annual target"),
]
COMMENT_COLUMN = gettext_lazy("Comment")
MONTH_HEADER = re.compile(r"(\d{4})-(\d{1,2})")
# "2026-03: posyandu closed; 2026-05: flood": one comment per month in a multi-month row.
COMMENT_MONTH = re.compile(r"(?:^|[;\n])\s*(\d{4})-(\d{1,2})\s*:")

Status = MonthlyReport.Status
Key = tuple[int, int]  # (puskesmas id, month)
Cell = tuple[int, int]  # (village id, service id)


def month_header(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def monthly_headers(*, year: int, months: Iterable[int], language: str | None = None) -> list[str]:
    """The Data sheet's headings in `language` (default: the active one)."""
    with translation.override(language or translation.get_language()):
        fixed = [str(header) for header in FIXED_COLUMNS]
        comment = str(COMMENT_COLUMN)
    return [*fixed, *(month_header(year, m) for m in months), comment]
