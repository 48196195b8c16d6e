"""What a meeting produces: problems and their priority and root causes, follow-up plans (RTL),
commitments of partner organisations, and proposals for the kecamatan Musrenbang.

RTL items and commitments are tracked to done across quarters: planned -> in progress -> done
(with evidence) or dropped (with a reason). Each change is kept as a StatusUpdate, stamped with
the meeting that reviewed it when there was one (DOMAIN.md §3, RTL columns).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import SPMService
from kernel.models import (
    AreaOwned,
    FundingSource,
    PartnerOrganisation,
    ServicePoint,
    Subdistrict,
    Village,
)
from kernel.models.edits import Versioned

from .meetings import MEETING_AREA_PATHS, SECTOR_CHOICES, Meeting, _via_meeting


class Problem(AreaOwned, Versioned):
    """A problem found at a meeting, linked where it fits to a service and a desa, with scores."""

    area_paths = _via_meeting(MEETING_AREA_PATHS)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="problems", verbose_name=_("meeting")
    )
    statement = models.CharField(_("problem"), max_length=300)
    evidence = models.CharField(
        _("data"), max_length=300, blank=True, help_text=_("The figures that show the problem.")
    )
    service = models.ForeignKey(
        SPMService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SPM service"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    # A posyandu or other UKBM the problem or item is about (issue #17).
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posyandu or UKBM"),
    )
    # Criterion code -> score, for the meeting's method (workshops.priority checks the scales).
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    priority_score = models.DecimalField(
        _("priority score"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")

    def __str__(self) -> str:
        return self.statement


class RootCause(AreaOwned, models.Model):
    """One bone of the fishbone: a cause of a problem in one of six categories."""

    class Category(models.TextChoices):
        MAN = "man", _("Man (people)")
        METHOD = "method", _("Method")
        MATERIAL = "material", _("Material")
        MACHINE = "machine", _("Machine (equipment)")
        MONEY = "money", _("Money")
        ENVIRONMENT = "environment", _("Environment")

    area_paths = {kind: f"problem__{lookup}" for kind, lookup in Problem.area_paths.items()}

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="causes", verbose_name=_("problem")
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.CharField(_("cause"), max_length=300)

    class Meta:
        ordering = ["problem", "category", "pk"]
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")

    def __str__(self) -> str:
        return self.description


class Tracked(models.Model):
    """Status of an item followed until done: RTL items and commitments."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    # The evidence of a done item, or the reason an item was dropped.
    status_note = models.TextField(_("evidence or reason"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status changed by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


class FollowUp(AreaOwned, Versioned, Tracked):
    """An RTL item (rencana tindak lanjut): who does what by when, at what cost, to what end."""

    area_paths = _via_meeting(MEETING_AREA_PATHS)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("meeting")
    )
    problem = models.ForeignKey(
        Problem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("problem"),
    )
    root_cause = models.ForeignKey(
        RootCause,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("root cause"),
    )
    activity = models.CharField(_("activity"), max_length=300)
    goal = models.CharField(_("goal"), max_length=300, blank=True)
    target_group = models.CharField(_("target group"), max_length=200, blank=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    responsible = models.CharField(_("person responsible"), max_length=150)
    sector = models.CharField(
        _("related sector"), max_length=30, choices=SECTOR_CHOICES, blank=True
    )
    partner = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("partner organisation"),
    )
    cost_idr = models.BigIntegerField(
        _("cost (Rp)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    funding_source = models.CharField(
        _("funding source"), max_length=12, choices=FundingSource.choices, blank=True
    )
    success_indicator = models.CharField(_("success indicator"), max_length=300, blank=True)
    # A posyandu or other UKBM the problem or item is about (issue #17).
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posyandu or UKBM"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="follow_up_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cost_idr__isnull=True) | models.Q(cost_idr__gte=0),
                name="follow_up_cost_not_negative",
            )
        ]
        verbose_name = _("RTL item")
        verbose_name_plural = _("RTL items")

    def __str__(self) -> str:
        return self.activity


class Commitment(AreaOwned, Versioned, Tracked):
    """What one party (usually a partner organisation) commits to at a meeting, by when."""

    area_paths = _via_meeting(MEETING_AREA_PATHS)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("meeting")
    )
    partner = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("partner organisation"),
    )
    party = models.CharField(
        _("party"), max_length=150, help_text=_("The organisation as it signs the agreement.")
    )
    sector = models.CharField(_("sector"), max_length=30, choices=SECTOR_CHOICES, blank=True)
    description = models.TextField(_("commitment"))
    signatory_name = models.CharField(_("signed by"), max_length=150, blank=True)
    signatory_position = models.CharField(_("signatory's position"), max_length=150, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="commitment_status_due")]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return f"{self.party}: {self.description[:60]}"


class StatusUpdate(models.Model):
    """One change of an RTL item's or commitment's status, with its evidence or reason."""

    follow_up = models.ForeignKey(
        FollowUp,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("RTL item"),
    )
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("commitment"),
    )
    # The meeting that reviewed the item, when the change was made in one.
    reviewed_in = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="status_updates",
        verbose_name=_("reviewed in"),
    )
    old_status = models.CharField(_("from"), max_length=12, choices=Tracked.Status.choices)
    new_status = models.CharField(_("to"), max_length=12, choices=Tracked.Status.choices)
    note = models.TextField(_("evidence or reason"), blank=True)
    evidence = models.FileField(_("evidence file"), upload_to="meetings/evidence/%Y/", blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(follow_up__isnull=False, commitment__isnull=True)
                    | models.Q(follow_up__isnull=True, commitment__isnull=False)
                ),
                name="status_update_one_item",
            )
        ]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")

    def __str__(self) -> str:
        return f"{self.old_status} -> {self.new_status}"


class MusrenbangProposal(AreaOwned, Versioned):
    """A health proposal a meeting sends to the kecamatan Musrenbang, and what became of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for Musrenbang")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        FUNDED = "funded", _("Funded")

    area_paths = _via_meeting(MEETING_AREA_PATHS)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("meeting")
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.PROTECT,
        related_name="musrenbang_proposals",
        verbose_name=_("subdistrict"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    title = models.CharField(_("proposal"), max_length=300)
    description = models.TextField(_("description and reason"), blank=True)
    service = models.ForeignKey(
        SPMService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SPM service"),
    )
    volume = models.CharField(_("volume"), max_length=100, blank=True)
    estimated_cost_idr = models.BigIntegerField(
        _("estimated cost (Rp)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=1)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    funding_source = models.CharField(
        _("funded from"), max_length=12, choices=FundingSource.choices, blank=True
    )
    budget_year = models.PositiveSmallIntegerField(_("budget year"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome recorded by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["subdistrict", "priority", "pk"]
        verbose_name = _("Musrenbang proposal")
        verbose_name_plural = _("Musrenbang proposals")

    def __str__(self) -> str:
        return self.title
