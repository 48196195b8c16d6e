"""Errors as problem+json (RFC 9457): every refusal says what and, per value, why."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as SchemaValidationError

from kernel.versioning import StaleEdit

logger = logging.getLogger("simpul.api")

PROBLEM_TYPE = "application/problem+json"


class Problem(Schema):
    """What went wrong (RFC 9457); `errors` lists each refused value or field."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[dict[str, Any]] = []


# Spread into every operation's `response=`: the refusals any call may get.
ERRORS: dict[int, type[Problem]] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    413: Problem,
    422: Problem,
    429: Problem,
}


def problem(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    title: str,
    detail: str = "",
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem+json answer."""
    body = {
        "type": "about:blank",
        "title": str(title),
        "status": status,
        "detail": str(detail),
        "instance": request.path,
        "errors": errors or [],
    }
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_TYPE
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Say in the OpenAPI document what the handlers below send: every 4xx/5xx answer is
    application/problem+json (ninja writes application/json for every response)."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for code, response in operation.get("responses", {}).items():
                content = response.get("content") or {}
                if str(code)[0] in "45" and "application/json" in content:
                    response["content"] = {PROBLEM_TYPE: content["application/json"]}
    return schema


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every refusal into problem+json."""
    openapi_schema = api.get_openapi_schema

    def get_openapi_schema(**kwargs: Any) -> Any:
        return document_problems(openapi_schema(**kwargs))

    api.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]

    @api.exception_handler(SchemaValidationError)
    def invalid(request, exc):
        errors = [
            {
                "location": ".".join(str(part) for part in error.get("loc", ())),
                "message": str(error.get("msg", "")),
            }
            for error in exc.errors
        ]
        return problem(api, request, 422, _("The request is not valid."), errors=errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return problem(
            api,
            request,
            401,
            _("A valid API token is needed."),
            _("Send 'Authorization: Bearer <token>' with an active token."),
            headers={"WWW-Authenticate": "Bearer"},
        )

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        wait = int(exc.wait or 1)
        return problem(
            api,
            request,
            429,
            _("Too many requests."),
            _("Try again in %(seconds)s seconds.") % {"seconds": wait},
            headers={"Retry-After": str(wait)},
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(api, request, 404, _("Not found."))

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        return problem(api, request, 404, _("Not found."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return problem(
            api, request, 403, _("Not allowed."), str(exc) or _("Your role may not do this.")
        )

    @api.exception_handler(StaleEdit)
    def stale(request, exc):
        return problem(api, request, 409, _("Someone else changed this first."), str(exc))

    @api.exception_handler(DjangoValidationError)
    def refused(request, exc):
        messages = [str(message) for message in exc.messages]
        return problem(
            api,
            request,
            400,
            _("Refused."),
            " ".join(messages),
            errors=[{"message": message} for message in messages],
        )

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return problem(api, request, 413, _("The request is too large."), str(exc))

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        return problem(api, request, 400, _("The request is not valid."))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return problem(api, request, exc.status_code, str(exc))

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("API error on %s", request.path)
        return problem(api, request, 500, _("Something went wrong on the server."))


def body_guard(view: Callable[..., Any]) -> Callable[..., Any]:
    """For every operation that reads a body (`@decorate_view(body_guard)`): a body over
    Django's limit is a 413 problem. Django refuses it where the body is first read, which
    ninja does before its exception handlers, so without this it would end as a 500."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            request.body  # noqa: B018  (read once, within Django's size limit)
        except RequestDataTooBig as error:
            from .main import api  # main imports the routers, which import this module

            return problem(api, request, 413, _("The request is too large."), str(error))
        return view(request, *args, **kwargs)

    return guarded
