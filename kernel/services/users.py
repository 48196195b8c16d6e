"""Writes to users: a role and the one area it works in."""

from __future__ import annotations

from django.db import transaction

from ..models import District, Province, Puskesmas, User


@transaction.atomic
def user_save(
    *,
    username: str,
    role: str,
    area: Province | District | Puskesmas | None,
    password: str,
    first_name: str = "",
    last_name: str = "",
    position: str = "",
) -> User:
    """Create or update a user by username with its role and area; idempotent; validated."""
    user = User.objects.filter(username=username).first() or User(username=username)
    user.role = role
    user.first_name, user.last_name, user.position = first_name, last_name, position
    user.province = area if isinstance(area, Province) else None
    user.district = area if isinstance(area, District) else None
    user.puskesmas = area if isinstance(area, Puskesmas) else None
    user.is_staff = user.is_superuser = role == User.Role.SYSTEM_ADMIN
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
