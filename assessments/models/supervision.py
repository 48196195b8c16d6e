"""Supervision of health units: the district plans and records its visits to puskesmas (date,
team, a checklist as an instrument, findings, RTL); they feed the PKP page and the mentoring
records (issue #18)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.models import AreaOwned, Puskesmas, Versioned
from workshops.models.outcomes import Tracked

from .base import PUSKESMAS_PATHS, below, puskesmas_audit_area, score_field
from .instruments import Instrument, Item


class SupervisionVisit(AreaOwned, Versioned):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    area_paths = PUSKESMAS_PATHS

    puskesmas = models.ForeignKey(
        Puskesmas, on_delete=models.PROTECT, related_name="+", verbose_name=_("puskesmas")
    )
    planned_on = models.DateField(_("planned for"))
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    team = models.TextField(_("team"), help_text=_("Names and positions, one per line."))
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checklist"),
    )
    findings = models.TextField(_("findings"), blank=True)
    score = score_field(_("checklist score"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = _("supervision visit")
        verbose_name_plural = _("supervision visits")

    def __str__(self) -> str:
        return f"{self.puskesmas} {self.visited_on or self.planned_on}"

    def audit_area(self) -> dict[str, int | None]:
        return puskesmas_audit_area(self.puskesmas)


class SupervisionScore(AreaOwned, Versioned):
    area_paths = below(PUSKESMAS_PATHS, "visit")

    visit = models.ForeignKey(
        SupervisionVisit, on_delete=models.CASCADE, related_name="scores", verbose_name=_("visit")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    score = score_field(_("score"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["visit", "item__section__order", "item__order", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="supervision_score_unique")
        ]
        verbose_name = _("supervision score")
        verbose_name_plural = _("supervision scores")

    def __str__(self) -> str:
        return f"{self.visit} {self.item.code}"

    def audit_area(self) -> dict[str, int | None]:
        return self.visit.audit_area()


class SupervisionAction(AreaOwned, Versioned, Tracked):
    """A finding of a visit and the RTL agreed with the puskesmas, followed to done."""

    area_paths = below(PUSKESMAS_PATHS, "visit")

    visit = models.ForeignKey(
        SupervisionVisit, on_delete=models.CASCADE, related_name="actions", verbose_name=_("visit")
    )
    finding = models.TextField(_("finding"))
    action = models.TextField(_("follow-up (RTL)"))
    responsible = models.CharField(_("person responsible"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["visit", "due_on", "pk"]
        verbose_name = _("supervision RTL item")
        verbose_name_plural = _("supervision RTL items")

    def __str__(self) -> str:
        return self.action[:80]

    def audit_area(self) -> dict[str, int | None]:
        return self.visit.audit_area()
