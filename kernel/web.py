"""Small helpers shared by every app's views: pagination, export switch, service-error handling,
numbers from the query string and safe `next` redirects."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from .spreadsheets import xlsx_response
from .versioning import StaleEdit

PAGE_SIZE = 50
# Years a page may be asked for: anything else is a typo or a probe, answered with the default.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def paginate(request: HttpRequest, queryset, *, per_page: int = PAGE_SIZE) -> dict:
    """The context a paginated list needs: the page, and the query string without `page`."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {"page_obj": page, "rows": page.object_list, "query_string": params.urlencode()}


def query_int(
    request: HttpRequest, name: str, *, default: int | None, low: int, high: int
) -> int | None:
    """The whole number `name` of the query string within [low, high], else `default`: a
    missing, malformed ("abc", "1e9", "%00") or absurd value never reaches the database."""
    text = request.GET.get(name, "").strip()
    if not text or len(text) > 20:
        return default
    try:
        value = int(text)
    except ValueError:
        return default
    return value if low <= value <= high else default


def query_year(request: HttpRequest, default: int | None = None, *, name: str = "year") -> int:
    """`?year=` between 2000 and 2100, else `default` (this year when not given)."""
    fallback = timezone.localdate().year if default is None else default
    return query_int(request, name, default=fallback, low=FIRST_YEAR, high=LAST_YEAR)


def query_id(request: HttpRequest, name: str) -> int | None:
    """An object id from the query string, or None when missing or malformed."""
    return query_int(request, name, default=None, low=1, high=2**63 - 1)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` parameter (posted or in the query string) when it stays on this site, else
    `fallback` (a URL or a URL name): the one check for every redirect a user can steer."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def redirect_next(request: HttpRequest, fallback: str, *args, **kwargs) -> HttpResponseRedirect:
    """Redirect to a safe `next` (see `safe_next`), else to `fallback` (a URL name and args)."""
    target = safe_next(request, "")
    return redirect(target) if target else redirect(fallback, *args, **kwargs)


def wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def export(
    *,
    filename: str,
    sheet: str,
    headers: Sequence[str],
    rows: Iterable,
    row: Callable[..., Sequence],
):
    """Download the same rows a list shows, one spreadsheet row per object."""
    return xlsx_response(
        filename=filename, sheet=sheet, headers=headers, rows=(row(obj) for obj in rows)
    )


def run_service(request: HttpRequest, form: Form | None, call: Callable[[], object]) -> bool:
    """Call a service; put its refusal on the form (or in a message) instead of failing the page."""
    try:
        result = call()
    except StaleEdit as error:
        # Someone saved since the form was opened: keep the user's values, show theirs beside
        # them (base.html), and let a second save, made knowingly, go over the new version.
        if form is None:
            messages.error(request, " ".join(error.messages))
            return False
        form.stale = error
        if form.is_bound and "version" in form.fields:
            data = form.data.copy()
            data[form.add_prefix("version")] = str(error.current_version)
            form.data = data
        form.add_error(None, error)
        return False
    except ValidationError as error:
        if form is not None and hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        elif form is not None:
            form.add_error(None, error)
        else:
            messages.error(request, " ".join(error.messages))
        return False
    except PermissionDenied as error:
        messages.error(request, str(error))
        return False
    if form is not None:
        form.result = result  # what the service saved (on a repeated create: the first one)
    return True


def client_ip(request: HttpRequest) -> str | None:
    """The address of whoever sent `request` (login lock-out counts failures by it).

    Each reverse proxy appends the address it received the request from to X-Forwarded-For
    (nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`). Behind
    SIMPUL_TRUSTED_PROXIES of them, the entry that many places from the right is the address
    the outermost trusted proxy saw; whatever stands further left the client wrote itself and
    never counts. A request that did not come through them all keeps its direct peer.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.SIMPUL_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote
