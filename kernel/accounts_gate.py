"""The password-change gate (issue #14): a signed-in user whose account says
`must_change_password` (given a temporary password) reaches only the password change page
until they have chosen their own; logging out, the language switch, static files, the health
check, first-login links and the password reset by e-mail stay open."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

OPEN_PREFIXES = ("/static/", "/i18n/", "/health/", "/account/welcome/", "/account/reset/")


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
        if path.startswith(OPEN_PREFIXES):
            return True
        return path in (reverse("kernel:password-change"), reverse("logout"))
