"""Rupiah as people read and type them: whole amounts, grouped the way the active language
groups thousands (1.500.000 in Bahasa Indonesia, 1,500,000 in English)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.formats import number_format

# Digits, optionally grouped in threes by dots, commas or spaces; an optional minus sign.
_GROUPED = re.compile(r"-?\d{1,3}(?:[., ]\d{3})+|-?\d+")


def rupiah(value: Decimal | int | None) -> str:
    """`value` grouped in the active language, without decimals; "" for None."""
    if value is None:
        return ""
    return number_format(value, decimal_pos=0, force_grouping=True)


def parse_rupiah(text: str) -> Decimal | None:
    """A whole amount typed as 1500000, 1.500.000, 1,500,000, "Rp 1.500.000" or -500; None when
    it is not a whole amount of rupiah (e.g. "1,5" or "satu juta")."""
    cleaned = re.sub(r"^rp\.?\s*", "", text.strip(), flags=re.IGNORECASE).strip()
    if not _GROUPED.fullmatch(cleaned):
        return None
    return Decimal(re.sub(r"[., ]", "", cleaned))
