"""Reads of the notifications (issue #15): one person's inbox, its unread count and newest
unread items. Only the recipient's own rows, and of those only the ones inside their area
now (a row with no area is about no place and always shown)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from ..models import Notification, User
from ..scoping import is_national, user_area
from ..web import paginate


def notifications_of(user: User) -> QuerySet[Notification]:
    """The user's own notifications that they may still see (scoped like in_area)."""
    rows = Notification.objects.filter(recipient=user)
    if is_national(user):
        return rows
    area = user_area(user)
    reach = Q(province__isnull=True, district__isnull=True, puskesmas__isnull=True)
    if area is not None:
        for lookup in Notification.area_lookups(area):
            reach |= Q(**{lookup: area.pk})
    return rows.filter(reach)


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread; one query (0 for anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return notifications_of(user).filter(read_at__isnull=True).count()


def latest_unread(user: User, limit: int = 5) -> list[Notification]:
    """The user's newest unread notifications, at most `limit`; one query."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(notifications_of(user).filter(read_at__isnull=True)[:limit])


def inbox(user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first (unread only when asked)."""
    rows = notifications_of(user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def inbox_page(request: HttpRequest, *, unread_only: bool = False) -> dict:
    """One page of the signed-in user's inbox (kernel.web pagination)."""
    user = request.user
    assert isinstance(user, User)  # the view requires a login
    return paginate(request, inbox(user, unread_only=unread_only))
