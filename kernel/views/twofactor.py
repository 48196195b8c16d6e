"""Two-factor sign-in pages under /account/two-factor/ (kernel/twofactor.py holds the rules):
the overview, the set-up with its QR code, the code asked after the password, recovery codes
and turning it off. This module ends with its own `urlpatterns`, which kernel/urls.py appends.
"""

from __future__ import annotations

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django_otp.plugins.otp_static.models import StaticDevice

from .. import twofactor
from ..web import safe_next


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, numeric: bool = False, autofocus: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not autofocus:
            del self.fields["otp_token"].widget.attrs["autofocus"]
        if numeric:
            self.fields["otp_token"].widget.attrs.update(inputmode="numeric", pattern="[0-9 ]*")


def _with_next(name: str, request) -> str:
    target = safe_next(request, "")
    url = reverse(name)
    return f"{url}?{urlencode({'next': target})}" if target else url


@login_required
@require_safe
def twofactor_overview(request):
    status = twofactor.twofactor_status(request.user)
    return render(
        request,
        "kernel/twofactor_overview.html",
        {"status": status, "form": CodeForm(autofocus=False)},
    )


@login_required
def twofactor_setup(request):
    """Step 1: a button starts the set-up (GET never writes); step 2: the QR code, the key as
    text and the first code, which turns it on and leads to the recovery codes."""
    user = request.user
    if twofactor.twofactor_device(user) is not None:
        messages.info(request, _("Two-factor sign-in is already on."))
        return redirect("kernel:twofactor")
    device = twofactor.twofactor_pending_device(user)
    form = CodeForm(numeric=True)
    if request.method == "POST" and (device is None or "start" in request.POST):
        twofactor.twofactor_setup_start(user=user)
        return redirect(_with_next("kernel:twofactor-setup", request))
    if request.method == "POST":
        form = CodeForm(request.POST, numeric=True)
        if form.is_valid():
            try:
                codes = twofactor.twofactor_confirm(
                    user=user, device=device, token=form.cleaned_data["otp_token"]
                )
            except ValidationError as error:
                form.add_error("otp_token", error)
            else:
                device.refresh_from_db()
                request.session.cycle_key()
                django_otp.login(request, device)
                twofactor.fresh_codes_keep(request, codes)
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect(_with_next("kernel:twofactor-recovery", request))
    context = {
        "device": device,
        "form": form,
        "qr_svg": twofactor.qr_svg(device) if device else "",
        "secret": twofactor.secret_text(device) if device else "",
        "is_required": twofactor.twofactor_required(user),
        "next": safe_next(request, ""),
    }
    return render(request, "kernel/twofactor_setup.html", context)


@login_required
def twofactor_verify(request):
    """The code asked after the password: from the app, or a recovery code (used up). Too
    many wrong codes log the session out."""
    user = request.user
    target = safe_next(request, resolve_url(settings.LOGIN_REDIRECT_URL))
    if user.is_verified() or twofactor.twofactor_device(user) is None:
        return redirect(target)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.twofactor_check(user=user, token=form.cleaned_data["otp_token"])
        except ValidationError as error:
            if _failed_once_more(request):  # wrong, or tried again too soon
                logout(request)
                messages.error(request, _("Too many wrong codes: log in again."))
                return redirect(settings.LOGIN_URL)
            form.add_error("otp_token", error)
        else:
            request.session.pop(twofactor.FAILURES_SESSION_KEY, None)
            request.session.cycle_key()
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                _recovery_code_used(request)
            return redirect(target)
    return render(request, "kernel/twofactor_verify.html", {"form": form, "next": target})


def _failed_once_more(request) -> bool:
    """Count a wrong code in this session; True when that was one too many."""
    failures = request.session.get(twofactor.FAILURES_SESSION_KEY, 0) + 1
    request.session[twofactor.FAILURES_SESSION_KEY] = failures
    return failures >= settings.SIMPUL_2FA_MAX_ATTEMPTS


def _recovery_code_used(request) -> None:
    left = twofactor.recovery_codes_left(request.user)
    messages.warning(
        request,
        _(
            "You signed in with a recovery code; %(count)s are left. If your phone is lost, "
            "make new recovery codes and set up two-factor sign-in again."
        )
        % {"count": left},
    )


@login_required
def twofactor_recovery(request):
    """Recovery codes: how many are left, new ones on POST (shown once, on the next GET)."""
    if request.method == "POST":
        if not request.user.is_verified() and twofactor.twofactor_device(request.user):
            raise PermissionDenied  # the gate holds such a session; never without a code
        try:
            codes = twofactor.recovery_codes_renew(user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("kernel:twofactor")
        twofactor.fresh_codes_keep(request, codes)
        messages.success(request, _("New recovery codes made: the old ones no longer work."))
        return redirect("kernel:twofactor-recovery")
    context = {
        "codes": twofactor.fresh_codes_take(request),
        "status": twofactor.twofactor_status(request.user),
        "next": safe_next(request, ""),
    }
    return render(request, "kernel/twofactor_recovery.html", context)


@login_required
@require_POST
def twofactor_disable(request):
    form = CodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter a current code to turn two-factor sign-in off."))
        twofactor.twofactor_disable(user=request.user, token=form.cleaned_data["otp_token"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("kernel:twofactor")


urlpatterns = [
    path("account/two-factor/", twofactor_overview, name="twofactor"),
    path("account/two-factor/setup/", twofactor_setup, name="twofactor-setup"),
    path("account/two-factor/verify/", twofactor_verify, name="twofactor-verify"),
    path("account/two-factor/recovery/", twofactor_recovery, name="twofactor-recovery"),
    path("account/two-factor/off/", twofactor_disable, name="twofactor-disable"),
]
