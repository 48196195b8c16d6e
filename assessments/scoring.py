"""How scored items add up, for every instrument (PKP management part, capacity assessment,
supervision checklist): a weighted mean of the items' scores within a section, then a weighted
mean of the sections, on the instrument's scale; and where a value ranks by the edition's bands.
Pure functions over plain values: the services call them and store what they return."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Scored:
    section_id: int
    section_weight: Decimal
    item_weight: Decimal
    score: Decimal | None  # None: not scored (left out of the mean)


def weighted_mean(pairs: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Mean of the values weighted by their weights, leaving out missing values and
    zero weights; None when nothing is left."""
    total = weight_sum = Decimal("0")
    for weight, value in pairs:
        if value is None or not weight:
            continue
        total += weight * value
        weight_sum += weight
    if not weight_sum:
        return None
    return (total / weight_sum).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def section_scores(rows: Iterable[Scored]) -> dict[int, Decimal | None]:
    """Each section's weighted mean of its scored items."""
    by_section: dict[int, list[tuple[Decimal, Decimal | None]]] = {}
    for row in rows:
        by_section.setdefault(row.section_id, []).append((row.item_weight, row.score))
    return {section: weighted_mean(pairs) for section, pairs in by_section.items()}


def total_score(rows: Iterable[Scored]) -> Decimal | None:
    """The weighted mean of the sections' scores (each section weighted by its weight)."""
    rows = list(rows)
    weights = {row.section_id: row.section_weight for row in rows}
    sections = section_scores(rows)
    return weighted_mean((weights[section], score) for section, score in sections.items())


def rank_for(value: Decimal | None, bands: Iterable[tuple[str, Decimal]]) -> str:
    """The rank of the band with the highest lower bound `value` reaches ('' when none or no
    value). `bands`: (rank, min_value) pairs of one part of one edition."""
    if value is None:
        return ""
    reached = [(low, rank) for rank, low in bands if value >= low]
    return max(reached)[1] if reached else ""
