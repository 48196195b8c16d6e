"""The DHIS2 mapping of a district, kept as data (issue #19): which DHIS2 data element (and
category option combo) an SPM service is, and which org unit a puskesmas or a desa is.

A district's planners keep it; nothing is ever guessed: an item without a mapping is listed as
unmapped and left out of every export, and a value of an unknown data element or org unit is
refused by an import.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators.models import SPMService
from kernel.models import District, Puskesmas, Village
from kernel.models.areas import AreaOwned
from kernel.models.edits import Versioned

# A DHIS2 uid: 11 characters, a letter first (https://docs.dhis2.org, "Identifier schemes").
UID_PATTERN = r"[A-Za-z][A-Za-z0-9]{10}"
uid_validator = RegexValidator(
    rf"^{UID_PATTERN}\Z",
    _("A DHIS2 id has 11 letters or digits and starts with a letter, such as fbfJHSPpUQD."),
)

# Reached through the district; puskesmas users do not keep the mapping.
PROFILE_PATHS = {"province": "district__province", "district": "district"}
MAPPING_PATHS = {"province": "profile__district__province", "district": "profile__district"}


def _uid(label, *, blank: bool = False) -> models.CharField:
    return models.CharField(label, max_length=11, blank=blank, validators=[uid_validator])


class Dhis2Profile(AreaOwned, Versioned):
    """A district's DHIS2: where it is, and the org unit level its monthly values go to.

    Its version is the version of the whole mapping: saving data elements or org units bumps
    it, so two planners editing the mapping at once cannot overwrite each other."""

    class Level(models.TextChoices):
        VILLAGE = "village", _("Desa (one org unit per desa)")
        PUSKESMAS = "puskesmas", _("Puskesmas (desa values summed)")

    area_paths = PROFILE_PATHS

    district = models.OneToOneField(
        District, on_delete=models.CASCADE, related_name="dhis2", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=150, default="DHIS2")
    base_url = models.URLField(_("address (optional)"), blank=True)
    level = models.CharField(
        _("org unit level exported"), max_length=10, choices=Level.choices, default=Level.VILLAGE
    )
    data_set = _uid(_("data set id (for ADX)"), blank=True)

    class Meta:
        verbose_name = _("DHIS2 profile")
        verbose_name_plural = _("DHIS2 profiles")

    def __str__(self) -> str:
        return f"{self.name} ({self.district})"


class DataElementMapping(AreaOwned, models.Model):
    """An SPM service as a DHIS2 data element, with its category option combo (optional: the
    DHIS2 default) and attribute option combo (optional)."""

    area_paths = MAPPING_PATHS

    profile = models.ForeignKey(
        Dhis2Profile, on_delete=models.CASCADE, related_name="elements", verbose_name=_("profile")
    )
    service = models.ForeignKey(
        SPMService, on_delete=models.CASCADE, related_name="+", verbose_name=_("SPM service")
    )
    data_element = _uid(_("data element"))
    category_option_combo = _uid(_("category option combo"), blank=True)
    attribute_option_combo = _uid(_("attribute option combo"), blank=True)

    class Meta:
        ordering = ["service__number"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "service"], name="dhis2_element_service"),
            models.UniqueConstraint(
                fields=["profile", "data_element", "category_option_combo"],
                name="dhis2_element_uid",
            ),
        ]
        verbose_name = _("data element mapping")
        verbose_name_plural = _("data element mappings")

    def __str__(self) -> str:
        return f"{self.service.code} = {self.data_element}"


class OrgUnitMapping(AreaOwned, models.Model):
    """A puskesmas or a desa as a DHIS2 org unit (exactly one of the two)."""

    area_paths = MAPPING_PATHS

    profile = models.ForeignKey(
        Dhis2Profile, on_delete=models.CASCADE, related_name="org_units", verbose_name=_("profile")
    )
    puskesmas = models.ForeignKey(
        Puskesmas,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("puskesmas"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    org_unit = _uid(_("org unit"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(puskesmas__isnull=True) ^ Q(village__isnull=True),
                name="dhis2_org_unit_one_place",
            ),
            models.UniqueConstraint(
                fields=["profile", "puskesmas"],
                condition=Q(puskesmas__isnull=False),
                name="dhis2_org_unit_puskesmas",
            ),
            models.UniqueConstraint(
                fields=["profile", "village"],
                condition=Q(village__isnull=False),
                name="dhis2_org_unit_village",
            ),
            models.UniqueConstraint(fields=["profile", "org_unit"], name="dhis2_org_unit_uid"),
        ]
        verbose_name = _("org unit mapping")
        verbose_name_plural = _("org unit mappings")

    def __str__(self) -> str:
        return self.org_unit
