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


class ScheduleEntry(AreaOwned, models.Model):
    """What of an activity is done in one month: how much, where, at what cost."""

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
        ]
        indexes = [models.Index(fields=["activity", "month"], name="schedule_activity_month")]
        verbose_name = _("schedule entry")
        verbose_name_plural = _("schedule entries")

    def __str__(self) -> str:
        return f"{self.activity} ({self.month})"

    @property
    def month_name(self) -> str:
        return str(MONTHS.get(self.month, self.month))
