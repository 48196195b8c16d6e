"""The RUK workbook's sheets; its columns are declared once, in planning/importers.py."""

from __future__ import annotations

from django.utils.translation import gettext as _

from indicators.models import SPMService
from kernel.spreadsheets import safe_sheet_title

from ...selectors.sources import ukbm_label  # noqa: F401  (the template's and import's)

DATA_SHEET = "RUK"
META_SHEET = "Simpul"  # hidden: which plan, at which version, downloaded when
META_KIND = "ruk_activities"
MAX_ROWS = 500  # a RUK has fewer than 200 activities


def lists_title() -> str:
    return safe_sheet_title(_("Lists"))


def service_text(service: SPMService | None) -> str:
    return f"{service.number}. {service.label}" if service else ""
