"""The four stages of applying SPM per district, service and year (Permendagri 59/2021; the
2018 Kemendagri/KOMPAK booklet's worksheet, DOMAIN.md §7): (1) data collection, (2) calculating
needs, (3) planning, (4) integration into regional plans. The district fills it; Simpul's data
pre-fills it (targets, reports, quality, plans, meetings): what is stored here is only what the
data cannot say."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import QualityItem, SPMService
from kernel.models import AreaOwned, District
from kernel.models.edits import Versioned

DISTRICT_PATHS = {
    "province": "district__province",
    "district": "district",
    "puskesmas": "district__puskesmas",
}


def _via(prefix: str) -> dict[str, str]:
    return {kind: f"{prefix}__{path}" for kind, path in DISTRICT_PATHS.items()}


class StageStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class StageSheet(AreaOwned, Versioned):
    """One district's worksheet of the four stages for one SPM service and year."""

    class Financing(models.TextChoices):
        OWN = "own", _("Own delivery (swakelola)")
        COOPERATION = "cooperation", _("Cooperation (kerja sama)")
        BOTH = "both", _("Both")

    class Delivery(models.TextChoices):
        FREE = "free", _("Free service")
        ASSISTANCE = "assistance", _("Assistance")
        BOTH = "both", _("Both")

    area_paths = DISTRICT_PATHS

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="stage_sheets", verbose_name=_("district")
    )
    service = models.ForeignKey(
        SPMService, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # How far each stage got (the e-SPM report's "four stages").
    data_status = models.CharField(
        _("1. data collection"),
        max_length=12,
        choices=StageStatus.choices,
        default=StageStatus.NOT_STARTED,
    )
    needs_status = models.CharField(
        _("2. calculating needs"),
        max_length=12,
        choices=StageStatus.choices,
        default=StageStatus.NOT_STARTED,
    )
    plan_status = models.CharField(
        _("3. planning"),
        max_length=12,
        choices=StageStatus.choices,
        default=StageStatus.NOT_STARTED,
    )
    integration_status = models.CharField(
        _("4. integration into regional plans"),
        max_length=12,
        choices=StageStatus.choices,
        default=StageStatus.NOT_STARTED,
    )
    # (1) What the data cannot say: services partners deliver (other agencies, private,
    # community) and notes on the data.
    partner_services = models.TextField(_("services delivered by partners"), blank=True)
    data_notes = models.TextField(_("notes on the data"), blank=True)
    # (2) The region's fiscal capacity and notes (the need lines carry the gaps and costs).
    fiscal_capacity_idr = models.DecimalField(
        _("fiscal capacity for this service (Rp)"),
        max_digits=15,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    needs_notes = models.TextField(_("notes on the needs"), blank=True)
    # (3) Planning: the target (pre-filled from the targets of record), the strategies.
    target_people = models.PositiveIntegerField(_("target (people)"), null=True, blank=True)
    financing = models.CharField(
        _("financing strategy"), max_length=12, choices=Financing.choices, blank=True
    )
    delivery = models.CharField(
        _("delivery strategy"), max_length=12, choices=Delivery.choices, blank=True
    )
    planning_notes = models.TextField(_("notes on the plan"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["district", "year", "service__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "service", "year"], name="stage_sheet_unique"
            )
        ]
        verbose_name = _("four stages worksheet")
        verbose_name_plural = _("four stages worksheets")

    def __str__(self) -> str:
        return f"{self.district} {self.year} {self.service.code}"

    def audit_area(self) -> dict[str, int | None]:
        return {
            "province_id": self.district.province_id,
            "district_id": self.district_id,
            "puskesmas_id": None,
        }


class NeedLine(AreaOwned, Versioned):
    """(2) One gap in goods, staff or facilities with its unit cost: the cost of meeting it;
    (3) the plan activities that answer it."""

    area_paths = _via("sheet")

    sheet = models.ForeignKey(
        StageSheet, on_delete=models.CASCADE, related_name="needs", verbose_name=_("worksheet")
    )
    item = models.ForeignKey(
        QualityItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quality standard item"),
    )
    name = models.CharField(_("need"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=QualityItem.Kind.choices)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    gap_quantity = models.DecimalField(
        _("gap"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    unit_cost_idr = models.DecimalField(
        _("unit cost (Rp)"),
        max_digits=15,
        decimal_places=0,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    activities = models.ManyToManyField(
        "planning.Activity",
        blank=True,
        related_name="spm_needs",
        verbose_name=_("plan activities answering it"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sheet", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(gap_quantity__gte=0, unit_cost_idr__gte=0),
                name="need_line_not_negative",
            )
        ]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return self.name

    @property
    def cost_idr(self) -> Decimal:
        """The cost of meeting the need: gap x unit cost, in whole rupiah."""
        return (self.gap_quantity * self.unit_cost_idr).quantize(Decimal(1))


class IntegrationLine(AreaOwned, Versioned):
    """(4) Where the service appears in a regional plan: document, chapter, program, budget."""

    class Document(models.TextChoices):
        RPJMD = "rpjmd", "RPJMD"
        RENSTRA = "renstra", "Renstra"
        RKPD = "rkpd", "RKPD"
        RENJA = "renja", "Renja"

    area_paths = _via("sheet")

    sheet = models.ForeignKey(
        StageSheet,
        on_delete=models.CASCADE,
        related_name="integrations",
        verbose_name=_("worksheet"),
    )
    document = models.CharField(_("document"), max_length=10, choices=Document.choices)
    chapter = models.CharField(_("chapter or section"), max_length=200, blank=True)
    program = models.CharField(_("program, activity or indicator"), max_length=300)
    budget_idr = models.DecimalField(
        _("budget (Rp)"),
        max_digits=15,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["sheet", "document", "pk"]
        verbose_name = _("regional plan entry")
        verbose_name_plural = _("regional plan entries")

    def __str__(self) -> str:
        return f"{self.get_document_display()}: {self.program}"
