"""The audit log: one row per step of any reviewed object's workflow (STYLE.md §15 "Reviews and
audit").

Monthly reports, plans and a district's yearly targets (and every later reviewed object) write
their steps here through `kernel.audit` (`transition`, `record`); every history page reads
them through `kernel.selectors.audit.audit_history`. Each row carries the area of its object
(province, district, puskesmas) so the log is scoped like everything else (STYLE.md §3).
Per-cell value changes stay in `ValueChange`, domain records of RTL status in workshops.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .areas import AreaOwned


class AuditEvent(AreaOwned, models.Model):
    """A step of an object's workflow: who did what, when, from which status to which, and why."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        SAVED = "saved", _("Saved")
        IMPORTED = "imported", _("Imported from Excel")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        LOCKED = "locked", _("Locked")
        UNLOCK_REQUESTED = "unlock_requested", _("Unlock requested")
        UNLOCK_REFUSED = "unlock_refused", _("Unlock refused")
        UNLOCKED = "unlocked", _("Unlocked")
        REOPENED = "reopened", _("Reopened")
        ACTIVITY_DELETED = "activity_deleted", _("Activity deleted")
        DELETED = "deleted", _("Deleted")
        # Accounts (kernel.services.accounts): never a password in `data`.
        ACCOUNT_CREATED = "account_created", _("Account created")
        ACCOUNT_CHANGED = "account_changed", _("Account changed")
        DEACTIVATED = "deactivated", _("Deactivated")
        REACTIVATED = "reactivated", _("Reactivated")
        LOGIN_LINK_ISSUED = "login_link_issued", _("First-login link made")
        PASSWORD_SET = "password_set", _("Password set")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset by e-mail")
        # Two-factor sign-in (kernel.twofactor).
        TWO_FACTOR_ENABLED = "2fa_enabled", _("Two-factor sign-in turned on")
        TWO_FACTOR_DISABLED = "2fa_disabled", _("Two-factor sign-in turned off")
        TWO_FACTOR_CODES_RENEWED = "2fa_codes_renewed", _("New recovery codes made")
        TWO_FACTOR_RESET = "2fa_reset", _("Two-factor sign-in reset by a manager")

    # Every event carries its province (and district, puskesmas when its object has them).
    area_paths = {"province": "province", "district": "district", "puskesmas": "puskesmas"}

    province = models.ForeignKey(
        "kernel.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    district = models.ForeignKey(
        "kernel.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    puskesmas = models.ForeignKey(
        "kernel.Puskesmas",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("puskesmas"),
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind of object")
    )
    object_id = models.PositiveBigIntegerField(_("object"))
    obj = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        db_table = "indicators_auditevent"  # its table from before the kernel app
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="audit_object_at"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.action} by {self.by_id}"
