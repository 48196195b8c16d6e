"""The SPM catalogue as versioned data, the reporting year, population by age band and targets.

Numbers from regulations (services, formulas, rates, thresholds) are rows tied to their edition,
never constants in code: Permenkes 4/2019 became 6/2024 (DOMAIN.md §2).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kernel.models.areas import AreaOwned, Village
from kernel.models.edits import Versioned


class Bilingual(models.Model):
    """Names kept as data in both UI languages; `.label` picks the active one."""

    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_id


class SPMEdition(models.Model):
    """One version of the SPM technical standard, tied to its regulation."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    regulation = models.CharField(_("regulation"), max_length=120)
    title = models.CharField(_("title"), max_length=250)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)

    class Meta:
        ordering = ["-first_year"]
        verbose_name = _("SPM edition")
        verbose_name_plural = _("SPM editions")

    def __str__(self) -> str:
        return self.regulation


class AgeBand(Bilingual):
    """A population group that targets are estimated from (all people, under-fives, 15-59 ...)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("age band")
        verbose_name_plural = _("age bands")


class SPMService(Bilingual):
    """One SPM service (jenis pelayanan dasar) of an edition, with its definitions."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("District (kabupaten/kota)")
        PROVINCE = "province", _("Province")

    edition = models.ForeignKey(
        SPMEdition, on_delete=models.PROTECT, related_name="services", verbose_name=_("edition")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=20)
    numerator_id = models.TextField(_("served to standard (Indonesian)"))
    numerator_en = models.TextField(_("served to standard (English)"))
    denominator_id = models.TextField(_("target group (Indonesian)"))
    denominator_en = models.TextField(_("target group (English)"))
    standard_id = models.TextField(_("standard (Indonesian)"), blank=True)
    standard_en = models.TextField(_("standard (English)"), blank=True)
    budget_code = models.CharField(_("budget sub-activity code"), max_length=30, blank=True)
    # Served more than this group's population is a warning (DOMAIN.md §2: age-band targets).
    population_band = models.ForeignKey(
        AgeBand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("population cap"),
    )
    is_reported_monthly = models.BooleanField(_("reported monthly by puskesmas"), default=True)

    class Meta:
        ordering = ["edition", "level", "number"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="service_edition_code_unique"),
            models.UniqueConstraint(
                fields=["edition", "level", "number"], name="service_edition_number_unique"
            ),
        ]
        verbose_name = _("SPM service")
        verbose_name_plural = _("SPM services")

    @property
    def numerator(self) -> str:
        return self.numerator_en if translation.get_language() == "en" else self.numerator_id

    @property
    def denominator(self) -> str:
        return self.denominator_en if translation.get_language() == "en" else self.denominator_id

    @property
    def standard(self) -> str:
        return self.standard_en if translation.get_language() == "en" else self.standard_id


class ReportingYear(models.Model):
    """A year's settings: the SPM edition it uses and the monthly reporting deadline."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    edition = models.ForeignKey(
        SPMEdition, on_delete=models.PROTECT, related_name="years", verbose_name=_("SPM edition")
    )
    deadline_day = models.PositiveSmallIntegerField(
        _("monthly deadline (day of next month)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("A month's report is due on this day of the following month."),
    )
    # A value far from its desa's own history needs a comment (outlier rule as data).
    outlier_factor = models.DecimalField(
        _("outlier factor"), max_digits=5, decimal_places=2, default=Decimal("3.00")
    )
    outlier_min_months = models.PositiveSmallIntegerField(
        _("months of history before outliers are flagged"), default=3
    )
    # Off: a month's report is submitted once the month has ended (issue #15), so the district's
    # queue holds no half-month. A district that collects early (a closing year) turns it on.
    allow_early_submission = models.BooleanField(
        _("allow submitting a month before it ends"),
        default=False,
        help_text=_("On: a puskesmas may submit the current month's report before it ends."),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("reporting year")
        verbose_name_plural = _("reporting years")

    def __str__(self) -> str:
        return str(self.year)

    def due_on(self, month: int) -> datetime.date:
        """The deadline of `month`'s report: `deadline_day` of the following month."""
        year, next_month = (self.year + 1, 1) if month == 12 else (self.year, month + 1)
        return datetime.date(year, next_month, self.deadline_day)

    def months_due(self, today: datetime.date) -> int:
        """How many months of the year are due on `today` (their deadline has passed): the months
        completeness, timeliness and the pace count (issue #15); 0 to 12."""
        return sum(1 for month in range(1, 13) if today > self.due_on(month))

    def has_ended(self, month: int, today: datetime.date) -> bool:
        """Whether `month` of this year is over on `today` (its report may be submitted)."""
        return (today.year, today.month) > (self.year, month)


class VillagePopulation(AreaOwned, models.Model):
    """People of one age band in one desa in one year, with where the count comes from."""

    area_paths = {
        "province": "village__subdistrict__district__province",
        "district": "village__subdistrict__district",
        "puskesmas": "village__puskesmas",
    }

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="populations", verbose_name=_("village")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    band = models.ForeignKey(AgeBand, on_delete=models.PROTECT, verbose_name=_("age band"))
    count = models.PositiveIntegerField(_("people"))
    source = models.CharField(_("source"), max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year", "band"], name="village_population_unique"
            )
        ]
        verbose_name = _("village population")
        verbose_name_plural = _("village populations")

    def __str__(self) -> str:
        return f"{self.village_id} {self.year} {self.band_id}: {self.count}"


class EstimateRule(Versioned):
    """How a service's target group is estimated: factor x rate x population of a band.

    e.g. pregnant women = 1.1 x crude birth rate x all people; hypertensives = prevalence x 15+.
    A district may override its edition's default rule (its own birth rate, a local survey).
    """

    service = models.ForeignKey(
        SPMService,
        on_delete=models.CASCADE,
        related_name="estimate_rules",
        verbose_name=_("service"),
    )
    district = models.ForeignKey(
        "kernel.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="estimate_rules",
        verbose_name=_("district"),
        help_text=_("Empty: the edition's default for every district."),
    )
    band = models.ForeignKey(AgeBand, on_delete=models.PROTECT, verbose_name=_("population base"))
    factor = models.DecimalField(_("factor"), max_digits=6, decimal_places=3, default=Decimal(1))
    rate = models.DecimalField(_("rate"), max_digits=9, decimal_places=6, default=Decimal(1))
    rate_source = models.CharField(_("source of the rate"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "district"], name="estimate_rule_service_district_unique"
            ),
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(district__isnull=True),
                name="estimate_rule_one_default_per_service",
            ),
        ]
        verbose_name = _("estimate rule")
        verbose_name_plural = _("estimate rules")

    def __str__(self) -> str:
        return f"{self.service.code}: {self.factor} x {self.rate} x {self.band}"

    def estimate(self, population: int) -> int:
        return int((self.factor * self.rate * population).to_integral_value())


class Target(AreaOwned, models.Model):
    """One figure for a service's target group (sasaran) in one desa and year, from one source.

    Figures from different sources sit side by side; one per desa, service and year is the target
    of record, and who chose it and when is kept.
    """

    class Source(models.TextChoices):
        ESTIMATE = "estimate", _("Estimate")
        DUKCAPIL = "dukcapil", _("Civil registry (Dukcapil)")
        REGISTER = "register", _("Puskesmas register")
        PIS_PK = "pis_pk", "PIS-PK"
        OTHER = "other", _("Other")

    area_paths = VillagePopulation.area_paths

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="targets", verbose_name=_("village")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    service = models.ForeignKey(
        SPMService, on_delete=models.PROTECT, related_name="targets", verbose_name=_("service")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    value = models.PositiveIntegerField(_("people"))
    note = models.CharField(_("note"), max_length=250, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)
    is_of_record = models.BooleanField(_("target of record"), default=False)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chosen by"),
    )
    chosen_at = models.DateTimeField(_("chosen at"), null=True, blank=True)

    class Meta:
        ordering = ["village", "service", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year", "service", "source"], name="target_source_unique"
            ),
            models.UniqueConstraint(
                fields=["village", "year", "service"],
                condition=models.Q(is_of_record=True),
                name="target_one_of_record",
            ),
        ]
        indexes = [models.Index(fields=["year", "service", "is_of_record"])]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.village} {self.year} {self.service.code}: {self.value}"


class TargetApproval(AreaOwned, models.Model):
    """Whether a district's targets of record for a year are approved (who, when); reopened,
    the row stays with its status open and its history in the audit log."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        APPROVED = "approved", _("Approved")

    area_paths = {
        "province": "district__province",
        "district": "district",
        "puskesmas": "district__puskesmas",
    }

    district = models.ForeignKey(
        "kernel.District",
        on_delete=models.CASCADE,
        related_name="target_approvals",
        verbose_name=_("district"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    events = GenericRelation("kernel.AuditEvent")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="target_approval_unique")
        ]
        verbose_name = _("target approval")
        verbose_name_plural = _("target approvals")

    transition_refused = _("These targets are %(status)s: they cannot be changed that way now.")

    def __str__(self) -> str:
        return f"{self.district_id} {self.year}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    def audit_area(self) -> dict[str, int | None]:
        """Where this approval's events are seen: its district (and province)."""
        return {
            "province_id": self.district.province_id,
            "district_id": self.district_id,
            "puskesmas_id": None,
        }
