"""The API (issue #19): one NinjaAPI, one router per part, token auth, problem+json errors,
rate limits per token. Every router starts its querysets from kernel.scoping.in_area (and the
monthly data from indicators.readable), exactly as the pages do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from . import errors
from .auth import TokenAuth
from .routers import ROUTERS
from .throttling import throttles

DESCRIPTION = """
Simpul's data for other systems, scoped like the pages: a puskesmas token reads its puskesmas,
a district token its district, a province token its districts' **approved** values.

Authenticate with `Authorization: Bearer smp_...` (create a token under *My account > API
tokens*; a district planner creates service accounts and their tokens). Lists are paginated
(`page`, `page_size` up to 500). Errors are `application/problem+json`. Each token has a rate
limit; a 429 says when to try again (`Retry-After`).
"""

api = NinjaAPI(
    title="Simpul API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    throttle=throttles(),
    # Swagger UI from the installed django-ninja package's static files ("ninja" is in
    # INSTALLED_APPS): no CDN.
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs/",
    openapi_url="/openapi.json",
)
api.openapi_extra_title = str(_("Simpul API"))
errors.install(api)
for prefix, router in ROUTERS:
    api.add_router(prefix, router)
