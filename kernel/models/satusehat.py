"""SATUSEHAT master data (issue #19): a district's client credentials for the master-data
endpoints, and the facility proposals an import stages for the district to accept or reject."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .areas import AreaOwned, District


class SatusehatConnection(AreaOwned, models.Model):
    """One district's client credentials for SATUSEHAT (OAuth2 client credentials). The secret
    is written, never shown back on a page."""

    area_paths = {"province": "district__province", "district": "district"}

    district = models.OneToOneField(
        District,
        on_delete=models.CASCADE,
        related_name="satusehat_connection",
        verbose_name=_("district"),
    )
    base_url = models.CharField(_("environment base URL"), max_length=200)
    client_id = models.CharField(_("client id"), max_length=200)
    client_secret = models.CharField(_("client secret"), max_length=500)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("SATUSEHAT connection")
        verbose_name_plural = _("SATUSEHAT connections")

    def __str__(self) -> str:
        return f"{self.district} ({self.base_url})"


class FacilityProposal(AreaOwned, models.Model):
    """A SATUSEHAT facility of a district, as one import found it: a new puskesmas, changes to
    a matched one (old -> new, applied only when accepted), or nothing to change."""

    class Kind(models.TextChoices):
        NEW = "new", _("New puskesmas")
        CHANGED = "changed", _("Changed")
        SAME = "same", _("No change")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        UNCHANGED = "unchanged", _("Nothing to apply")
        SUPERSEDED = "superseded", _("Replaced by a later import")

    area_paths = {"province": "district__province", "district": "district"}

    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        related_name="facility_proposals",
        verbose_name=_("district"),
    )
    job = models.ForeignKey(
        "kernel.ImportJob",
        on_delete=models.CASCADE,
        related_name="facility_proposals",
        verbose_name=_("import"),
    )
    satusehat_code = models.CharField(_("SATUSEHAT code"), max_length=20)
    name = models.CharField(_("name"), max_length=150)
    # The Kemenkes code a new puskesmas gets (Pusdatin's new code, else another code).
    kemenkes_code = models.CharField(_("Kemenkes code"), max_length=20, blank=True)
    other_codes = models.JSONField(_("other codes"), default=dict, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    address = models.CharField(_("address"), max_length=250, blank=True)
    # Kemendagri codes of the address (dotted): kecamatan and desa/kelurahan.
    subdistrict_code = models.CharField(_("subdistrict code"), max_length=8, blank=True)
    village_code = models.CharField(_("village code"), max_length=13, blank=True)
    puskesmas = models.ForeignKey(
        "kernel.Puskesmas",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="satusehat_proposals",
        verbose_name=_("puskesmas"),
    )
    # The matched puskesmas's version when the changes were read: accepting applies them as
    # an edit made at that version (someone's save since is refused, not overwritten).
    puskesmas_version = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # [{"field": ..., "old": ..., "new": ...}] as text, in the order they are shown.
    changes = models.JSONField(_("changes"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["district", "kind", "name", "pk"]
        indexes = [models.Index(fields=["district", "status"])]
        verbose_name = _("SATUSEHAT facility proposal")
        verbose_name_plural = _("SATUSEHAT facility proposals")

    def __str__(self) -> str:
        return f"{self.name} ({self.satusehat_code})"

    def audit_area(self) -> dict[str, int | None]:
        return {
            "province_id": self.district.province_id,
            "district_id": self.district_id,
            "puskesmas_id": self.puskesmas_id,
        }
