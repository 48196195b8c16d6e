"""Writes of the API app: tokens (created, shown once, revoked) and service accounts."""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kernel.audit import record
from kernel.models import AuditEvent, User
from kernel.rights import roles_given_by
from kernel.services.accounts import account_create, account_deactivate, area_for
from kernel.versioning import create_once

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


def token_create_once(
    *,
    user: User,
    name: str,
    by: User,
    expires_on: datetime.date | None = None,
    form_token: object = None,
) -> tuple[ApiToken, str | None]:
    """`token_create` once per form token: a repeated post (a reload, a double tap) returns the
    first row and None, since the token in clear was shown once and is not kept."""
    made: dict[str, str] = {}

    def create() -> ApiToken:
        row, secret = token_create(user=user, name=name, by=by, expires_on=expires_on)
        made["secret"] = secret
        return row

    row = create_once(token=form_token, by=by, create=create, model=ApiToken)
    if row.user_id != user.pk:
        raise ValidationError(_("This form was already sent once. Open it again to add another."))
    if user.is_service_account and "secret" in made:
        record(
            user,
            action=AuditEvent.Action.ACCOUNT_CHANGED,
            by=by,
            data={"token_created": row.name, "prefix": row.prefix},
        )
    return row, made.get("secret")


def token_revoke_recorded(*, token: ApiToken, by: User) -> None:
    """`token_revoke`, and an audit event on a service account when it is one of its tokens."""
    token_revoke(token=token, by=by)
    if token.user.is_service_account:
        record(
            token.user,
            action=AuditEvent.Action.ACCOUNT_CHANGED,
            by=by,
            data={"token_revoked": token.name, "prefix": token.prefix},
        )


# --- Service accounts ----------------------------------------------------------------------------

# Roles a service account may have: any its maker gives, except those without an area.
SERVICE_ACCOUNT_ROLES = (
    User.Role.PROVINCE_REVIEWER,
    User.Role.DISTRICT_PLANNER,
    User.Role.PUSKESMAS_HEAD,
    User.Role.PUSKESMAS_STAFF,
)


def service_account_roles(by: User) -> list[str]:
    """The roles `by` may give a service account, highest first."""
    return [role for role in roles_given_by(by) if role in SERVICE_ACCOUNT_ROLES]


def _username(name: str) -> str:
    base = slugify(name)[:30] or "integration"
    return f"svc-{base}-{secrets.token_hex(3)}"


def service_account_create(
    *,
    by: User,
    name: str,
    role: str,
    area_code: str,
    purpose: str = "",
    form_token: object = None,
) -> User:
    """An account for another system (it never signs in: no password, no e-mail, no
    notifications by e-mail) with a role `by` gives in an area inside `by`'s; its tokens are
    kept by `by` and whoever keeps its account. Once per form token; recorded."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the system a name.")})
    if role not in service_account_roles(by):
        raise ValidationError({"role": _("You cannot give this role.")})
    if by.is_service_account:
        raise PermissionDenied(_("A service account cannot create accounts."))
    area = area_for(by=by, role=role, code=area_code)
    with transaction.atomic():
        account = account_create(
            by=by,
            username=_username(name),
            role=role,
            area=area,
            first_name=name[:150],
            position=(purpose or "").strip()[:150],
            token=form_token,
            source="service_account",
        )
        if not account.is_service_account:
            User.objects.filter(pk=account.pk).update(
                is_service_account=True,
                must_change_password=False,
                email="",
                email_notifications=User.EmailNotifications.NEVER,
            )
            account.refresh_from_db()
    return account


def service_account_deactivate(*, account: User, by: User, reason: str) -> User:
    """Close a service account: it is deactivated (kernel's rules and audit) and every token it
    has is revoked, so nothing opens the API as it any more."""
    if not account.is_service_account:
        raise ValidationError(_("This is not a service account."))
    with transaction.atomic():
        account = account_deactivate(account=account, by=by, reason=reason)
        ApiToken.objects.filter(user=account, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
    return account
