"""Who does what across agencies (issue #16 must-have 5): per district, service and year, which
agency or partner provides data, delivers, funds or mobilises, tied to the commitments and RTL
items that carry it; and the data the district asks other agencies for, tracked to use."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import SPMService
from kernel.models import AreaOwned, District, PartnerOrganisation
from kernel.models.edits import Versioned

from .stages import DISTRICT_PATHS


class RoleAssignment(AreaOwned, Versioned):
    """One cell of the role matrix: an agency's role in one service of the district's year."""

    class Role(models.TextChoices):
        DATA = "data", _("Provides data")
        DELIVERS = "delivers", _("Delivers")
        FUNDS = "funds", _("Funds")
        MOBILISES = "mobilises", _("Mobilises")

    area_paths = DISTRICT_PATHS

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="spm_roles", verbose_name=_("district")
    )
    service = models.ForeignKey(
        SPMService, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    partner = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spm_roles",
        verbose_name=_("partner organisation"),
    )
    agency = models.CharField(
        _("agency"),
        max_length=150,
        blank=True,
        help_text=_("When it is not one of the district's partner organisations (e.g. Dinkes)."),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    description = models.TextField(
        _("what it does"), help_text=_("e.g. lists who is eligible for JKN premium assistance.")
    )
    # The forum that agreed it, and the commitments and RTL items that carry it.
    meeting = models.ForeignKey(
        "workshops.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="spm_roles",
        verbose_name=_("agreed at"),
    )
    commitments = models.ManyToManyField(
        "workshops.Commitment", blank=True, related_name="spm_roles", verbose_name=_("commitments")
    )
    follow_ups = models.ManyToManyField(
        "workshops.FollowUp", blank=True, related_name="spm_roles", verbose_name=_("RTL items")
    )

    class Meta:
        ordering = ["district", "year", "service__number", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(partner__isnull=True, agency=""),
                name="role_names_an_agency",
            )
        ]
        indexes = [models.Index(fields=["district", "year"], name="role_district_year")]
        verbose_name = _("agency role")
        verbose_name_plural = _("agency roles")

    def __str__(self) -> str:
        return f"{self.agency_name}: {self.get_role_display()}"

    @property
    def agency_name(self) -> str:
        return self.partner.name if self.partner_id else self.agency

    def audit_area(self) -> dict[str, int | None]:
        """Where the role's events are seen (kernel.audit): its district and province."""
        return {
            "province_id": self.district.province_id,
            "district_id": self.district_id,
            "puskesmas_id": None,
        }


class DataRequest(AreaOwned, Versioned):
    """Data the district asks another agency for: asked -> promised by a date -> received ->
    used (for which target or stage)."""

    class Status(models.TextChoices):
        ASKED = "asked", _("Asked")
        PROMISED = "promised", _("Promised")
        RECEIVED = "received", _("Received")
        USED = "used", _("Used")

    area_paths = DISTRICT_PATHS

    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="data_requests",
        verbose_name=_("district"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    service = models.ForeignKey(
        SPMService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    partner = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="data_requests",
        verbose_name=_("partner organisation"),
    )
    agency = models.CharField(_("agency"), max_length=150, blank=True)
    data = models.CharField(_("data asked for"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ASKED
    )
    asked_on = models.DateField(_("asked on"))
    promised_by = models.DateField(_("promised by"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    used_for = models.CharField(_("used for"), max_length=300, blank=True)
    meeting = models.ForeignKey(
        "workshops.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="data_requests",
        verbose_name=_("asked at"),
    )

    class Meta:
        ordering = ["district", "-year", "asked_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(partner__isnull=True, agency=""),
                name="data_request_names_an_agency",
            )
        ]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")

    def __str__(self) -> str:
        return f"{self.agency_name}: {self.data}"

    @property
    def agency_name(self) -> str:
        return self.partner.name if self.partner_id else self.agency

    def audit_area(self) -> dict[str, int | None]:
        """Where the request's events are seen (kernel.audit): its district and province."""
        return {
            "province_id": self.district.province_id,
            "district_id": self.district_id,
            "puskesmas_id": None,
        }

    def is_late(self, today: datetime.date | None = None) -> bool:
        """Promised by a date that has passed, and not received yet."""
        return (
            self.status == self.Status.PROMISED
            and self.promised_by is not None
            and self.promised_by < (today or timezone.localdate())
        )
