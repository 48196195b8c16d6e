"""SPM quality (mutu, issue #16): what each person of a service's target group must receive and
who and what delivers it, as data per edition; per puskesmas and quarter, what is available
against what is needed.

An SPM service is met in kind AND quality (Permendagri 59/2021; DOMAIN.md §2, §7): the index's
part B. The checklist per service, the quantities and the unit costs are unverified: editable rows
of the edition, never code.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.models import AreaOwned, Puskesmas
from kernel.models.edits import Reviewed, Versioned

from .spm import Bilingual, SPMEdition, SPMService


class QualityItem(Bilingual):
    """One line of a service's quality standard: a good or service each person must receive
    (KIA book, iron tablets, Td immunisation, a laboratory test), or the staff or facility that
    delivers it, with how much is needed per person, per puskesmas or per desa."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods and services")
        STAFF = "staff", _("Staff")
        FACILITY = "facility", _("Facilities and equipment")

    class Basis(models.TextChoices):
        PER_PERSON = "per_person", _("per person of the target group")
        PER_PUSKESMAS = "per_puskesmas", _("per puskesmas")
        PER_VILLAGE = "per_village", _("per desa")

    service = models.ForeignKey(
        SPMService,
        on_delete=models.CASCADE,
        related_name="quality_items",
        verbose_name=_("service"),
    )
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Short and stable: the Excel template's key.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    basis = models.CharField(
        _("need counted"), max_length=15, choices=Basis.choices, default=Basis.PER_PERSON
    )
    quantity = models.DecimalField(
        _("quantity needed"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(0)],
        help_text=_("How many per person (or per puskesmas, per desa), e.g. 90 iron tablets."),
    )
    unit = models.CharField(_("unit"), max_length=30, help_text=_("e.g. book, tablet, person."))
    unit_cost_idr = models.DecimalField(
        _("standard unit cost (Rp)"),
        max_digits=15,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=3,
        default=Decimal(1),
        validators=[MinValueValidator(0)],
        help_text=_("Its share in the service's quality achievement."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    is_verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Ticked once checked against the technical standard's own text."),
    )
    source = models.CharField(_("source"), max_length=250, blank=True)

    class Meta:
        ordering = ["service", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="quality_item_code_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="quality_item_quantity_not_negative"
            ),
        ]
        verbose_name = _("quality standard item")
        verbose_name_plural = _("quality standard items")


class IndexParts(models.Model):
    """How an edition's SPM index weighs its parts per service: A people served to standard and
    B minimum quality (80 / 20 in existing SPM reporting tools: unverified, DOMAIN.md §7)."""

    edition = models.OneToOneField(
        SPMEdition,
        on_delete=models.CASCADE,
        related_name="index_parts",
        verbose_name=_("edition"),
    )
    people_served_weight = models.DecimalField(
        _("weight of people served (A, %)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(80),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    quality_weight = models.DecimalField(
        _("weight of quality (B, %)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(20),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    missing_quality_as_zero = models.BooleanField(
        _("quality not reported counts as 0"),
        default=False,
        help_text=_(
            "Off: a service without quality data is indexed on people served alone (and "
            "marked so). On: its quality part counts as 0."
        ),
    )
    is_verified = models.BooleanField(_("verified"), default=False)
    source = models.CharField(_("source"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("index parts")
        verbose_name_plural = _("index parts")

    def __str__(self) -> str:
        return f"{self.edition}: A {self.people_served_weight} / B {self.quality_weight}"


REPORT_AREA_PATHS = {
    "province": "puskesmas__district__province",
    "district": "puskesmas__district",
    "puskesmas": "puskesmas",
}


class QualityReport(AreaOwned, Reviewed):
    """What a puskesmas has of the quality standard in one quarter: draft -> submitted ->
    returned (with a reason) or approved by its district, reopened with a reason (the one
    review workflow: kernel.models.Reviewed, kernel/reviews.py)."""

    area_paths = REPORT_AREA_PATHS

    puskesmas = models.ForeignKey(
        Puskesmas,
        on_delete=models.PROTECT,
        related_name="quality_reports",
        verbose_name=_("puskesmas"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )

    class Meta:
        ordering = ["-year", "-quarter", "puskesmas__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["puskesmas", "year", "quarter"], name="quality_report_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="quality_report_quarter_1_4",
            ),
        ]
        indexes = [models.Index(fields=["year", "quarter", "status"], name="quality_report_q")]
        verbose_name = _("quality report")
        verbose_name_plural = _("quality reports")

    transition_refused = _("This quality report is %(status)s: it cannot be changed that way now.")
    transition_stale = _(
        "The quality report changed since you opened it: reload the page, check it and try again."
    )

    def __str__(self) -> str:
        return f"{self.puskesmas} {self.year} Q{self.quarter}"

    def audit_area(self) -> dict[str, int | None]:
        return {
            "province_id": self.puskesmas.district.province_id,
            "district_id": self.puskesmas.district_id,
            "puskesmas_id": self.puskesmas_id,
        }

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class QualityValue(AreaOwned, Versioned):
    """One item of a quality report: how much is needed for the target group (pre-filled from
    the target of record and the item's quantity, editable) and how much is available."""

    area_paths = {kind: f"report__{path}" for kind, path in REPORT_AREA_PATHS.items()}

    report = models.ForeignKey(
        QualityReport, on_delete=models.CASCADE, related_name="values", verbose_name=_("report")
    )
    item = models.ForeignKey(
        QualityItem, on_delete=models.PROTECT, related_name="values", verbose_name=_("item")
    )
    needed = models.DecimalField(
        _("needed"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    available = models.DecimalField(
        _("available"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["report", "item__service__number", "item__order", "item"]
        constraints = [
            models.UniqueConstraint(fields=["report", "item"], name="quality_value_unique"),
            models.CheckConstraint(
                condition=models.Q(needed__isnull=True) | models.Q(needed__gte=0),
                name="quality_value_needed_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(available__isnull=True) | models.Q(available__gte=0),
                name="quality_value_available_not_negative",
            ),
        ]
        verbose_name = _("quality value")
        verbose_name_plural = _("quality values")

    def __str__(self) -> str:
        return f"{self.report_id} {self.item_id}: {self.available}/{self.needed}"

    @property
    def gap(self) -> Decimal | None:
        """How much is missing (0 when enough); None while either figure is blank."""
        if self.needed is None or self.available is None:
            return None
        return max(Decimal(0), self.needed - self.available)

    @property
    def met_percent(self) -> Decimal | None:
        """Available against needed, capped at 100; None without a need."""
        if not self.needed or self.available is None:
            return None
        return min(Decimal(100), Decimal(100) * self.available / self.needed).quantize(
            Decimal("0.01")
        )
