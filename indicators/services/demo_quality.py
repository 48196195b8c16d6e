"""The quality part of the demo (issue #16): Hulu Sungai Utara's puskesmas fill, submit and
have approved their quality reports for two ended quarters of the demo year, through the
services, with realistic gaps: most goods nearly there, laboratory tests and newer items
(ultrasound, newborn screening) short, a village midwife or a posyandu kit missing here and
there, the later quarter a little better. Deterministic per puskesmas and item; idempotent.
"""

from __future__ import annotations

import random
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from kernel.models import District, User

from ..models import QualityItem, QualityReport, QualityValue
from .quality import (
    ValueInput,
    quality_report_approve,
    quality_report_open,
    quality_report_submit,
    quality_values_import,
)

# How much of the need a puskesmas typically has, by item code (the rest by kind): low, high.
SHORT = {
    "usg": (0.0, 0.5),
    "usg-dokter": (0.3, 0.7),
    "lab-gula-darah": (0.4, 0.8),
    "tes-hbsag": (0.5, 0.9),
    "tes-sifilis": (0.5, 0.9),
    "shk": (0.2, 0.6),
    "tcm": (0.4, 0.8),
    "kunjungan-nifas": (0.6, 0.9),
    "antipsikotik": (0.5, 0.9),
    "metformin": (0.6, 0.95),
    "amlodipin": (0.6, 0.95),
    "tes-kolesterol": (0.4, 0.8),
    "tenaga-gigi": (0.0, 1.0),
    "atlm": (0.0, 1.0),
}
BY_KIND = {
    QualityItem.Kind.GOODS: (0.75, 1.05),
    QualityItem.Kind.STAFF: (0.7, 1.0),
    QualityItem.Kind.FACILITY: (0.6, 1.0),
}


def _available(value: QualityValue, *, puskesmas_code: str, quarter: int) -> Decimal | None:
    if value.needed is None:
        return None
    item = value.item
    low, high = SHORT.get(item.code, BY_KIND[QualityItem.Kind(item.kind)])
    rng = random.Random(f"{puskesmas_code}-{item.service.number}-{item.code}")
    share = rng.uniform(low, high) + 0.05 * (quarter - 2)  # the later quarter a little better
    amount = value.needed * Decimal(str(max(0.0, share)))
    # Whole units: a puskesmas with most of one doctor has one; goods are counted down.
    whole = ROUND_HALF_UP if item.kind != QualityItem.Kind.GOODS else ROUND_DOWN
    return amount.quantize(Decimal(1), rounding=whole)


def demo_quality(*, district: District, planner: User, year: int, quarters: tuple[int, ...]) -> int:
    """Approved quality reports of `quarters` for every puskesmas of `district` with a head;
    a report already approved is left alone. Returns how many were approved now."""
    heads: dict[int, User] = {}
    for head in (
        User.objects.filter(
            puskesmas__district=district, role=User.Role.PUSKESMAS_HEAD, is_active=True
        )
        .select_related("puskesmas")
        .order_by("pk")
    ):
        if head.puskesmas_id is not None:
            heads.setdefault(head.puskesmas_id, head)
    approved = 0
    for head in heads.values():
        puskesmas = head.puskesmas
        assert puskesmas is not None  # a head of a puskesmas, chosen above
        for quarter in quarters:
            report = quality_report_open(puskesmas=puskesmas, year=year, quarter=quarter, by=head)
            if report.status == QualityReport.Status.APPROVED:
                continue
            if report.is_editable:
                values = QualityValue.objects.filter(report=report).select_related("item__service")
                rows = {
                    value.item_id: ValueInput(
                        needed=value.needed,
                        available=_available(value, puskesmas_code=puskesmas.code, quarter=quarter),
                        note=value.note,
                    )
                    for value in values
                }
                quality_values_import(report=report, rows=rows, by=head)
                report.refresh_from_db()
                quality_report_submit(report=report, version=report.version, by=head)
            quality_report_approve(report=report, by=planner)
            approved += 1
    return approved
