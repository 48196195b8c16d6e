"""What every edit and create shares (kernel/versioning.py has the rules)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
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


class Reviewed(Versioned):
    """A record its owner fills and a reviewer checks (the one review workflow,
    kernel/reviews.py): draft -> submitted -> returned (with the reason) or approved ->
    reopened (draft again, with the reason). Who submitted and who decided, and when; every step
    is an audit event (kernel.audit.transition)."""

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        SUBMITTED = "submitted", gettext_lazy("Submitted")
        RETURNED = "returned", gettext_lazy("Returned")
        APPROVED = "approved", gettext_lazy("Approved")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    status = models.CharField(
        gettext_lazy("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    return_reason = models.TextField(gettext_lazy("reason for returning"), blank=True)
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(gettext_lazy("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("submitted by"),
    )
    decided_at = models.DateTimeField(
        gettext_lazy("approved or returned at"), null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("approved or returned by"),
    )
    events = GenericRelation("kernel.AuditEvent")

    class Meta:
        abstract = True

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES
