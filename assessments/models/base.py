"""What the assessment records share: how they reach their area and where their audit events
are seen."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

PUSKESMAS_PATHS = {
    "province": "puskesmas__district__province",
    "district": "puskesmas__district",
    "puskesmas": "puskesmas",
}
DISTRICT_PATHS = {"province": "district__province", "district": "district"}


def below(paths: dict[str, str], step: str) -> dict[str, str]:
    """`paths` seen from a row one `step` below its owner (a score of an assessment...)."""
    return {kind: f"{step}__{path}" for kind, path in paths.items()}


def year_field() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )


def score_field(label, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=6, decimal_places=2, null=True, blank=True, **kwargs
    )


def puskesmas_audit_area(puskesmas) -> dict[str, int | None]:
    return {
        "province_id": puskesmas.district.province_id,
        "district_id": puskesmas.district_id,
        "puskesmas_id": puskesmas.pk,
    }


def district_audit_area(district) -> dict[str, int | None]:
    return {"province_id": district.province_id, "district_id": district.pk, "puskesmas_id": None}


ZERO = Decimal("0")
