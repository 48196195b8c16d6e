"""Two-factor sign-in (issue #14): a code from an authenticator app after the password.

Built on django-otp: one TOTP device per person (the authenticator app; RFC 6238 codes, six
digits every 30 seconds) and one static device holding ten single-use recovery codes. A session
has passed the second step when django-otp's middleware finds the device it was verified with
(`request.user.is_verified()`).

- Anyone may turn it on (`twofactor_setup_start`, then `twofactor_confirm` with a first code).
- Roles listed in `SIMPUL_2FA_REQUIRED_ROLES` must (a superuser counts as a system admin): they
  cannot turn it off, and `TwoFactorGateMiddleware` sends them to the set-up until it is on.
- After the password, a person with a confirmed device enters a code (`twofactor_check`) before
  any other page; the devices slow down guessing (1, 2, 4, 8... seconds between wrong codes)
  and the verify page logs out after `SIMPUL_2FA_MAX_ATTEMPTS` wrong codes.
- Turning on, turning off, new recovery codes and an administrator's reset are audit events on
  the account (kernel.audit).
"""

from __future__ import annotations

import math
import re
from base64 import b32encode
from urllib.parse import quote

import qrcode
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .accounts_gate import always_open

# Audit actions (AuditEvent.action, at most 20 characters).
ENABLED = "2fa_enabled"
DISABLED = "2fa_disabled"
CODES_RENEWED = "2fa_codes_renewed"
RESET = "2fa_reset"

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
# Fresh recovery codes wait here between the POST that made them and the one page showing them.
FRESH_CODES_SESSION_KEY = "simpul_2fa_fresh_codes"
FAILURES_SESSION_KEY = "simpul_2fa_failures"
TOTP_CODE = re.compile(r"[0-9]{6}")


def twofactor_required(user) -> bool:
    """Whether `user`'s role must sign in with two factors (SIMPUL_2FA_REQUIRED_ROLES)."""
    roles = {role.strip() for role in settings.SIMPUL_2FA_REQUIRED_ROLES} - {""}
    if not roles or not user.is_authenticated:
        return False
    if "system_admin" in roles and user.is_system_admin:
        return True
    return user.role in roles


def twofactor_device(user) -> TOTPDevice | None:
    """`user`'s confirmed authenticator, if two-factor sign-in is on."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def two_factor_flag_refresh(user_id: int) -> None:
    """Set `User.two_factor_on` from the devices: whether `user_id` has a confirmed
    authenticator. Called whenever a TOTP device is saved or deleted (signals below), so Django
    admin's changes count too."""
    from .models import User

    on = TOTPDevice.objects.filter(user_id=user_id, confirmed=True).exists()
    User.objects.filter(pk=user_id).exclude(two_factor_on=on).update(two_factor_on=on)


def _device_changed(sender, instance, **kwargs) -> None:
    if instance.user_id is not None:
        two_factor_flag_refresh(instance.user_id)  # in the device's own transaction


def signals_connect() -> None:
    """Keep `User.two_factor_on` in step with the authenticators (KernelConfig.ready)."""
    from django.db.models.signals import post_delete, post_save

    for signal in (post_save, post_delete):
        signal.connect(_device_changed, sender=TOTPDevice, dispatch_uid=f"simpul-2fa-{signal}")


def twofactor_status(user) -> dict:
    """What the two-factor pages show: on or off, since when, recovery codes left, required."""
    device = twofactor_device(user)
    return {
        "is_on": device is not None,
        "on_since": device.created_at if device else None,
        "last_used_at": device.last_used_at if device else None,
        "recovery_codes_left": recovery_codes_left(user) if device else 0,
        "is_required": twofactor_required(user),
    }


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def twofactor_setup_start(*, user) -> TOTPDevice:
    """The authenticator being set up for `user` (unconfirmed until its first code); the one
    already started is kept, so a second click shows the same key. Refused when it is on."""
    if twofactor_device(user) is not None:
        raise ValidationError(_("Two-factor sign-in is already on."), code="on")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").last()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def twofactor_pending_device(user) -> TOTPDevice | None:
    """The authenticator `user` started to set up and has not confirmed yet."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").last()


def _clean(token: str) -> str:
    return re.sub(r"[\s-]", "", token or "").lower()


def _throttled(device) -> str | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1
    return _("Too many wrong codes: wait %(seconds)s seconds and try again.") % {"seconds": seconds}


def _wrong_code() -> ValidationError:
    return ValidationError(
        _("That code is not right. Enter the code your authenticator app shows now."),
        code="wrong",
    )


def twofactor_confirm(*, user, device: TOTPDevice, token: str) -> list[str]:
    """Turn two-factor sign-in on with `device`'s first code: confirm it, make ten recovery
    codes (returned once, to show) and record it, in one transaction. A wrong code changes
    nothing but the device's count of wrong codes (which slows the next tries)."""
    token = _clean(token)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed:
            raise ValidationError(_("Two-factor sign-in is already on."), code="on")
        refused = _throttled(device)
        if refused:
            raise ValidationError(refused, code="throttled")
        accepted = bool(TOTP_CODE.fullmatch(token)) and device.verify_token(token)
        if accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            codes = _new_recovery_codes(user)
            audit.record(user, action=ENABLED, by=user)
    if not accepted:
        raise _wrong_code()  # after the transaction: the count of wrong codes stays
    return codes


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()  # 8 characters of base32: 40 random bits
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """Replace `user`'s recovery codes with ten new ones (returned once, to show); the old ones
    stop working. Only when two-factor sign-in is on. Atomic, recorded."""
    if twofactor_device(user) is None:
        raise ValidationError(_("Turn two-factor sign-in on first."), code="off")
    codes = _new_recovery_codes(user)
    audit.record(user, action=CODES_RENEWED, by=user)
    return codes


def twofactor_check(*, user, token: str):
    """The device that accepts `token` (a code from the app, or a recovery code, which is
    then used up), else a ValidationError saying the code is wrong or that too many were."""
    token = _clean(token)
    if TOTP_CODE.fullmatch(token):
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    with transaction.atomic():
        for device in devices.select_for_update().order_by("pk"):
            refused = _throttled(device)
            if refused:
                raise ValidationError(refused, code="throttled")
            if device.verify_token(token):
                return device
    raise _wrong_code()


def twofactor_disable(*, user, token: str) -> None:
    """Turn `user`'s two-factor sign-in off, given a current code (from the app or a recovery
    code). Refused for a role that requires it. The removal is atomic and recorded (a wrong
    code is counted outside it, so it still slows the next tries)."""
    if twofactor_required(user):
        raise ValidationError(
            _("Your role requires two-factor sign-in: it cannot be turned off."), code="required"
        )
    if twofactor_device(user) is None:
        raise ValidationError(_("Two-factor sign-in is already off."), code="off")
    twofactor_check(user=user, token=token)
    with transaction.atomic():
        _remove_devices(user)
        audit.record(user, action=DISABLED, by=user)


@transaction.atomic
def twofactor_reset(*, user, by, reason: str = "") -> None:
    """Turn `user`'s two-factor sign-in off for them (a lost phone and lost recovery codes) by
    someone who manages their account, never by themselves. Atomic, recorded with the reason.
    A role that requires it sets it up again at the next sign-in."""
    from .rights import can_manage_account

    if user.pk == by.pk or not can_manage_account(by, user):
        raise PermissionDenied(_("You cannot change this account."))
    _remove_devices(user)
    audit.record(user, action=RESET, by=by, reason=reason)


def _remove_devices(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The key's otpauth:// address as a QR code, SVG markup to embed in the page: one path,
    a row's dark modules merged into one rectangle each (a few kilobytes, no request)."""
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(device.config_url)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    label = escape(_("QR code to scan with an authenticator app"))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="240" '
        f'height="240" shape-rendering="crispEdges" role="img" aria-label="{label}" '
        f'class="twofactor-qr img-fluid"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>'
    )


def fresh_codes_keep(request, codes: list[str]) -> None:
    """Keep new recovery codes in the session until the recovery page shows them once."""
    request.session[FRESH_CODES_SESSION_KEY] = codes


def fresh_codes_take(request) -> list[str]:
    return request.session.pop(FRESH_CODES_SESSION_KEY, [])


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


class TwoFactorGateMiddleware:
    """Nothing but the code page for a signed-in person whose two-factor sign-in is on and who
    has not entered a code in this session; nothing but the set-up for one whose role requires
    it and who has not turned it on. Both may log out, change a password they must change,
    switch language, and load static files; health checks and the first-login and reset links
    are never held. Covers Django's admin too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._hold(request)
        return response or self.get_response(request)

    def _hold(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        path = request.path_info
        if always_open(path):
            return None
        if getattr(user, "must_change_password", False) and path == _url("kernel:password-change"):
            return None  # the password gate before this one sends them there
        if user.is_verified():
            return None
        verify = reverse("kernel:twofactor-verify")
        if user.two_factor_on:
            return None if path == verify else self._to(verify, request)
        if twofactor_required(user):
            pages = reverse("kernel:twofactor")
            setup = reverse("kernel:twofactor-setup")
            return None if path.startswith(pages) else self._to(setup, request)
        return None

    @staticmethod
    def _to(url: str, request):
        if request.method == "GET":
            return redirect(f"{url}?next={quote(request.get_full_path())}")
        return redirect(url)
