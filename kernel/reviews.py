"""THE review workflow for records a puskesmas (or a district) fills and its reviewer checks:
models inherit `kernel.models.Reviewed`, services call these four steps after checking their
own rights. Each step is kernel.audit.transition: the allowed statuses, the version the page
showed, who and when, the reason, one audit event; atomic. The caller's app decides what else
happens after a step (a refresh once it commits, a notification rule on the audit event).

    draft/returned --submit--> submitted --approve--> approved --reopen(reason)--> draft
                               submitted --return(reason)--> returned
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AuditEvent, Reviewed, User

Status = Reviewed.Status
Action = AuditEvent.Action


def _decided(by: User, reason: str = "") -> dict:
    return {"return_reason": (reason or "").strip(), "decided_at": timezone.now(), "decided_by": by}


@transaction.atomic
def review_submit(record: Reviewed, *, by: User, version: int | None = None) -> Reviewed:
    """Submit a draft or returned record to its reviewer (refused when it changed since
    `version`, or is no longer editable)."""
    return audit.transition(
        record,
        by=by,
        source=record.EDITABLE_STATUSES,
        target=Status.SUBMITTED,
        action=Action.SUBMITTED,
        version=version,
        fields={"submitted_at": timezone.now(), "submitted_by": by},
    )


@transaction.atomic
def review_return(
    record: Reviewed,
    *,
    by: User,
    reason: str,
    version: int | None = None,
    reason_message: str | None = None,
) -> Reviewed:
    """Send a submitted record back with the reason its owner must read (required;
    `reason_message` says so when it is blank)."""
    return audit.transition(
        record,
        by=by,
        source=[Status.SUBMITTED],
        target=Status.RETURNED,
        action=Action.RETURNED,
        version=version,
        reason=reason,
        reason_required=True,
        reason_message=reason_message or _("Say why it goes back: the puskesmas will read it."),
        fields=_decided(by, reason),
    )


@transaction.atomic
def review_approve(record: Reviewed, *, by: User, version: int | None = None) -> Reviewed:
    """Approve a submitted record (at `version`, when the page posted it)."""
    return audit.transition(
        record,
        by=by,
        source=[Status.SUBMITTED],
        target=Status.APPROVED,
        action=Action.APPROVED,
        version=version,
        fields=_decided(by),
    )


@transaction.atomic
def review_reopen(
    record: Reviewed,
    *,
    by: User,
    reason: str,
    version: int | None = None,
    reason_message: str | None = None,
) -> Reviewed:
    """Open an approved record for changes again (draft), with the reason (required)."""
    return audit.transition(
        record,
        by=by,
        source=[Status.APPROVED],
        target=Status.DRAFT,
        action=Action.REOPENED,
        version=version,
        reason=reason,
        reason_required=True,
        reason_message=reason_message or _("Say why it is reopened: the puskesmas will read it."),
        fields=_decided(by, reason),
    )
