"""Who keeps whose API tokens: everyone their own; a district planner (or anyone who keeps
accounts, kernel.rights) the service accounts they may keep."""

from __future__ import annotations

from kernel.models import User
from kernel.rights import can_manage_account


def can_keep_tokens_of(by: User, owner: User) -> bool:
    """`by` may create and revoke tokens of `owner`."""
    if not getattr(by, "is_authenticated", False) or not by.is_active:
        return False
    if by.is_service_account:
        return False  # a service account never makes tokens, even its own
    if by.pk == owner.pk:
        return True
    return owner.is_service_account and bool(can_manage_account(by, owner))
