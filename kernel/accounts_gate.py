"""The password-change gate (issue #14): a signed-in user whose account says
`must_change_password` (given a temporary password) reaches only the password change page
until they have chosen their own; logging out, the language switch, static files, the health
check, first-login links and the password reset by e-mail stay open."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Open whatever gate holds a signed-in person (this one and kernel.twofactor's): no page here
# shows or changes anything of an account.
OPEN_PREFIXES = ("/i18n/", "/health/", "/account/welcome/", "/account/reset/")


def always_open(path: str) -> bool:
    """Static files, the language switch, health checks, first-login and reset links, logout."""
    return path.startswith((settings.STATIC_URL, *OPEN_PREFIXES)) or path == reverse("logout")


class PasswordChangeGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._open(request.path_info)
        ):
            return redirect("kernel:password-change")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return always_open(path) or path == reverse("kernel:password-change")
