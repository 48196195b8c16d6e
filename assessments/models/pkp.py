"""The yearly puskesmas performance assessment (PKP, the P3 step; DOMAIN.md §3, §7).

The puskesmas assesses itself (self scores, service figures, problems and RTL per shortfall),
submits; the district verifies item by item (a verified score that differs from the self score
needs a reason), gives feedback and ranks it good / fair / poor by the edition's bands. The
review steps are kernel.reviews (PkpAssessment is kernel.models.Reviewed)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kernel.models import AreaOwned, Puskesmas, Reviewed, Versioned

from .base import PUSKESMAS_PATHS, below, puskesmas_audit_area, score_field, year_field
from .instruments import Instrument, Item, Rank


class PkpAssessment(AreaOwned, Reviewed):
    area_paths = PUSKESMAS_PATHS

    puskesmas = models.ForeignKey(
        Puskesmas, on_delete=models.PROTECT, related_name="+", verbose_name=_("puskesmas")
    )
    year = year_field()
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="+", verbose_name=_("instrument")
    )
    # Kept by the services after every save and verification (assessments/scoring.py).
    service_score = score_field(_("service part (% of target)"))
    management_score = score_field(_("management part (score)"))
    service_rank = models.CharField(
        _("service rank"), max_length=6, choices=Rank.choices, blank=True
    )
    management_rank = models.CharField(
        _("management rank"), max_length=6, choices=Rank.choices, blank=True
    )
    rank = models.CharField(_("rank"), max_length=6, choices=Rank.choices, blank=True)
    ranked_at = models.DateTimeField(_("ranked at"), null=True, blank=True)
    ranked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ranked by"),
    )
    # The district's written feedback to the puskesmas (sent with the approval).
    feedback = models.TextField(_("feedback"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "puskesmas__name"]
        constraints = [
            models.UniqueConstraint(fields=["puskesmas", "year"], name="pkp_one_per_year")
        ]
        verbose_name = _("puskesmas performance assessment (PKP)")
        verbose_name_plural = _("puskesmas performance assessments (PKP)")

    def __str__(self) -> str:
        return f"PKP {self.puskesmas} {self.year}"

    def audit_area(self) -> dict[str, int | None]:
        return puskesmas_audit_area(self.puskesmas)

    transition_refused = _("This assessment is %(status)s: it cannot be changed that way now.")
    transition_stale = _(
        "The assessment changed since you opened it: reload the page, check it and try again."
    )


class PkpServiceResult(AreaOwned, Versioned):
    """One activity of the service part: its figures for the year, and what is done about a
    shortfall (problem, cause, RTL; linked RTL items of the puskesmas's meetings)."""

    area_paths = below(PUSKESMAS_PATHS, "assessment")

    assessment = models.ForeignKey(
        PkpAssessment,
        on_delete=models.CASCADE,
        related_name="service_results",
        verbose_name=_("assessment"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("activity")
    )
    target_group = models.PositiveIntegerField(_("target group (people)"), null=True, blank=True)
    actual = models.PositiveIntegerField(_("achieved"), null=True, blank=True)
    # Filled by the item's data rule (SPM targets and monthly values); false once typed over.
    from_data = models.BooleanField(_("filled from Simpul's data"), default=False)
    data_note = models.CharField(_("where the figures come from"), max_length=300, blank=True)
    problem = models.TextField(_("problem"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    rtl = models.TextField(_("follow-up plan (RTL)"), blank=True)
    follow_ups = models.ManyToManyField(
        "workshops.FollowUp", blank=True, related_name="+", verbose_name=_("RTL items of meetings")
    )

    class Meta:
        ordering = ["assessment", "item__section__order", "item__order", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="pkp_service_result_unique")
        ]
        verbose_name = _("PKP service result")
        verbose_name_plural = _("PKP service results")

    def __str__(self) -> str:
        return f"{self.assessment} {self.item.code}"

    @property
    def target_count(self) -> int | None:
        """People the target % asks for: target group x annual target %, rounded."""
        if self.target_group is None or self.item.target_pct is None:
            return None
        exact = Decimal(self.target_group) * self.item.target_pct / 100
        return int(exact.quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    @property
    def coverage(self) -> Decimal | None:
        """Achieved as % of the target group."""
        if self.actual is None or not self.target_group:
            return None
        return (Decimal(self.actual) * 100 / self.target_group).quantize(Decimal("0.01"))

    @property
    def pct_of_target(self) -> Decimal | None:
        """Coverage as % of the annual target, capped at 100."""
        coverage = self.coverage
        target = self.item.target_pct
        if coverage is None or not target:
            return None
        return min(Decimal("100"), (coverage * 100 / target).quantize(Decimal("0.01")))

    @property
    def is_shortfall(self) -> bool:
        pct = self.pct_of_target
        return pct is not None and pct < 100

    def audit_area(self) -> dict[str, int | None]:
        return self.assessment.audit_area()


class PkpScore(AreaOwned, Versioned):
    """One management item: the puskesmas's own score and the district's verified score. A
    verified score that differs from the self score carries the reason."""

    area_paths = below(PUSKESMAS_PATHS, "assessment")

    assessment = models.ForeignKey(
        PkpAssessment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assessment")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    self_score = score_field(_("own score"))
    self_note = models.TextField(_("evidence"), blank=True)
    from_data = models.BooleanField(_("filled from Simpul's data"), default=False)
    data_note = models.CharField(_("what the data shows"), max_length=300, blank=True)
    verified_score = score_field(_("verified score"))
    verify_reason = models.TextField(_("reason for the verified score"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )

    class Meta:
        ordering = ["assessment", "item__section__order", "item__order", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="pkp_score_unique")
        ]
        verbose_name = _("PKP management score")
        verbose_name_plural = _("PKP management scores")

    def __str__(self) -> str:
        return f"{self.assessment} {self.item.code}"

    @property
    def final_score(self):
        """The verified score once the district gave one, else the puskesmas's own."""
        return self.verified_score if self.verified_score is not None else self.self_score

    def audit_area(self) -> dict[str, int | None]:
        return self.assessment.audit_area()
