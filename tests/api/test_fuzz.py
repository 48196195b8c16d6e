"""Schemathesis against the live OpenAPI document (issue #19, part 4).

Every operation the document lists (read at import, so a new router is fuzzed without editing
this file) is called with generated data through Django's WSGI app, as three users: a planner
of Hulu Sungai Utara, one of Kota Banjarmasin and the Kalimantan Selatan reviewer. Each answer
must be no 5xx, a documented status and content type, conform to its schema, and hold no id,
code or name of an object outside the caller's area. A second test sends each id-taking
parameter the ids of the other area's objects, which generated numbers would rarely hit.

Bounded and reproducible: a few examples per operation, derandomized, no deadline.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import api
from api.services import token_create
from tests.factories import CommitmentFactory, FollowUpFactory, MeetingFactory

pytestmark = [pytest.mark.django_db]

PREFIX = "/api/v1"
DOCUMENT = api.get_openapi_schema(path_prefix=PREFIX)
SCHEMA = schemathesis.openapi.from_dict(json.loads(json.dumps(DOCUMENT)))
OPERATIONS = sorted(
    (method.upper(), path)
    for path, methods in DOCUMENT["paths"].items()
    for method in methods
    if method in {"get", "post", "put", "patch", "delete"}
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 12  # per operation and user; derandomized, so a failure reproduces
APP = get_wsgi_application()

# Which kind of object an "<x>_id" key (or a list's "id" under a path ending in a kind) names.
KIND_OF_KEY = {
    "province_id": "province",
    "district_id": "district",
    "subdistrict_id": "subdistrict",
    "village_id": "village",
    "puskesmas_id": "puskesmas",
    "service_point_id": "service_point",
    "meeting_id": "meeting",
    "report_id": "report",
}
KIND_OF_PATH = {
    "provinces": "province",
    "districts": "district",
    "subdistricts": "subdistrict",
    "villages": "village",
    "puskesmas": "puskesmas",
    "service-points": "service_point",
    "meetings": "meeting",
    "reports": "report",
}


@dataclass
class Area:
    """One district's objects: their ids by kind, their codes and names."""

    ids: dict[str, set[int]] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)

    def add(self, kind: str, obj: Any) -> None:
        self.ids.setdefault(kind, set()).add(obj.pk)
        for attribute in ("code", "name"):
            value = getattr(obj, attribute, "")
            if value:
                self.words.add(str(value))

    def merged(self, other: Area) -> Area:
        ids = {k: self.ids.get(k, set()) | other.ids.get(k, set()) for k in {*self.ids, *other.ids}}
        return Area(ids, self.words | other.words)


def _district_data(world: dict, key: str, service, by) -> Area:
    from indicators.models import MonthlyReport, MonthlyValue

    part, area = world[key], Area()
    area.add("district", part["district"])
    area.add("subdistrict", part["subdistrict"])
    area.add("puskesmas", part["puskesmas"])
    area.add("service_point", part["service_point"])
    for village in part["villages"]:
        area.add("village", village)
    for month, status in ((1, "approved"), (2, "draft")):
        report = MonthlyReport.objects.create(
            puskesmas=part["puskesmas"], year=2026, month=month, status=status, due_on="2026-03-10"
        )
        area.ids.setdefault("report", set()).add(report.pk)
        for village in part["villages"]:
            MonthlyValue.objects.create(report=report, village=village, service=service, value=7)
    meeting = MeetingFactory(puskesmas=part["puskesmas"], created_by=by)
    area.ids.setdefault("meeting", set()).add(meeting.pk)
    FollowUpFactory(meeting=meeting)
    CommitmentFactory(meeting=meeting)
    return area


@pytest.fixture(autouse=True)
def _connection_kept_between_requests():
    """The WSGI app closes the database connection after each request (request_finished), which
    on PostgreSQL ends the test's transaction; Django's test client keeps it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@dataclass
class Caller:
    name: str
    token: str
    foreign: Area


@pytest.fixture
def callers(world, district_user, other_district_user, province_user, settings):
    """The three users, each with a token and the markers of what they must never see."""
    from indicators.models import SPMService

    settings.SIMPUL_API_RATE_MINUTE = "100000/m"
    settings.SIMPUL_API_RATE_HOUR = "100000/h"
    service = SPMService.objects.order_by("pk").first()
    areas = {
        key: _district_data(world, key, service, district_user)
        for key in ("hsu", "banjarmasin", "bontang")
    }
    kaltim = Area()
    kaltim.add("province", world["kaltim"])
    outside_kalsel = areas["bontang"].merged(kaltim)
    return [
        Caller(
            "hsu",
            token_create(user=district_user, name="f", by=district_user)[1],
            areas["banjarmasin"].merged(outside_kalsel),
        ),
        Caller(
            "banjarmasin",
            token_create(user=other_district_user, name="f", by=other_district_user)[1],
            areas["hsu"].merged(outside_kalsel),
        ),
        Caller(
            "kalsel",
            token_create(user=province_user, name="f", by=province_user)[1],
            outside_kalsel,
        ),
    ]


def _leaks(body: Any, foreign: Area, path: str) -> list[str]:
    """What in `body` names an object of `foreign` (ids under their keys, codes, names)."""
    found: list[str] = []
    last = [part for part in path.split("/") if part and not part.startswith("{")][-1]

    def walk(node: Any, list_kind: str | None) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                kind = KIND_OF_KEY.get(key) or (list_kind if key == "id" else None)
                if kind and isinstance(value, int) and value in foreign.ids.get(kind, ()):
                    found.append(f"{key}={value}")
                walk(value, None)
        elif isinstance(node, list):
            for item in node:
                walk(item, KIND_OF_PATH.get(last) if list_kind is None else list_kind)
        elif isinstance(node, str) and node in foreign.words:
            found.append(repr(node))

    if isinstance(body, dict) and isinstance(body.get("items"), list):
        walk(body["items"], None)
        walk({k: v for k, v in body.items() if k != "items"}, None)
    else:
        walk(body, KIND_OF_PATH.get(last))
    return found


def _body(response) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_survives_generated_requests_as_three_areas(callers, method, path):
    operation = SCHEMA[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        for caller in callers:
            # Identity: the WSGI client does not undo the site's gzip/brotli.
            headers = {"Authorization": f"Bearer {caller.token}", "Accept-Encoding": "identity"}
            response = case.call(app=APP, headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)
            leaks = _leaks(_body(response), caller.foreign, path)
            assert not leaks, f"{method} {path} as {caller.name} shows {leaks}"

    run()


ID_PARAMETER = re.compile(r"(^|_)id$")


@pytest.mark.parametrize(
    ("method", "path"),
    [o for o in OPERATIONS if o[0] == "GET"],
    ids=[f"GET {p}" for m, p in OPERATIONS if m == "GET"],
)
def test_other_areas_ids_show_nothing_of_them(client, callers, method, path):
    """Each id parameter gets each foreign id of a fitting kind: a 404, an empty list or the
    caller's own rows, never the other area's."""
    parameters = [
        p
        for p in DOCUMENT["paths"][path]["get"].get("parameters", [])
        if ID_PARAMETER.search(p["name"])
    ]
    for caller in callers:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {caller.token}"}
        for parameter in parameters:
            name = parameter["name"]
            kind = KIND_OF_KEY.get(name) or KIND_OF_PATH.get(path.rstrip("/").split("/")[-2])
            ids = sorted(caller.foreign.ids.get(kind, ())) if kind else []
            if kind is None:  # an id of some other kind: every foreign id there is
                ids = sorted({i for group in caller.foreign.ids.values() for i in group})
            for value in ids:
                if parameter["in"] == "path":
                    url, query = path.replace("{" + name + "}", str(value)), {}
                else:
                    url, query = path, {name: value}
                if "{" in url:
                    continue  # other path parameters this probe cannot fill
                response = client.get(url, query, **headers)
                assert response.status_code < 500, f"{url} {query} as {caller.name}"
                if response.status_code == 200:
                    leaks = _leaks(response.json(), caller.foreign, path)
                    assert not leaks, f"{url} {query} as {caller.name} shows {leaks}"


def test_the_leak_check_sees_what_it_looks_for(client, callers):
    """Control: the province reviewer's village list holds Hulu Sungai Utara's villages, which
    the Banjarmasin planner's markers name; the check must see them."""
    province, banjarmasin = callers[2], callers[1]
    response = client.get(
        f"{PREFIX}/regions/villages", HTTP_AUTHORIZATION=f"Bearer {province.token}"
    )
    assert response.status_code == 200
    assert _leaks(response.json(), banjarmasin.foreign, "/regions/villages")
    assert not _leaks(response.json(), province.foreign, "/regions/villages")
