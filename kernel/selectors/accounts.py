"""Reads of accounts for the Users pages: every list starts from `in_area`."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..models import User
from ..scoping import in_area


def user_list(
    *,
    user: User,
    role: str = "",
    area: str = "",
    active: str = "",
    search: str = "",
) -> QuerySet[User]:
    """The accounts in `user`'s area, filtered; one query whatever the count (areas joined).

    `area` is a form choice "kind:code" (a province, district or puskesmas): its accounts and
    those of the areas inside it."""
    rows = in_area(User.objects.all(), user).select_related(
        "province", "district", "puskesmas", "puskesmas__district"
    )
    if role:
        rows = rows.filter(role=role)
    if area and ":" in area:
        kind, code = area.split(":", 1)
        if kind == "puskesmas":
            rows = rows.filter(puskesmas__code=code)
        elif kind == "district":
            rows = rows.filter(Q(district__code=code) | Q(puskesmas__district__code=code))
        elif kind == "province":
            rows = rows.filter(
                Q(province__code=code)
                | Q(district__province__code=code)
                | Q(puskesmas__district__province__code=code)
            )
    if active == "yes":
        rows = rows.filter(is_active=True)
    elif active == "no":
        rows = rows.filter(is_active=False)
    if search:
        rows = rows.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
            | Q(position__icontains=search)
            | Q(puskesmas__name__icontains=search)
            | Q(district__name__icontains=search)
        )
    return rows.order_by("-is_active", "role", "first_name", "last_name", "username")
