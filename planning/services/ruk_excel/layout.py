"""The RUK workbook's layout (sheets, columns, headings) and how its cells read as text."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from indicators.models import SPMService
from indicators.spreadsheets import safe_sheet_title

from ...documents import RUK_HEADERS
from ..activities import FIELDS

DATA_SHEET = "RUK"
META_SHEET = "Simpul"  # hidden: which plan, at which version, downloaded when
META_KIND = "ruk_activities"
MAX_ROWS = 500  # a RUK has fewer than 200 activities
MAX_ERRORS = 200
MAX_BUDGET = Decimal(10) ** 15  # the budget column holds 15 digits
ID_HEADER = "ID"
# The template's columns after the ID, in the export's order (RUK_HEADERS minus "No." and origin).
HEADERS = RUK_HEADERS[1:16]
assert len(HEADERS) == len(FIELDS)
TEXT_FIELDS = tuple(
    name
    for name in FIELDS
    if name not in ("budget_idr", "funding_source", "service", "sub_activity")
)
SERVICE_NUMBER = re.compile(r"(\d{1,2})(?:\s*[.)]\s*.*)?", re.DOTALL)


def letter(name: str) -> str:
    """The column letter of an activity field (column A holds the ID)."""
    return get_column_letter(FIELDS.index(name) + 2)


def ruk_headers(language: str | None = None) -> list[str]:
    """The RUK sheet's headings in `language` (default: the active one)."""
    with translation.override(language or translation.get_language()):
        return [ID_HEADER, *(_(header) for header in HEADERS)]


def lists_title() -> str:
    return safe_sheet_title(_("Lists"))


def service_text(service: SPMService | None) -> str:
    return f"{service.number}. {service.label}" if service else ""


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):  # Excel turned a typed date into one
        value = value.date() if not (value.hour or value.minute) else value
    if isinstance(value, datetime.date):
        return (
            value.isoformat(sep=" ", timespec="minutes")
            if isinstance(value, datetime.datetime)
            else value.isoformat()
        )
    return str(value).strip()


def whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
