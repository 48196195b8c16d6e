"""Quarterly SPM achievement, computed from approved monthly data by a Celery job (issue #5).

Rows are rebuilt per (year, quarter, scope) inside one transaction, so a reader sees either the
old quarter or the new one, never half of it. Each row points to the run that wrote it: when it
ran and what data it used.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.models import AreaOwned, District, Province, Puskesmas

from .spm import SPMService


class Level(models.TextChoices):
    PUSKESMAS = "puskesmas", "Puskesmas"
    DISTRICT = "district", _("District")
    PROVINCE = "province", _("Province")


class AggregationRun(AreaOwned, models.Model):
    """One run of the quarterly aggregation: its scope, progress and the data it used."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Working")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    area_paths = {
        "province": "province",
        "district": "district",
        "puskesmas": "district__puskesmas",
    }

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    # Scope: one district (with its province's totals), or the whole country when both are empty.
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    puskesmas = models.ForeignKey(
        Puskesmas,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("puskesmas"),
        help_text=_("Set for an incremental run after one puskesmas's report changed."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # What data it used: approved reports counted and the latest change among them.
    approved_reports = models.PositiveIntegerField(_("approved reports used"), default=0)
    data_as_of = models.DateTimeField(_("data as of"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("aggregation run")
        verbose_name_plural = _("aggregation runs")

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class QuarterRow(AreaOwned, models.Model):
    """A row about one area (puskesmas, district or province) in one quarter, written by a run."""

    area_paths = {"province": "province", "district": "district", "puskesmas": "puskesmas"}

    # The rows are built by joins from these tables in one statement, and rebuilt whole: the
    # database need not check each foreign key again, nor index columns the composite indexes
    # below cover (bench/national.py: the commit of a national rebuild took 2.6 s more).
    run = models.ForeignKey(
        AggregationRun,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("run"),
        db_constraint=False,
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    puskesmas = models.ForeignKey(
        Puskesmas,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    # The id of the puskesmas, district or province the row is about (by `level`): the natural key.
    area_id = models.PositiveBigIntegerField(_("area id"))

    class Meta:
        abstract = True


class Achievement(QuarterRow):
    """People served and achievement of one service in one area for a quarter and year to date."""

    service = models.ForeignKey(
        SPMService,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    served_quarter = models.PositiveIntegerField(_("served in the quarter"))
    served_ytd = models.PositiveIntegerField(_("served year to date"))
    target = models.PositiveIntegerField(_("annual target"), null=True, blank=True)
    # capaian = served / target group x 100 (DOMAIN.md §2); NULL without a target.
    achievement = models.DecimalField(
        _("achievement (%)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    # Issue #16: part B, quality achievement of the quarter's approved quality reports (items
    # available against needed, capped at 100, weighted by the items' weights); NULL when none.
    quality = models.DecimalField(
        _("quality achievement (%)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    # The service's SPM index: the edition's IndexParts weights x achievement (capped at 100)
    # and quality; NULL without a target.
    service_index = models.DecimalField(
        _("SPM index"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "level", "area_id", "service"],
                name="achievement_natural_key",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "level", "district"]),
            models.Index(fields=["year", "quarter", "level", "province"]),
        ]
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter} {self.level} {self.area_id} service {self.service_id}"


class ReportingRate(QuarterRow):
    """Completeness and timeliness of monthly reports of one area in a quarter."""

    expected = models.PositiveIntegerField(_("reports expected"))
    approved = models.PositiveIntegerField(_("reports approved"))
    on_time = models.PositiveIntegerField(_("reports on time"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "level", "area_id"], name="reporting_rate_natural_key"
            ),
        ]
        indexes = [models.Index(fields=["year", "quarter", "level", "district"])]
        verbose_name = _("reporting rate")
        verbose_name_plural = _("reporting rates")

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter} {self.area_id}: {self.approved}/{self.expected}"

    @property
    def completeness(self) -> float | None:
        return 100 * self.approved / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return 100 * self.on_time / self.expected if self.expected else None


class IndexBand(models.Model):
    """A category of the SPM achievement index (Tuntas Paripurna ... Belum Tuntas), as data.

    Names, order and edges are unverified (DOMAIN.md §2): configurable per edition.
    """

    edition = models.ForeignKey(
        "indicators.SPMEdition",
        on_delete=models.CASCADE,
        related_name="index_bands",
        verbose_name=_("edition"),
    )
    name = models.CharField(_("name"), max_length=60)
    lower_bound = models.DecimalField(_("from (%)"), max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("order"))
    colour = models.CharField(_("colour"), max_length=7, default="#198754")

    class Meta:
        ordering = ["edition", "order"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="index_band_unique_name")
        ]
        verbose_name = _("index band")
        verbose_name_plural = _("index bands")

    def __str__(self) -> str:
        return self.name


class IndexWeight(models.Model):
    """The weight of one service in the SPM achievement index (as data, per edition)."""

    service = models.OneToOneField(
        SPMService,
        on_delete=models.CASCADE,
        related_name="index_weight",
        verbose_name=_("service"),
    )
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=1)

    class Meta:
        verbose_name = _("index weight")
        verbose_name_plural = _("index weights")

    def __str__(self) -> str:
        return f"{self.service_id}: {self.weight}"


class QuarterServiceNote(AreaOwned, models.Model):
    """What a district planner writes about one SPM service for a quarter's e-SPM report:
    budget, the four implementation stages (Permendagri 59/2021, unverified names), problems
    and planned actions."""

    class Stage(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    area_paths = {"province": "district__province", "district": "district"}

    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        related_name="quarter_notes",
        verbose_name=_("district"),
    )
    service = models.ForeignKey(
        SPMService, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    budget_allocated_idr = models.DecimalField(
        _("budget allocated (Rp)"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    budget_spent_idr = models.DecimalField(
        _("budget spent (Rp)"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    stage_data = models.CharField(
        _("data collection"), max_length=12, choices=Stage.choices, blank=True
    )
    stage_needs = models.CharField(
        _("needs calculation"), max_length=12, choices=Stage.choices, blank=True
    )
    stage_plan = models.CharField(
        _("fulfilment plan"), max_length=12, choices=Stage.choices, blank=True
    )
    stage_delivery = models.CharField(
        _("delivery"), max_length=12, choices=Stage.choices, blank=True
    )
    problems = models.TextField(_("problems"), blank=True)
    planned_actions = models.TextField(_("planned actions"), blank=True)
    # Edits are versioned (kernel/versioning.py): a save over a newer note is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["district", "service", "year", "quarter"], name="quarter_note_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="quarter_note_quarter_1_4",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_allocated_idr__gte=0)
                | models.Q(budget_allocated_idr__isnull=True),
                name="quarter_note_allocated_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_spent_idr__gte=0)
                | models.Q(budget_spent_idr__isnull=True),
                name="quarter_note_spent_not_negative",
            ),
        ]
        verbose_name = _("quarter note")
        verbose_name_plural = _("quarter notes")

    def __str__(self) -> str:
        return f"{self.district_id} {self.year} Q{self.quarter} service {self.service_id}"
