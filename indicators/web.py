"""Small helpers shared by every app's views: pagination, export switch, service-error handling."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest

from .spreadsheets import xlsx_response

PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset, *, per_page: int = PAGE_SIZE) -> dict:
    """The context a paginated list needs: the page, and the query string without `page`."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {"page_obj": page, "rows": page.object_list, "query_string": params.urlencode()}


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
        call()
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
    return True
