"""The implementation plan (RPK): approved activities of the year scheduled month by month."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kernel.models import AreaOwned

from .plans import PLAN_AREA_PATHS, Activity, _via


class Realisation(models.TextChoices):
    PLANNED = "planned", _("Not yet reported")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


class ScheduleEntry(AreaOwned, models.Model):
    """What of an activity is done in one month: how much, where, at what cost; and, once the
    month is under way, whether it was done and what it cost (realisation)."""

    Realisation = Realisation

    area_paths = _via("activity__plan", PLAN_AREA_PATHS)

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="schedule", verbose_name=_("activity")
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    volume = models.CharField(
        _("volume"), max_length=100, blank=True, help_text=_("How much, e.g. 2 sessions.")
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    details = models.CharField(_("details"), max_length=300, blank=True)
    cost_idr = models.DecimalField(
        _("cost (Rp)"),
        max_digits=15,
        decimal_places=0,
        default=0,
        validators=[MinValueValidator(0)],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Realisation (issue #16, the e-SPM report's part C): entered once the month is under way,
    # by the puskesmas for its RPK and by the district for the Dinkes plan.
    realisation = models.CharField(
        _("realisation"), max_length=10, choices=Realisation.choices, default=Realisation.PLANNED
    )
    cost_realised_idr = models.DecimalField(
        _("cost realised (Rp)"),
        max_digits=15,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    realisation_note = models.CharField(
        _("realisation note"),
        max_length=300,
        blank=True,
        help_text=_("What was done, or why not."),
    )
    realised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("realisation entered by"),
    )
    realised_at = models.DateTimeField(_("realisation entered at"), null=True, blank=True)
    # Bumped by every realisation save: a save over someone else's newer one is refused.
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["month", "activity", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="schedule_month_1_12"
            ),
            models.CheckConstraint(
                condition=models.Q(cost_idr__gte=0), name="schedule_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(cost_realised_idr__isnull=True)
                | models.Q(cost_realised_idr__gte=0),
                name="schedule_realised_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["activity", "month"], name="schedule_activity_month")]
        verbose_name = _("schedule entry")
        verbose_name_plural = _("schedule entries")

    def __str__(self) -> str:
        return f"{self.activity} ({self.month})"

    # Realisation saves go through kernel.versioning.save_versioned, which records who and when
    # as `updated_by` / `updated_at`: on an entry, that is who entered the realisation.
    @property
    def updated_by(self):
        return self.realised_by

    @updated_by.setter
    def updated_by(self, user) -> None:
        self.realised_by = user

    @property
    def updated_at(self):
        return self.realised_at

    @updated_at.setter
    def updated_at(self, moment) -> None:
        self.realised_at = moment

    @property
    def is_reported(self) -> bool:
        """Marked done or not done (its realisation counts in the budget's part C)."""
        return self.realisation != Realisation.PLANNED

    def audit_area(self) -> dict[str, int | None]:
        """Where its realisation events are seen: those of its plan."""
        return self.activity.plan.audit_area()

    @property
    def month_name(self) -> str:
        return str(MONTHS.get(self.month, self.month))
