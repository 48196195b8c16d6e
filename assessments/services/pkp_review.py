"""The district's side of the PKP (issue #18 must-have 2): verify a submitted PKP item by item
(a verified score that differs from the puskesmas's own needs a reason), write the feedback,
return it with a reason, approve it (items left unverified are taken at their own score, the
ranks fixed by the edition's bands) and reopen it. The steps are kernel.reviews; the scores and
ranks are recomputed by the puskesmas side's `services.pkp.recompute`."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kernel import audit
from kernel import reviews as workflow
from kernel.models import AuditEvent, User
from kernel.versioning import save_versioned

from ..models import Level, PkpAssessment, PkpScore
from ..rights import can_verify_pkp

Action = AuditEvent.Action
Status = PkpAssessment.Status
TEXT_LENGTH = 4_000


def clean_text(text: object, *, limit: int = TEXT_LENGTH) -> str:
    """Typed text without control characters (a pasted NUL byte), stripped; refused when
    longer than `limit`."""
    cleaned = "".join(
        ch for ch in str(text or "") if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    ).strip()
    if len(cleaned) > limit:
        raise ValidationError(
            _("The text is too long (at most %(max)s characters).") % {"max": limit}
        )
    return cleaned


def _recompute(assessment: PkpAssessment) -> None:
    from .pkp import recompute

    recompute(assessment)


def _require_verifier(assessment: PkpAssessment, by: User) -> None:
    if not can_verify_pkp(by, assessment):
        raise PermissionDenied(_("Only the district's planners can verify this PKP."))


def _require_submitted(assessment: PkpAssessment) -> None:
    if assessment.status != Status.SUBMITTED:
        raise ValidationError(
            _("This PKP is %(status)s: only a submitted PKP is verified.")
            % {"status": str(assessment.get_status_display()).lower()}
        )


def _score_value(raw: object) -> Decimal | None:
    if raw is None or isinstance(raw, bool):
        return None
    text = str(raw).strip().replace(",", ".")[:12]
    if not text:
        return None
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _shown(value: Decimal | None) -> str:
    return "–" if value is None else number_format(value.normalize())


@transaction.atomic
def verify_item(
    *, score: PkpScore, by: User, version: int | None, verified_score: object, reason: object
) -> PkpScore:
    """Set the district's verified score of one management item of a submitted PKP: one of
    the item's level scores; a reason is required when it differs from the puskesmas's own
    score. An edit at `version` (StaleEdit when someone saved since); one audit event; the
    PKP's scores and ranks recomputed."""
    assessment = score.assessment
    _require_verifier(assessment, by)
    _require_submitted(assessment)
    value = _score_value(verified_score)
    levels = sorted(Level.objects.filter(item_id=score.item_id).values_list("score", flat=True))
    if value is None or value not in levels:
        raise ValidationError(
            {
                "verified_score": _("Choose one of the item's levels: %(levels)s.")
                % {"levels": ", ".join(_shown(level) for level in levels)}
            }
        )
    value = next(level for level in levels if level == value)
    reason_text = clean_text(reason)
    if value != score.self_score and not reason_text:
        raise ValidationError(
            {
                "reason": _(
                    "The verified score (%(verified)s) differs from the puskesmas's own "
                    "(%(own)s): say why, the puskesmas will read it."
                )
                % {"verified": _shown(value), "own": _shown(score.self_score)}
            }
        )
    score.verified_score = value
    score.verify_reason = reason_text
    score.verified_at = timezone.now()
    score.verified_by = by
    save_versioned(
        score,
        by=by,
        version=version,
        fields=["verified_score", "verify_reason"],
    )
    # The PKP moves on too: an approval or a return made from an older page is refused.
    PkpAssessment.objects.filter(pk=assessment.pk).update(version=F("version") + 1)
    assessment.version += 1
    audit.record(
        score,
        action=Action.SAVED,
        by=by,
        reason=reason_text,
        data={
            "item": score.item.code,
            "self_score": str(score.self_score) if score.self_score is not None else None,
            "verified_score": str(value),
        },
    )
    _recompute(assessment)
    return score


@transaction.atomic
def save_feedback(
    *, assessment: PkpAssessment, by: User, version: int | None, feedback: object
) -> PkpAssessment:
    """The district's written feedback to the puskesmas (while the PKP is submitted)."""
    _require_verifier(assessment, by)
    _require_submitted(assessment)
    assessment.feedback = clean_text(feedback)
    save_versioned(assessment, by=by, version=version, fields=["feedback"])
    audit.record(assessment, action=Action.SAVED, by=by, data={"feedback": True})
    return assessment


@transaction.atomic
def pkp_return(
    *, assessment: PkpAssessment, by: User, reason: object, version: int | None
) -> PkpAssessment:
    """Send a submitted PKP back to the puskesmas with the reason (required)."""
    _require_verifier(assessment, by)
    workflow.review_return(
        assessment,
        by=by,
        reason=clean_text(reason),
        version=version,
        reason_message=_("Say why the PKP goes back: the puskesmas will read it."),
    )
    return assessment


@transaction.atomic
def pkp_approve(*, assessment: PkpAssessment, by: User, version: int | None) -> PkpAssessment:
    """Approve a submitted PKP: refused without feedback; the items not verified are taken as
    verified at the puskesmas's own score (recorded: who, when); scores and ranks recomputed
    by the edition's bands; who ranked it and when stored."""
    _require_verifier(assessment, by)
    _require_submitted(assessment)
    if not assessment.feedback.strip():
        raise ValidationError(
            _("Write the feedback to the puskesmas before approving: it is sent with the approval.")
        )
    workflow.review_approve(assessment, by=by, version=version)
    now = timezone.now()
    PkpScore.objects.filter(assessment=assessment, verified_score__isnull=True).update(
        verified_score=F("self_score"),
        verified_at=now,
        verified_by=by,
        version=F("version") + 1,
        updated_by=by,
        updated_at=now,
    )
    _recompute(assessment)
    PkpAssessment.objects.filter(pk=assessment.pk).update(ranked_at=now, ranked_by=by)
    assessment.refresh_from_db()
    return assessment


@transaction.atomic
def pkp_reopen(
    *, assessment: PkpAssessment, by: User, reason: object, version: int | None
) -> PkpAssessment:
    """Open an approved PKP for the puskesmas again (draft), with the reason (required)."""
    _require_verifier(assessment, by)
    workflow.review_reopen(
        assessment,
        by=by,
        reason=clean_text(reason),
        version=version,
        reason_message=_("Say why the PKP is reopened: the puskesmas will read it."),
    )
    return assessment
