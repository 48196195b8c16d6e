"""Monthly SPM reports: one per puskesmas per month, a value per desa and service, and their audit.

Workflow (DOMAIN.md §2, DHIS2's data approval): draft -> submitted (puskesmas) -> returned with a
reason, or approved (district) -> locked. After approval nothing changes unless the district
unlocks with a reason. Empty is not zero: a value that is None was not reported.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.models import AreaOwned, Puskesmas, Village

from .spm import SPMService

REPORT_AREA_PATHS = {
    "province": "puskesmas__district__province",
    "district": "puskesmas__district",
    "puskesmas": "puskesmas",
}


class MonthlyReportQuerySet(models.QuerySet):
    def for_year(self, year: int) -> MonthlyReportQuerySet:
        return self.filter(year=year)

    def approved(self) -> MonthlyReportQuerySet:
        """Approved or locked: the data the district and province count."""
        return self.filter(status__in=MonthlyReport.APPROVED_STATUSES)


class MonthlyReport(AreaOwned, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        LOCKED = "locked", _("Locked")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
    APPROVED_STATUSES = (Status.APPROVED, Status.LOCKED)

    area_paths = REPORT_AREA_PATHS

    puskesmas = models.ForeignKey(
        Puskesmas, on_delete=models.PROTECT, related_name="reports", verbose_name=_("puskesmas")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Bumped by every write: a save based on an older version is refused (no lost update).
    version = models.PositiveIntegerField(_("version"), default=1)
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("approved or returned at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or returned by"),
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    # After a resubmission: how many values changed since the report was returned.
    changes_since_return = models.PositiveIntegerField(
        _("values changed since return"), null=True, blank=True
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("locked by"),
    )

    # Its workflow steps, in the one audit log (kernel.audit); read via audit_history.
    events = GenericRelation("kernel.AuditEvent")

    objects = MonthlyReportQuerySet.as_manager()

    transition_refused = _("This report is %(status)s: it cannot be changed that way now.")
    transition_stale = _("The report changed since you opened it: reload the page.")

    class Meta:
        ordering = ["-year", "-month", "puskesmas__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["puskesmas", "year", "month"], name="report_puskesmas_month_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="report_month_1_12"
            ),
        ]
        indexes = [models.Index(fields=["year", "month", "status"])]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")

    def __str__(self) -> str:
        return f"{self.puskesmas} {self.period_label}"

    @property
    def period_label(self) -> str:
        from django.utils.formats import date_format

        return date_format(datetime.date(self.year, self.month, 1), "F Y")

    STATUS_SYMBOLS = {
        "draft": "✎",
        "submitted": "⇧",
        "returned": "↩",
        "approved": "✓",
        "locked": "■",
    }

    @property
    def status_symbol(self) -> str:
        """A language-neutral mark for dense tables (legend: Status labels)."""
        return self.STATUS_SYMBOLS[self.status]

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_approved(self) -> bool:
        return self.status in self.APPROVED_STATUSES

    def audit_area(self) -> dict[str, int | None]:
        """Where the report's events are seen: its puskesmas, district and province."""
        return {
            "province_id": self.puskesmas.district.province_id,
            "district_id": self.puskesmas.district_id,
            "puskesmas_id": self.puskesmas_id,
        }

    @property
    def is_late(self) -> bool:
        """Submitted after its deadline, or still not submitted once the deadline has passed."""
        return self.late_on(timezone.localdate())

    def is_due(self, today: datetime.date) -> bool:
        """Whether this month's deadline has passed on `today`: only then does the report count
        in completeness and timeliness (ReportingYear.months_due is the same rule)."""
        return today > self.due_on

    def late_on(self, today: datetime.date) -> bool:
        """`is_late` as of `today` (a page of many reports asks for the date once)."""
        first = self.first_submitted_at
        if first is not None:
            return timezone.localdate(first) > self.due_on
        return today > self.due_on


class MonthlyValue(AreaOwned, models.Model):
    """People served to standard in one desa for one service in the report's month."""

    area_paths = {key: f"report__{path}" for key, path in REPORT_AREA_PATHS.items()}

    report = models.ForeignKey(
        MonthlyReport, on_delete=models.CASCADE, related_name="values", verbose_name=_("report")
    )
    village = models.ForeignKey(Village, on_delete=models.PROTECT, verbose_name=_("village"))
    service = models.ForeignKey(SPMService, on_delete=models.PROTECT, verbose_name=_("service"))
    # None: not reported. 0: reported, nobody served.
    value = models.PositiveIntegerField(_("people served"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    # The report's version this cell was last written at. A save based on an older version
    # that would change this cell has not seen that write: a per-cell conflict (issue #13).
    version = models.PositiveIntegerField(_("version"), default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "village", "service"], name="value_report_cell_unique"
            )
        ]
        indexes = [models.Index(fields=["village", "service"])]
        verbose_name = _("monthly value")
        verbose_name_plural = _("monthly values")

    def __str__(self) -> str:
        return f"{self.report_id} {self.village_id} {self.service_id}: {self.value}"


class ValueChange(AreaOwned, models.Model):
    """Audit: every change of a value or its comment, with who, when, old, new and why."""

    area_paths = MonthlyValue.area_paths

    report = models.ForeignKey(
        MonthlyReport, on_delete=models.CASCADE, related_name="changes", verbose_name=_("report")
    )
    village = models.ForeignKey(Village, on_delete=models.PROTECT, verbose_name=_("village"))
    service = models.ForeignKey(SPMService, on_delete=models.PROTECT, verbose_name=_("service"))
    old_value = models.PositiveIntegerField(_("old value"), null=True, blank=True)
    new_value = models.PositiveIntegerField(_("new value"), null=True, blank=True)
    old_comment = models.TextField(_("old comment"), blank=True)
    new_comment = models.TextField(_("new comment"), blank=True)
    status = models.CharField(_("report status then"), max_length=10)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("value change")
        verbose_name_plural = _("value changes")

    def __str__(self) -> str:
        return f"{self.report_id} {self.village_id}: {self.old_value} -> {self.new_value}"


class UnlockRequest(AreaOwned, models.Model):
    """A puskesmas asks the district to reopen an approved report, and sees the answer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the district")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    area_paths = MonthlyValue.area_paths

    report = models.ForeignKey(
        MonthlyReport,
        on_delete=models.CASCADE,
        related_name="unlock_requests",
        verbose_name=_("report"),
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    answer = models.TextField(_("answer"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(status="pending"),
                name="unlock_request_one_pending",
            )
        ]
        verbose_name = _("unlock request")
        verbose_name_plural = _("unlock requests")

    def __str__(self) -> str:
        return f"{self.report_id} unlock {self.status}"
