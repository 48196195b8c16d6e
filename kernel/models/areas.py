"""Areas (Kemendagri regions), the health organisation inside them, and users with their area.

Every model a user can see says how it reaches an area through `area_paths`: the lookup from the
model to a Province, a District or a Puskesmas. `kernel.scoping.in_area` uses it
(STYLE.md §3).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .edits import Versioned


class AreaOwned:
    """Mixin: how a model's rows reach each kind of area (province, district, puskesmas)."""

    # kind of area -> ORM lookup from this model to that area; a missing kind means "never visible".
    area_paths: dict[str, str] = {}

    @classmethod
    def area_lookup(cls, area: Province | District | Puskesmas) -> str | None:
        return cls.area_paths.get(area.area_kind)


# --- Regions (Kemendagri codes, DOMAIN.md §5) -------------------------------------------------


class Province(AreaOwned, models.Model):
    area_kind = "province"
    area_paths = {"province": "pk", "district": "districts", "puskesmas": "districts__puskesmas"}

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

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


# --- Health organisation ------------------------------------------------------------------------


class HealthOffice(AreaOwned, models.Model):
    """The Dinas Kesehatan of one district."""

    area_paths = {
        "province": "district__province",
        "district": "district",
        "puskesmas": "district__puskesmas",
    }

    district = models.OneToOneField(
        District, on_delete=models.PROTECT, related_name="health_office", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=150)
    head_name = models.CharField(_("head"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    history = HistoricalRecords(table_name="indicators_historicalhealthoffice")

    class Meta:
        db_table = "indicators_healthoffice"  # its table from before the kernel app
        ordering = ["district__code"]
        verbose_name = _("health office (Dinkes)")
        verbose_name_plural = _("health offices (Dinkes)")

    def __str__(self) -> str:
        return self.name


class HealthOfficeUnit(AreaOwned, Versioned):
    """A bidang, seksi or sub-bagian of a Dinkes; units nest (a seksi sits in a bidang)."""

    class Kind(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat")
        DIVISION = "division", _("Division (bidang)")
        SECTION = "section", _("Section (seksi)")
        SUBDIVISION = "subdivision", _("Sub-division (sub-bagian)")
        TECHNICAL_UNIT = "technical_unit", _("Technical unit (UPT)")
        FUNCTIONAL = "functional", _("Functional group")

    area_paths = {
        "province": "office__district__province",
        "district": "office__district",
        "puskesmas": "office__district__puskesmas",
    }

    office = models.ForeignKey(
        HealthOffice, on_delete=models.CASCADE, related_name="units", verbose_name=_("Dinkes")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    head_name = models.CharField(_("head"), max_length=150, blank=True)
    history = HistoricalRecords(table_name="indicators_historicalhealthofficeunit")

    class Meta:
        db_table = "indicators_healthofficeunit"  # its table from before the kernel app
        ordering = ["office", "parent_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="unit_office_name_unique")
        ]
        verbose_name = _("Dinkes unit")
        verbose_name_plural = _("Dinkes units")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.office_id != self.office_id:
            raise ValidationError({"parent": _("The unit above must belong to the same Dinkes.")})
        if self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A unit cannot be part of itself.")})


class Puskesmas(AreaOwned, Versioned):
    area_kind = "puskesmas"
    area_paths = {"province": "district__province", "district": "district", "puskesmas": "pk"}

    code = models.CharField(
        _("Kemenkes code"),
        max_length=20,
        unique=True,
        help_text=_("The puskesmas code in the Kemenkes facility register."),
    )
    name = models.CharField(_("name"), max_length=150)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="puskesmas", verbose_name=_("district")
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.PROTECT,
        related_name="puskesmas",
        verbose_name=_("subdistrict"),
    )
    is_inpatient = models.BooleanField(
        _("inpatient (rawat inap)"),
        default=False,
        help_text=_("Ticked for a puskesmas with inpatient beds."),
    )
    head_name = models.CharField(_("head"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    history = HistoricalRecords(table_name="indicators_historicalpuskesmas")

    class Meta:
        db_table = "indicators_puskesmas"  # its table from before the kernel app
        ordering = ["district__code", "name"]
        verbose_name = _("puskesmas")
        verbose_name_plural = _("puskesmas")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.subdistrict_id and self.district_id:
            if self.subdistrict.district_id != self.district_id:
                raise ValidationError(
                    {"subdistrict": _("The subdistrict must lie in the puskesmas's district.")}
                )


class ServicePoint(AreaOwned, Versioned):
    """A place where a puskesmas delivers services: pustu, posyandu, poskesdes, posbindu ..."""

    class Kind(models.TextChoices):
        PUSTU = "pustu", "Pustu"
        POSYANDU = "posyandu", "Posyandu"
        POSKESDES = "poskesdes", "Poskesdes"
        POLINDES = "polindes", "Polindes"
        POSBINDU = "posbindu", "Posbindu PTM"
        PUSLING = "pusling", _("Mobile puskesmas (pusling)")
        OTHER = "other", _("Other")

    area_paths = {
        "province": "puskesmas__district__province",
        "district": "puskesmas__district",
        "puskesmas": "puskesmas",
    }

    puskesmas = models.ForeignKey(
        Puskesmas,
        on_delete=models.CASCADE,
        related_name="service_points",
        verbose_name=_("puskesmas"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_points",
        verbose_name=_("village"),
    )
    address = models.CharField(_("address"), max_length=250, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(table_name="indicators_historicalservicepoint")

    class Meta:
        db_table = "indicators_servicepoint"  # its table from before the kernel app
        ordering = ["puskesmas", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["puskesmas", "kind", "name"], name="service_point_unique_name"
            )
        ]
        verbose_name = _("service point")
        verbose_name_plural = _("service points")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    def clean(self) -> None:
        if self.village_id and self.puskesmas_id and self.village.puskesmas_id != self.puskesmas_id:
            raise ValidationError(
                {"village": _("The village must be in the puskesmas's working area.")}
            )


class PartnerOrganisation(AreaOwned, Versioned):
    """An organisation a district or a kecamatan works with (DOMAIN.md §4)."""

    class Sector(models.TextChoices):
        PLANNING = "planning", _("Planning (Bappeda)")
        REGIONAL_SECRETARIAT = "setda", _("Regional secretariat (Setda)")
        SOCIAL = "social", _("Social affairs (Dinas Sosial)")
        FAMILY_PLANNING = "family_planning", _("Population and family planning (DP2KB)")
        WOMEN_CHILDREN = "women_children", _("Women and child protection (DP3A)")
        EDUCATION = "education", _("Education (Disdik)")
        RELIGIOUS = "religious", _("Religious affairs (Kemenag, KUA)")
        CIVIL_REGISTRY = "civil_registry", _("Civil registry (Dukcapil)")
        SUBDISTRICT_GOVERNMENT = "subdistrict", _("Subdistrict government (Camat)")
        VILLAGE_GOVERNMENT = "village", _("Village government")
        POLICE = "police", _("Police (Polres, Polsek)")
        MILITARY = "military", _("Army (Kodim, Koramil)")
        PKK = "pkk", _("Family welfare movement (TP-PKK)")
        AGRICULTURE = "agriculture", _("Agriculture")
        PUBLIC_WORKS = "public_works", _("Public works and housing")
        COMMUNITY = "community", _("Community organisation")
        PRIVATE = "private", _("Private sector")
        OTHER = "other", _("Other")

    area_paths = {
        "province": "district__province",
        "district": "district",
        "puskesmas": "district__puskesmas",
    }

    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="partners",
        verbose_name=_("district"),
    )
    # Set for kecamatan-level partners (Camat, Polsek, Koramil, KUA ...); empty for district level.
    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=_("subdistrict"),
        help_text=_("Leave empty for an organisation working at district level."),
    )
    name = models.CharField(_("name"), max_length=150)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(table_name="indicators_historicalpartnerorganisation")

    class Meta:
        db_table = "indicators_partnerorganisation"  # its table from before the kernel app
        ordering = ["district", "subdistrict__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="partner_district_name_unique"
            )
        ]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def level_label(self) -> str:
        return str(_("Subdistrict")) if self.subdistrict_id else str(_("District"))

    def clean(self) -> None:
        if self.subdistrict_id and self.district_id:
            if self.subdistrict.district_id != self.district_id:
                raise ValidationError(
                    {"subdistrict": _("The subdistrict must lie in the partner's district.")}
                )


# --- Users --------------------------------------------------------------------------------------


class User(AreaOwned, AbstractUser):
    """A person who logs in, with one role and the one area that role works in."""

    class Role(models.TextChoices):
        PROVINCE_REVIEWER = "province_reviewer", _("Provincial reviewer")
        DISTRICT_PLANNER = "district_planner", _("District planner")
        PUSKESMAS_HEAD = "puskesmas_head", _("Puskesmas head")
        PUSKESMAS_STAFF = "puskesmas_staff", _("Puskesmas staff")
        SYSTEM_ADMIN = "system_admin", _("System administrator")

    area_paths = {
        "province": "province",
        "district": "district",
        "puskesmas": "puskesmas",
    }

    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("province"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("district"),
    )
    puskesmas = models.ForeignKey(
        Puskesmas,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("puskesmas"),
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta(AbstractUser.Meta):
        db_table = "indicators_user"  # its table from before the kernel app
        verbose_name = _("user")
        verbose_name_plural = _("users")

    # Which area field each role needs: a user works in exactly one area.
    ROLE_AREA_FIELD = {
        Role.PROVINCE_REVIEWER: "province",
        Role.DISTRICT_PLANNER: "district",
        Role.PUSKESMAS_HEAD: "puskesmas",
        Role.PUSKESMAS_STAFF: "puskesmas",
        Role.SYSTEM_ADMIN: None,
    }

    def clean(self) -> None:
        super().clean()
        needed = self.ROLE_AREA_FIELD.get(self.role)
        errors = {}
        for field in ("province", "district", "puskesmas"):
            value = getattr(self, f"{field}_id")
            if field == needed and value is None:
                errors[field] = _("This role works in one %(area)s: choose it.") % {
                    "area": self._meta.get_field(field).verbose_name
                }
            elif field != needed and value is not None:
                errors[field] = _("Leave this empty for the role you chose.")
        if errors:
            raise ValidationError(errors)

    @property
    def area(self) -> Province | District | Puskesmas | None:
        field = self.ROLE_AREA_FIELD.get(self.role)
        return getattr(self, field) if field else None

    @property
    def is_system_admin(self) -> bool:
        return self.role == self.Role.SYSTEM_ADMIN or self.is_superuser
