"""The health organisation inside the regions: the Dinkes and its units, puskesmas with their
working area and service points, and partner organisations of other sectors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .areas import AreaOwned, District, Subdistrict, Village
from .edits import Versioned


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
    # SATUSEHAT master data (issue #19): the facility's 10-digit code there, its other codes
    # (e.g. Pusdatin's new and old puskesmas codes) and where it is.
    satusehat_code = models.CharField(_("SATUSEHAT code"), max_length=20, blank=True, db_index=True)
    other_codes = models.JSONField(_("other codes"), default=dict, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
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
    """A place where a puskesmas delivers services: pustu, posyandu, poskesdes, posbindu ...
    The registry of community-based health efforts (UKBM, issue #17): a posyandu has its desa,
    venue, village head's decree, schedule, whether it serves every life stage (ILP) and the
    pustu it works with; its yearly review and cadres live in the community app."""

    class Kind(models.TextChoices):
        PUSTU = "pustu", "Pustu"
        POSYANDU = "posyandu", "Posyandu"
        POSKESDES = "poskesdes", "Poskesdes"
        POLINDES = "polindes", "Polindes"
        POSBINDU = "posbindu", "Posbindu PTM"
        POS_UKK = "pos_ukk", _("Pos UKK (workers' health post)")
        POSKESTREN = "poskestren", _("Poskestren (boarding-school health post)")
        PUSLING = "pusling", _("Mobile puskesmas (pusling)")
        OTHER = "other", _("Other")

    # Community-based (UKBM): run by the community with its cadres, reviewed yearly.
    UKBM_KINDS = (Kind.POSYANDU, Kind.POSKESDES, Kind.POSBINDU, Kind.POS_UKK, Kind.POSKESTREN)

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
    # The UKBM registry (issue #17); blank where a kind does not need it.
    venue = models.CharField(
        _("venue"),
        max_length=150,
        blank=True,
        help_text=_("Where sessions are held, e.g. the balai desa or a cadre's house."),
    )
    decree_number = models.CharField(
        _("decree (SK) number"),
        max_length=100,
        blank=True,
        help_text=_("The village head's decree that set it up."),
    )
    decree_date = models.DateField(_("decree date"), null=True, blank=True)
    schedule = models.CharField(
        _("schedule"),
        max_length=100,
        blank=True,
        help_text=_("When sessions are held, e.g. every second Tuesday of the month."),
    )
    runs_ilp = models.BooleanField(
        _("runs ILP (every life stage)"),
        default=False,
        help_text=_("Primary-care integration: the posyandu serves every life stage."),
    )
    pustu = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linked_posyandu",
        limit_choices_to={"kind": "pustu"},
        verbose_name=_("pustu it works with"),
    )
    established_year = models.PositiveSmallIntegerField(_("established in"), null=True, blank=True)
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
        kind = str(self.get_kind_display())
        if self.name.casefold().startswith(kind.casefold()):
            return self.name  # "Posyandu Baru", not "Posyandu Posyandu Baru"
        return f"{kind} {self.name}"

    @property
    def is_ukbm(self) -> bool:
        return self.kind in self.UKBM_KINDS

    def clean(self) -> None:
        if self.village_id and self.puskesmas_id and self.village.puskesmas_id != self.puskesmas_id:
            raise ValidationError(
                {"village": _("The village must be in the puskesmas's working area.")}
            )
        if self.pustu_id:
            if self.kind != self.Kind.POSYANDU:
                raise ValidationError({"pustu": _("Only a posyandu is linked to a pustu.")})
            if self.pustu.kind != self.Kind.PUSTU or self.pustu.puskesmas_id != self.puskesmas_id:
                raise ValidationError({"pustu": _("Choose a pustu of the same puskesmas.")})


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
