"""What every edit and create shares (kernel/versioning.py has the rules)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy


class Versioned(models.Model):
    """Mixin for a model users edit: its version, and who saved it last and when."""

    version = models.PositiveIntegerField(gettext_lazy("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("saved by"),
    )
    updated_at = models.DateTimeField(gettext_lazy("saved at"), null=True, blank=True)

    class Meta:
        abstract = True


class SubmittedForm(models.Model):
    """A create form's one-time token and what it created: a second post of the same form
    (double click, resend, a retry over a slow link) gets the same object back."""

    token = models.UUIDField(gettext_lazy("token"), unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True)
    object_id = models.PositiveBigIntegerField(null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "indicators_submittedform"  # its table from before the kernel app
        verbose_name = gettext_lazy("submitted form")
        verbose_name_plural = gettext_lazy("submitted forms")

    def __str__(self) -> str:
        return str(self.token)
