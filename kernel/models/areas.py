"""Areas: the Kemendagri regions, and how every model reaches an area.

Every model a user can see says how it reaches an area through `area_paths`: the lookup from the
model to a Province, a District or a Puskesmas. `kernel.scoping.in_area` uses it
(STYLE.md §3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .organisation import Puskesmas


class AreaOwned:
    """Mixin: how a model's rows reach each kind of area (province, district, puskesmas)."""

    # kind of area -> ORM lookup from this model to that area; a missing kind means "never visible".
    # A tuple of lookups means "any of them" (OR-ed): a user of a puskesmas has only its
    # `puskesmas` set, so users reach their district by "district" or "puskesmas__district".
    area_paths: dict[str, str | tuple[str, ...]] = {}

    @classmethod
    def area_lookups(cls, area: Province | District | Puskesmas) -> tuple[str, ...]:
        """Every lookup by which a row reaches `area` (none: never visible there)."""
        paths = cls.area_paths.get(area.area_kind)
        if paths is None:
            return ()
        return (paths,) if isinstance(paths, str) else tuple(paths)

    @classmethod
    def area_lookup(cls, area: Province | District | Puskesmas) -> str | None:
        """The first of `area_lookups` (the only one for most models)."""
        lookups = cls.area_lookups(area)
        return lookups[0] if lookups else None


# --- Regions (Kemendagri codes, DOMAIN.md §5) -------------------------------------------------


class Province(AreaOwned, models.Model):
    area_kind = "province"
    area_paths = {"province": "pk", "district": "districts", "puskesmas": "districts__puskesmas"}

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # BPS (Statistics Indonesia) code, as SATUSEHAT master data gives it (issue #19).
    bps_code = models.CharField(_("BPS code"), max_length=13, blank=True)

    class Meta:
        db_table = "indicators_province"  # its table from before the kernel app
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class District(AreaOwned, models.Model):
    """Kabupaten or kota (Kemendagri 01-69 kabupaten, 71-99 kota)."""

    area_kind = "district"
    area_paths = {"province": "province", "district": "pk", "puskesmas": "puskesmas"}

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # BPS (Statistics Indonesia) code, as SATUSEHAT master data gives it (issue #19).
    bps_code = models.CharField(_("BPS code"), max_length=13, blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("province")
    )

    class Meta:
        db_table = "indicators_district"  # its table from before the kernel app
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name

    @property
    def is_city(self) -> bool:
        return int(self.code.split(".")[1]) >= 71


class Subdistrict(AreaOwned, models.Model):
    """Kecamatan."""

    area_paths = {
        "province": "district__province",
        "district": "district",
        "puskesmas": "puskesmas",
    }

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # BPS (Statistics Indonesia) code, as SATUSEHAT master data gives it (issue #19).
    bps_code = models.CharField(_("BPS code"), max_length=13, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="subdistricts", verbose_name=_("district")
    )

    class Meta:
        db_table = "indicators_subdistrict"  # its table from before the kernel app
        ordering = ["code"]
        verbose_name = _("subdistrict")
        verbose_name_plural = _("subdistricts")

    def __str__(self) -> str:
        return self.name


class Village(AreaOwned, models.Model):
    """Desa or kelurahan (4th code part 1xxx kelurahan, 2xxx desa)."""

    area_paths = {
        "province": "subdistrict__district__province",
        "district": "subdistrict__district",
        "puskesmas": "puskesmas",
    }

    code = models.CharField(_("code"), max_length=13, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # BPS (Statistics Indonesia) code, as SATUSEHAT master data gives it (issue #19).
    bps_code = models.CharField(_("BPS code"), max_length=13, blank=True)
    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.PROTECT,
        related_name="villages",
        verbose_name=_("subdistrict"),
    )
    # The puskesmas whose working area (wilayah kerja) holds this village; one at most.
    puskesmas = models.ForeignKey(
        "Puskesmas",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="villages",
        verbose_name=_("puskesmas"),
    )

    class Meta:
        db_table = "indicators_village"  # its table from before the kernel app
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")

    def __str__(self) -> str:
        return self.name

    @property
    def is_kelurahan(self) -> bool:
        return self.code.rsplit(".", 1)[1].startswith("1")


class RegionPopulation(models.Model):
    """Population of one region (any level, by Kemendagri code) in one year."""

    code = models.CharField(_("code"), max_length=13)
    year = models.PositiveSmallIntegerField(_("year"))
    male = models.PositiveIntegerField(_("male"))
    female = models.PositiveIntegerField(_("female"))
    total = models.PositiveIntegerField(_("total"))

    class Meta:
        db_table = "indicators_regionpopulation"  # its table from before the kernel app
        ordering = ["code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year"], name="population_code_year_unique")
        ]
        verbose_name = _("population")
        verbose_name_plural = _("populations")

    def __str__(self) -> str:
        return f"{self.code} {self.year}: {self.total}"
