"""Accounts: the Users pages (others' accounts within one's area), one's own account, the
first-login link, password change and reset by e-mail. This module ends with its own
`urlpatterns`, which kernel/urls.py appends."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse, reverse_lazy
from django.utils.encoding import force_str
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_decode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import selectors, twofactor
from ..forms import UploadForm
from ..forms_accounts import AccountForm, OwnAccountForm, ReasonForm, UserFilter
from ..models import ImportJob, User
from ..rights import can_manage_account, can_manage_accounts
from ..scoping import get_in_area_or_404
from ..services import accounts
from ..spreadsheets import XLSX_CONTENT_TYPE
from ..tables import Col, Table, table_page
from ..web import run_service
from .imports import start_import

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _area_name(account: User) -> str:
    area = account.area
    return area.name if area is not None else ""


USER_TABLE = Table(
    filename="users.xlsx",
    sheet=gettext_lazy("Users"),
    empty=gettext_lazy("No account in your area matches."),
    columns=[
        Col(
            gettext_lazy("Name"),
            lambda u: u.get_full_name() or u.username,
            wrap=True,
            link=lambda u: reverse("kernel:user-detail", args=[u.pk]),
        ),
        Col(gettext_lazy("Username"), "username", phone=False),
        Col(gettext_lazy("Role"), "get_role_display"),
        Col(gettext_lazy("Area"), _area_name, wrap=True),
        Col(gettext_lazy("Position"), "position", phone=False),
        Col(gettext_lazy("E-mail"), "email", phone=False),
        Col(gettext_lazy("Phone"), "phone", phone=False),
        Col(gettext_lazy("Active"), "is_active", format="yesno", phone=False),
        Col(
            gettext_lazy("Waiting for first login"),
            accounts.is_waiting,
            format="yesno",
            phone=False,
        ),
        Col(gettext_lazy("Last login"), "last_login", format="datetime", phone=False),
    ],
)


def _managing(request) -> None:
    if not can_manage_accounts(request.user):
        raise PermissionDenied


@login_required
def user_list(request):
    _managing(request)
    filters = UserFilter(request.GET or None, by=request.user)
    rows = selectors.user_list(
        user=request.user,
        role=filters.value("role"),
        area=filters.value("area"),
        active=filters.value("active"),
        search=filters.value("q").strip(),
    )
    return table_page(
        request,
        table=USER_TABLE,
        rows=rows,
        template="kernel/user_list.html",
        context={"filters": filters},
    )


def _account_form(request, account: User | None):
    form = AccountForm(request.POST or None, instance=account, by=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data.get(name, "") for name in accounts.ACCOUNT_FIELDS}
        role = data.get("role") or (account.role if account else "")
        if account is None:
            call = lambda: accounts.account_create(  # noqa: E731
                by=request.user,
                username=data["username"],
                role=role,
                area=form.area_object,
                token=data["form_token"],
                **fields,
            )
        else:
            call = lambda: accounts.account_update(  # noqa: E731
                account=account,
                by=request.user,
                version=data["version"],
                role=role,
                area=form.area_object,
                **fields,
            )
        if run_service(request, form, call):
            messages.success(request, _("Account saved."))
            return redirect("kernel:user-detail", pk=form.result.pk)
    return render(request, "kernel/user_form.html", {"form": form, "account": account})


@login_required
def user_create(request):
    _managing(request)
    return _account_form(request, None)


def _account(request, pk) -> User:
    return get_in_area_or_404(
        User.objects.select_related("province", "district", "puskesmas__district"),
        request.user,
        pk=pk,
    )


@login_required
def user_edit(request, pk):
    account = _account(request, pk)
    if not can_manage_account(request.user, account):
        raise PermissionDenied
    return _account_form(request, account)


@login_required
def user_detail(request, pk):
    account = _account(request, pk)
    context = {
        "account": account,
        "can_manage": can_manage_account(request.user, account),
        "is_self": account.pk == request.user.pk,
        "history": selectors.audit_history(obj=account, user=request.user)[:50],
        "link_status": accounts.link_status(account=account),
        "reason_form": ReasonForm(),
        "days": accounts.first_login_tokens.days(),
    }
    return render(request, "kernel/user_detail.html", context)


def _set_active(request, pk, *, active: bool):
    account = _account(request, pk)
    form = ReasonForm(request.POST)
    change = accounts.account_reactivate if active else accounts.account_deactivate
    if not form.is_valid():
        messages.error(request, _("Give the reason."))
    elif run_service(
        request,
        None,
        lambda: change(account=account, by=request.user, reason=form.cleaned_data["reason"]),
    ):
        messages.success(
            request, _("Account reactivated.") if active else _("Account deactivated.")
        )
    return redirect("kernel:user-detail", pk=account.pk)


@login_required
@require_POST
def user_deactivate(request, pk):
    return _set_active(request, pk, active=False)


@login_required
@require_POST
def user_reactivate(request, pk):
    return _set_active(request, pk, active=True)


@login_required
@require_POST
def user_twofactor_reset(request, pk):
    """Turn off the two-factor sign-in of someone who lost both phone and recovery codes (they
    asked their planner in person): the account's manager does it, with the reason recorded."""
    account = _account(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason."))
    elif run_service(
        request,
        None,
        lambda: twofactor.twofactor_reset(
            user=account, by=request.user, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(
            request,
            _(
                "Two-factor sign-in is off for this account; "
                "it can be turned on again at My account."
            ),
        )
    return redirect("kernel:user-detail", pk=account.pk)


def _card(request, link: accounts.LoginLink) -> dict:
    """What a first-login card shows: who, the full link, its QR code and a WhatsApp message."""
    import qrcode
    import qrcode.image.svg

    url = request.build_absolute_uri(link.path)
    account = link.account
    text = _(
        "Hello %(name)s, your Simpul account is ready. Username: %(username)s. Open this link "
        "to set your password (valid until %(date)s): %(url)s"
    ) % {
        "name": account.get_full_name() or account.username,
        "username": account.username,
        "date": date_format(link.valid_until.date(), "SHORT_DATE_FORMAT"),
        "url": url,
    }
    qr = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return {
        "account": account,
        "url": url,
        "valid_until": link.valid_until,
        "whatsapp": accounts.whatsapp_url(phone=account.phone, text=text),
        "qr": mark_safe(qr.to_string(encoding="unicode")),  # noqa: S308 (made here, no input)
    }


@never_cache
@login_required
@require_POST
def user_login_link(request, pk):
    account = _account(request, pk)
    links: list = []
    if not run_service(
        request,
        None,
        lambda: links.append(accounts.first_login_link(account=account, by=request.user)),
    ):
        return redirect("kernel:user-detail", pk=account.pk)
    context = {"cards": [_card(request, links[0])], "days": accounts.first_login_tokens.days()}
    return render(request, "kernel/user_sheet.html", context)


@never_cache
@login_required
def user_sheet(request, pk):
    """The first-login sheet of an accounts import: only for whoever uploaded it, fresh links
    for the accounts still waiting."""
    job = get_in_area_or_404(
        ImportJob.objects.filter(kind=ImportJob.Kind.ACCOUNTS), request.user, pk=pk
    )
    if job.created_by_id != request.user.pk:
        raise Http404
    if request.method != "GET":
        return HttpResponse(status=405)
    found = list(accounts.accounts_of(ids=job.result.get("accounts", []), by=request.user))
    links = accounts.first_login_links(accounts=found, by=request.user)
    linked = {link.account.pk for link in links}
    context = {
        "job": job,
        "cards": [_card(request, link) for link in links],
        "done": [a for a in found if a.pk not in linked],
        "days": accounts.first_login_tokens.days(),
    }
    return render(request, "kernel/user_sheet.html", context)


@login_required
def user_template(request):
    _managing(request)
    response = HttpResponse(
        accounts.account_template(by=request.user), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="accounts-template.xlsx"'
    return response


@login_required
def user_import(request):
    _managing(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = start_import(request, form, kind=ImportJob.Kind.ACCOUNTS)
        if started:
            return started
    return render(request, "kernel/user_import.html", {"form": form})


# --- One's own account ---------------------------------------------------------------------------


@login_required
def account(request):
    user = User.objects.get(pk=request.user.pk)  # the model itself, not the lazy request.user
    form = OwnAccountForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(
            request,
            form,
            lambda: accounts.own_account_update(
                user=user,
                version=data["version"],
                **{name: data.get(name, "") for name in accounts.OWN_FIELDS},
            ),
        ):
            messages.success(request, _("Your details are saved."))
            return redirect("kernel:account")
    context = {"form": form}
    try:  # the two-factor section (kernel.twofactor), when that part is installed
        from ..twofactor import twofactor_status

        context["twofactor_status"] = twofactor_status(user)
    except ImportError:  # pragma: no cover
        pass
    return render(request, "kernel/account.html", context)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = accounts.password_change(
            user=request.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password is changed."))
        return redirect("kernel:account")
    return render(request, "kernel/account_password.html", {"form": form})


def _account_from_uid(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    if not 0 < pk < 2**63:
        return None
    return User.objects.filter(pk=pk).first()


@never_cache
def first_login(request, uidb64, token):
    """The page a first-login link opens: set a password, and be signed in."""
    account = _account_from_uid(uidb64)
    valid = (
        account is not None
        and account.is_active
        and accounts.first_login_tokens.check_token(account, token)
    )
    if not valid:
        return render(request, "kernel/account_welcome.html", {"valid": False}, status=400)
    form = SetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.password_set(user=account, password=form.cleaned_data["new_password1"])
        login(request, account, backend=MODEL_BACKEND)
        messages.success(request, _("Welcome to Simpul: your password is set."))
        return redirect("kernel:home")
    context = {"valid": True, "form": form, "account": account}
    return render(request, "kernel/account_welcome.html", context)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("kernel:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.password_reset_done(user=form.user)
        return response


urlpatterns = [
    path("users/", user_list, name="user-list"),
    path("users/new/", user_create, name="user-create"),
    path("users/template/", user_template, name="user-template"),
    path("users/import/", user_import, name="user-import"),
    path("users/import/<int:pk>/sheet/", user_sheet, name="user-sheet"),
    path("users/<int:pk>/", user_detail, name="user-detail"),
    path("users/<int:pk>/edit/", user_edit, name="user-edit"),
    path("users/<int:pk>/deactivate/", user_deactivate, name="user-deactivate"),
    path("users/<int:pk>/reactivate/", user_reactivate, name="user-reactivate"),
    path("users/<int:pk>/login-link/", user_login_link, name="user-login-link"),
    path("users/<int:pk>/two-factor-reset/", user_twofactor_reset, name="user-twofactor-reset"),
    path("account/", account, name="account"),
    path("account/password/", password_change, name="password-change"),
    path("account/welcome/<uidb64>/<token>/", first_login, name="first-login"),
    path(
        "account/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="registration/password_reset_form.html",
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            success_url=reverse_lazy("kernel:password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "account/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password-reset-sent",
    ),
    path(
        "account/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        PasswordResetConfirm.as_view(),
        name="password-reset-confirm",
    ),
]
