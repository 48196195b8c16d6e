"""Notifications (issue #15): what happened that someone should know, in their inbox and by
e-mail (kernel.notifications writes them, kernel.selectors.notifications reads them).

Each row is for one recipient and carries the area of its object, like AuditEvent, so nothing
of another area is ever shown (the inbox also filters by the recipient's area). `key`
de-duplicates: a daily scan or a repeated event that would say the same thing again finds the
row already there.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .areas import AreaOwned


class Notification(AreaOwned, models.Model):
    """One message to one person: what happened, where to do something about it."""

    area_paths = {"province": "province", "district": "district", "puskesmas": "puskesmas"}

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # A local path (never another host): kernel.views.notifications opens it.
    url = models.CharField(_("link"), max_length=300, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kind of object"),
    )
    object_id = models.PositiveBigIntegerField(_("object"), null=True, blank=True)
    obj = GenericForeignKey("content_type", "object_id")
    province = models.ForeignKey(
        "kernel.Province",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    district = models.ForeignKey(
        "kernel.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    puskesmas = models.ForeignKey(
        "kernel.Puskesmas",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("puskesmas"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    key = models.CharField(_("key"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notification_key_once"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(emailed_at__isnull=True, read_at__isnull=True),
                name="notification_unsent",
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
