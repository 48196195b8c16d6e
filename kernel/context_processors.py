"""Template context every page needs: the user's area and role, for the header."""

from django.http import HttpRequest

from .rights import can_manage_accounts
from .roles import is_mentor
from .scoping import user_area


def _mentored(user) -> str:
    """A planning mentor's area: the districts assigned to them today, by name (one query)."""
    from .models import District

    names = District.objects.filter(pk__in=user.mentored_district_ids).values_list(
        "name", flat=True
    )
    return ", ".join(names)


def area(request: HttpRequest) -> dict:
    """The signed-in user's area, shown in the header of every page (no query beyond the user's)."""
    user = getattr(request, "user", None)
    return {
        "user_area": _mentored(user) if is_mentor(user) else user_area(user) if user else None,
        # The Users item of the navigation (kernel/views/accounts.py).
        "can_manage_accounts": user is not None and can_manage_accounts(user),
    }


def notifications(request: HttpRequest) -> dict:
    """The header's bell: the unread count, counted (one query) only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .selectors.notifications import unread_count

    return {"unread_notifications": lambda: unread_count(user)}
