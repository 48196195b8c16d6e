"""The SATUSEHAT master-data endpoints, read with the standard library (no new dependency).

OAuth2 client credentials: POST {base}/oauth2/v1/accesstoken?grant_type=client_credentials with
the form body client_id, client_secret; the answer's `access_token` is the bearer token. The
facility list, GET {base}/masterdata/v1/mastersaranaindex/mastersarana, is read page by page for
one district; its query parameter names (below) are ASSUMED, UNVERIFIED against the live
endpoint. Every failure is a `FetchFailed` with a sentence for the job's page; the secret is
never in one.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

TOKEN_PATH = "/oauth2/v1/accesstoken"
FACILITY_PATH = "/masterdata/v1/mastersaranaindex/mastersarana"
PAGE_SIZE = 100
MAX_PAGES = 200
TIMEOUT = 20  # seconds per request
# Environments a district may point at; tests add their local fake server.
DEFAULT_HOSTS = (
    "api-satusehat.kemkes.go.id",
    "api-satusehat-stg.dto.kemkes.go.id",
    "api-satusehat-dev.dto.kemkes.go.id",
)


class FetchFailed(Exception):
    """The endpoints could not give the facilities; the message says why."""


def allowed_hosts() -> tuple[str, ...]:
    return tuple(getattr(settings, "SIMPUL_SATUSEHAT_HOSTS", DEFAULT_HOSTS))


def _limit() -> int:
    return settings.SIMPUL_IMPORT_MAX_BYTES


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: the worker never follows SATUSEHAT's answer to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _open(request: urllib.request.Request, *, timeout: float) -> bytes:
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(_limit() + 1)
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            raise FetchFailed(
                _(
                    "SATUSEHAT refused the credentials (HTTP %(status)s): check the client id "
                    "and secret, and that they are for this environment."
                )
                % {"status": error.code}
            ) from None
        raise FetchFailed(
            _("SATUSEHAT answered HTTP %(status)s; try again later.") % {"status": error.code}
        ) from None
    except TimeoutError:
        raise FetchFailed(
            _("SATUSEHAT did not answer within %(seconds)s seconds; try again later.")
            % {"seconds": int(timeout)}
        ) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError | socket.timeout):
            raise FetchFailed(
                _("SATUSEHAT did not answer within %(seconds)s seconds; try again later.")
                % {"seconds": int(timeout)}
            ) from None
        raise FetchFailed(
            _("SATUSEHAT could not be reached (%(reason)s).") % {"reason": str(error.reason)[:200]}
        ) from None
    except (OSError, ValueError) as error:
        raise FetchFailed(
            _("SATUSEHAT could not be reached (%(reason)s).") % {"reason": str(error)[:200]}
        ) from None
    if len(data) > _limit():
        raise FetchFailed(_("SATUSEHAT answered with more data than an import may hold."))
    return data


def _json(data: bytes):
    try:
        return json.loads(data.decode("utf-8-sig"), parse_float=Decimal)
    except (ValueError, RecursionError):
        raise FetchFailed(_("SATUSEHAT answered with something that is not JSON.")) from None


def access_token(*, base_url: str, client_id: str, client_secret: str, timeout=TIMEOUT) -> str:
    body = urllib.parse.urlencode({"client_id": client_id, "client_secret": client_secret})
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}{TOKEN_PATH}?grant_type=client_credentials",
        data=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        method="POST",
    )
    answer = _json(_open(request, timeout=timeout))
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token or len(token) > 4000:
        raise FetchFailed(_("SATUSEHAT gave no access token."))
    return token


def facilities_fetch(
    *,
    base_url: str,
    client_id: str,
    client_secret: str,
    district_code: str,
    timeout=TIMEOUT,
    progress=None,
) -> bytes:
    """Every facility of one district (Kemendagri code 63.08), as one `{"data": [...]}`
    document in the facility endpoint's shape, ready for the facilities import."""
    token = access_token(
        base_url=base_url, client_id=client_id, client_secret=client_secret, timeout=timeout
    )
    province, city = district_code.split(".")[0], district_code.replace(".", "")
    items: list = []
    size = 0
    for page in range(1, MAX_PAGES + 1):
        query = urllib.parse.urlencode(
            {"page": page, "limit": PAGE_SIZE, "provinsi": province, "kabkota": city}
        )
        request = urllib.request.Request(
            f"{base_url.rstrip('/')}{FACILITY_PATH}?{query}",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        data = _open(request, timeout=timeout)
        size += len(data)
        if size > _limit():
            raise FetchFailed(_("SATUSEHAT answered with more data than an import may hold."))
        answer = _json(data)
        found = answer.get("data") if isinstance(answer, dict) else answer
        if isinstance(found, dict) and isinstance(found.get("items"), list):
            found = found["items"]
        if not isinstance(found, list):
            raise FetchFailed(_("SATUSEHAT answered in a shape this import does not know."))
        items.extend(found)
        if progress:
            progress(len(items))
        if len(found) < PAGE_SIZE:
            break
    else:
        raise FetchFailed(_("SATUSEHAT gave more pages than expected; stopped."))
    return json.dumps({"data": items}, default=str).encode()
