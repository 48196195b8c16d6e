"""Writes of the API app: tokens (created, shown once, revoked) and service accounts."""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.models import User

from .models import TOKEN_PREFIX, ApiToken, token_digest
from .rights import can_keep_tokens_of

MAX_ACTIVE_TOKENS = 20


def token_create(
    *, user: User, name: str, by: User, expires_on: datetime.date | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user` (themselves, or a service account `by` keeps); returns the row
    and the token in clear, which is shown once and never stored."""
    if not can_keep_tokens_of(by, user):
        raise PermissionDenied(_("You may not create tokens for this account."))
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the token a name that says where it is used."))
    if expires_on is not None and expires_on <= timezone.localdate():
        raise ValidationError(_("The expiry date must be in the future."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one create at a time
        if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                _("This account has %(count)s active tokens; revoke one first.")
                % {"count": MAX_ACTIVE_TOKENS}
            )
        secret = secrets.token_urlsafe(32)
        token = f"{TOKEN_PREFIX}{secret}"
        expires_at = None
        if expires_on is not None:
            expires_at = timezone.make_aware(
                datetime.datetime.combine(expires_on, datetime.time.max)
            )
        row = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=token[: len(TOKEN_PREFIX) + 6],
            digest=token_digest(token),
            created_by=by,
            expires_at=expires_at,
        )
    return row, token


def token_revoke(*, token: ApiToken, by: User) -> None:
    """Revoke `token` now (its owner, or whoever keeps the service account); idempotent."""
    if not can_keep_tokens_of(by, token.user):
        raise PermissionDenied(_("You may not revoke this token."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
