"""Pages of the API (issue #19): one's own tokens, and the service accounts one keeps.

A token in clear is shown once, in the answer to the post that made it, and never kept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel.models import User
from kernel.rights import can_manage_accounts
from kernel.scoping import in_area

from . import services
from .forms import ReasonForm, ServiceAccountForm, TokenForm
from .models import ApiToken
from .rights import can_keep_tokens_of


def _refusal(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _shown_once(request: HttpRequest, owner: User, row: ApiToken, secret: str | None, back: str):
    if secret is None:  # a repeated post: the token was shown in the first answer
        messages.info(request, _("This token was already made and shown once."))
        return redirect(back)
    response = render(
        request,
        "api/token_created.html",
        {"row": row, "secret": secret, "owner": owner, "back": back},
    )
    add_never_cache_headers(response)  # the page holds a secret: no cache keeps it
    return response


def _create_token(request: HttpRequest, owner: User, back: str):
    """Bind the token form and make the token; None with the form's errors when refused."""
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            row, secret = services.token_create_once(
                user=owner,
                name=form.cleaned_data["name"],
                by=request.user,
                expires_on=form.cleaned_data["expires_on"],
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as error:
            _refusal(form, error)
        else:
            return _shown_once(request, owner, row, secret, back), form
    return None, form


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    if request.user.is_service_account:
        raise PermissionDenied
    form = TokenForm()
    if request.method == "POST":
        answer, form = _create_token(request, request.user, request.path)
        if answer is not None:
            return answer
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk")
    return render(
        request,
        "api/token_list.html",
        {"tokens": tokens, "form": form, "keeps_accounts": can_manage_accounts(request.user)},
    )


def _kept_token_or_404(request: HttpRequest, pk: int) -> ApiToken:
    """One's own token, or one of a service account one keeps; another's is a 404."""
    token = ApiToken.objects.select_related("user").filter(pk=pk).first()
    if token is None or not can_keep_tokens_of(request.user, token.user):
        raise Http404
    if (
        token.user_id != request.user.pk
        and not in_area(User.objects.filter(pk=token.user_id), request.user).exists()
    ):
        raise Http404
    return token


def _back_of(token: ApiToken) -> str:
    if token.user.is_service_account:
        return redirect("apiaccess:service-account-detail", pk=token.user_id).url
    return redirect("apiaccess:token-list").url


@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = _kept_token_or_404(request, pk)
    back = _back_of(token)
    if request.method != "POST":
        return render(request, "api/token_revoke.html", {"token": token, "back": back})
    try:
        services.token_revoke_recorded(token=token, by=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect(back)


# --- Service accounts ----------------------------------------------------------------------------


def _keeper(request: HttpRequest) -> None:
    if request.user.is_service_account or not services.service_account_roles(request.user):
        raise PermissionDenied


def _kept_account_or_404(request: HttpRequest, pk: int) -> User:
    account = (
        in_area(User.objects.filter(is_service_account=True), request.user)
        .select_related("province", "district", "puskesmas")
        .filter(pk=pk)
        .first()
    )
    if account is None or not can_keep_tokens_of(request.user, account):
        raise Http404
    return account


@login_required
def service_account_list(request: HttpRequest) -> HttpResponse:
    _keeper(request)
    accounts = (
        in_area(User.objects.filter(is_service_account=True), request.user)
        .select_related("province", "district", "puskesmas")
        .order_by("-is_active", "first_name", "pk")
    )
    kept = [account for account in accounts if can_keep_tokens_of(request.user, account)]
    return render(request, "api/serviceaccount_list.html", {"accounts": kept})


@login_required
def service_account_create(request: HttpRequest) -> HttpResponse:
    _keeper(request)
    form = ServiceAccountForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.service_account_create(
                by=request.user,
                name=form.cleaned_data["name"],
                purpose=form.cleaned_data["purpose"],
                role=form.cleaned_data["role"],
                area_code=form.cleaned_data["area"],
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Service account created: now give it a token."))
            return redirect("apiaccess:service-account-detail", pk=account.pk)
    return render(request, "api/serviceaccount_form.html", {"form": form})


@login_required
def service_account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _kept_account_or_404(request, pk)
    tokens = ApiToken.objects.filter(user=account).order_by("-created_at", "-pk")
    return render(
        request,
        "api/serviceaccount_detail.html",
        {"account": account, "tokens": tokens, "form": TokenForm(), "reason_form": ReasonForm()},
    )


@login_required
@require_POST
def service_account_token_create(request: HttpRequest, pk: int) -> HttpResponse:
    account = _kept_account_or_404(request, pk)
    back = redirect("apiaccess:service-account-detail", pk=account.pk).url
    if not account.is_active:
        messages.error(request, _("This account is deactivated."))
        return redirect(back)
    answer, form = _create_token(request, account, back)
    if answer is not None:
        return answer
    tokens = ApiToken.objects.filter(user=account).order_by("-created_at", "-pk")
    return render(
        request,
        "api/serviceaccount_detail.html",
        {"account": account, "tokens": tokens, "form": form, "reason_form": ReasonForm()},
    )


@login_required
def service_account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = _kept_account_or_404(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_account_deactivate(
                account=account, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Service account deactivated; its tokens are revoked."))
            return redirect("apiaccess:service-account-detail", pk=account.pk)
    return render(request, "api/serviceaccount_deactivate.html", {"account": account, "form": form})
