"""Template context every page needs: the user's area and role, for the header."""

from django.http import HttpRequest

from .rights import can_manage_accounts
from .scoping import user_area


def area(request: HttpRequest) -> dict:
    """The signed-in user's area, shown in the header of every page (no query beyond the user's)."""
    user = getattr(request, "user", None)
    return {
        "user_area": user_area(user) if user is not None else None,
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
