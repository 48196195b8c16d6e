"""Plans and their activities (DOMAIN.md §3, P1).

A puskesmas proposes next year's activities in its RUK (rencana usulan kegiatan): draft ->
submitted -> returned (with a reason) or approved by its district. The district health office
keeps its own plan (the Dinkes plan) the same way, without review. Every activity carries the RUK
columns and where it came from: an SPM gap (with the figures of the quarter it was seen in), an
RTL item of a meeting, or a Musrenbang proposal.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import SPMService
from kernel.models import AreaOwned, District, FundingSource, Puskesmas, ServicePoint

from .budget import BudgetSubActivity

PLAN_AREA_PATHS = {
    "province": "district__province",
    "district": "district",
    "puskesmas": "puskesmas",
}


def _via(prefix: str, paths: dict[str, str]) -> dict[str, str]:
    return {kind: f"{prefix}__{lookup}" for kind, lookup in paths.items()}


class Plan(AreaOwned, models.Model):
    """The RUK of one puskesmas for one year, or (without a puskesmas) the Dinkes plan."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    area_paths = PLAN_AREA_PATHS

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="plans", verbose_name=_("district")
    )
    puskesmas = models.ForeignKey(
        Puskesmas,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("puskesmas"),
        help_text=_("Empty for the district health office's own plan."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # Bumped by every change to the plan or its activities: a reviewer approves what they saw.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    decided_at = models.DateTimeField(_("approved or returned at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or returned by"),
    )
    # Its workflow steps, in the one audit log (kernel.audit); read via audit_history.
    events = GenericRelation("kernel.AuditEvent")

    class Meta:
        ordering = ["-year", "district", "puskesmas__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["puskesmas", "year"],
                condition=models.Q(puskesmas__isnull=False),
                name="plan_one_ruk_per_puskesmas_year",
            ),
            models.UniqueConstraint(
                fields=["district", "year"],
                condition=models.Q(puskesmas__isnull=True),
                name="plan_one_dinkes_plan_per_district_year",
            ),
        ]
        indexes = [models.Index(fields=["district", "year", "status"], name="plan_district_year")]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    transition_refused = _("This plan is %(status)s: it cannot be changed that way now.")
    transition_stale = _(
        "The plan changed since you opened it: reload the page, check it and try again."
    )

    def __str__(self) -> str:
        return f"{self.owner} {self.year}"

    def audit_area(self) -> dict[str, int | None]:
        """Where the plan's events are seen: its puskesmas (none for the Dinkes plan), district
        and province."""
        return {
            "province_id": self.district.province_id,
            "district_id": self.district_id,
            "puskesmas_id": self.puskesmas_id,
        }

    @property
    def is_dinkes(self) -> bool:
        return self.puskesmas_id is None

    @property
    def owner(self) -> District | Puskesmas:
        return self.district if self.is_dinkes else self.puskesmas

    @property
    def is_editable(self) -> bool:
        return self.is_dinkes or self.status in self.EDITABLE_STATUSES

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class Activity(AreaOwned, models.Model):
    """One row of a RUK (or of the Dinkes plan): the RUK columns, its budget and its origin."""

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Entered directly")
        GAP = "gap", _("SPM gap")
        RTL = "rtl", _("RTL item")
        MUSRENBANG = "musrenbang", _("Musrenbang proposal")

    area_paths = _via("plan", PLAN_AREA_PATHS)

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="activities", verbose_name=_("plan")
    )
    effort = models.CharField(
        _("health effort (upaya kesehatan)"),
        max_length=150,
        help_text=_("The program the activity belongs to, e.g. KIA-KB, Gizi, P2P, Promkes."),
    )
    name = models.CharField(_("activity"), max_length=300)
    goal = models.CharField(_("goal"), max_length=300, blank=True)
    target_group = models.CharField(_("target group"), max_length=200, blank=True)
    target = models.CharField(_("target to reach"), max_length=200, blank=True)
    responsible = models.CharField(_("person responsible"), max_length=150)
    equipment_needed = models.CharField(_("equipment needed"), max_length=300, blank=True)
    staff_needed = models.CharField(_("staff needed"), max_length=300, blank=True)
    partners = models.CharField(_("partners"), max_length=300, blank=True)
    timing = models.CharField(
        _("timing"), max_length=150, blank=True, help_text=_("When, e.g. February to November.")
    )
    budget_idr = models.DecimalField(
        _("budget needed (Rp)"),
        max_digits=15,
        decimal_places=0,
        default=0,
        validators=[MinValueValidator(0)],
    )
    indicator = models.CharField(_("performance indicator"), max_length=300, blank=True)
    funding_source = models.CharField(
        _("funding source"), max_length=12, choices=FundingSource.choices
    )
    service = models.ForeignKey(
        SPMService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SPM service"),
    )
    sub_activity = models.ForeignKey(
        BudgetSubActivity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("budget sub-activity"),
    )
    origin = models.CharField(
        _("origin"), max_length=12, choices=Origin.choices, default=Origin.MANUAL
    )
    follow_up = models.ForeignKey(
        "workshops.FollowUp",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_activities",
        verbose_name=_("RTL item"),
    )
    proposal = models.ForeignKey(
        "workshops.MusrenbangProposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_activities",
        verbose_name=_("Musrenbang proposal"),
    )
    # A posyandu or other UKBM the activity develops (issue #17), e.g. paid from Dana Desa.
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posyandu or UKBM developed"),
    )
    # The SPM gap the activity answers, as it stood when the activity was started.
    gap_year = models.PositiveSmallIntegerField(_("gap: year"), null=True, blank=True)
    gap_quarter = models.PositiveSmallIntegerField(
        _("gap: quarter"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    gap_target = models.PositiveIntegerField(_("gap: annual target"), null=True, blank=True)
    gap_served = models.PositiveIntegerField(_("gap: served year to date"), null=True, blank=True)
    gap_achievement = models.DecimalField(
        _("gap: achievement (%)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    gap_pace = models.DecimalField(
        _("gap: expected pace (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # Bumped by every save: a form opened before someone else's save is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "effort", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_idr__gte=0), name="activity_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(gap_quarter__isnull=True)
                | models.Q(gap_quarter__gte=1, gap_quarter__lte=4),
                name="activity_gap_quarter_1_4",
            ),
        ]
        indexes = [models.Index(fields=["plan", "service"], name="activity_plan_service")]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.name

    @property
    def shortfall(self) -> int | None:
        """People short of the pace when the gap was seen (None without a gap)."""
        if self.gap_target is None or self.gap_served is None or self.gap_pace is None:
            return None
        expected = math.ceil(self.gap_target * self.gap_pace / 100)  # whole people
        return max(0, expected - self.gap_served)
