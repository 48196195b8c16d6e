"""Pushing a puskesmas's month through the API: the entry page's checks and rules (issue #19)."""

import json

import pytest
from django.urls import reverse

from indicators import services
from indicators.models import MonthlyReport, MonthlyValue, Target, ValueChange
from indicators.services import monthly_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

YEAR, MONTH = 2025, 3


def url(puskesmas, year=YEAR, month=MONTH):
    return f"/api/v1/monthly/reports/{puskesmas.pk}/{year}/{month}/values"


@pytest.fixture
def spm(world):
    return monthly_services(YEAR)


@pytest.fixture
def hsu(world):
    return world["hsu"]


def _saved(report):
    return {(v.village_id, v.service.code): (v.value, v.comment) for v in report.values.all()}


def test_a_push_opens_a_draft_that_the_entry_page_shows(api_as, client, puskesmas_staff, hsu, spm):
    v1, v2 = hsu["villages"]
    body = {
        "version": None,
        "values": [
            {"village_id": v1.pk, "service": spm[0].code, "value": 37, "comment": "posyandu"},
            {"village_id": v2.pk, "service": spm[1].code, "value": 0},
            {"village_id": v2.pk, "service": spm[2].code, "value": None},
        ],
    }
    answer = api_as(puskesmas_staff).put(url(hsu["puskesmas"]), body)
    assert answer.status_code == 200, answer.content
    result = answer.json()
    report = MonthlyReport.objects.get(puskesmas=hsu["puskesmas"], year=YEAR, month=MONTH)
    assert result["report_id"] == report.pk
    assert result["status"] == "draft" and report.status == "draft"
    assert result["changed"] == 2  # the null cell was empty already
    assert result["version"] == report.version
    assert _saved(report) == {
        (v1.pk, spm[0].code): (37, "posyandu"),
        (v2.pk, spm[1].code): (0, ""),
    }
    assert ValueChange.objects.filter(report=report, changed_by=puskesmas_staff).count() == 2
    client.force_login(puskesmas_staff)
    page = client.get(reverse("indicators:report-entry", kwargs={"pk": report.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="v-{v1.pk}-{spm[0].pk}"' in html
    assert 'value="37"' in html and "posyandu" in html


def test_a_second_push_changes_only_what_differs_and_keeps_comments_left_out(
    api_as, puskesmas_staff, hsu, spm
):
    api, v1 = api_as(puskesmas_staff), hsu["villages"][0]
    cell = {"village_id": v1.pk, "service": spm[0].code}
    first = api.put(url(hsu["puskesmas"]), {"values": [{**cell, "value": 4, "comment": "ok"}]})
    again = api.put(
        url(hsu["puskesmas"]),
        {"version": first.json()["version"], "values": [{**cell, "value": 5}]},
    )
    assert again.status_code == 200, again.content
    assert again.json()["changed"] == 1
    report = MonthlyReport.objects.get(pk=first.json()["report_id"])
    assert _saved(report) == {(v1.pk, spm[0].code): (5, "ok")}
    same = api.put(url(hsu["puskesmas"]), {"values": [{**cell, "value": 5}]})
    assert same.json()["changed"] == 0


def test_warnings_come_back_per_value(api_as, puskesmas_head, hsu, spm):
    v1 = hsu["villages"][0]
    Target.objects.create(
        village=v1, year=YEAR, service=spm[0], source="estimate", value=10, is_of_record=True
    )
    answer = api_as(puskesmas_head).put(
        url(hsu["puskesmas"]),
        {"values": [{"village_id": v1.pk, "service": spm[0].code, "value": 12}]},
    )
    assert answer.status_code == 200
    warnings = answer.json()["warnings"]
    assert [(w["village_id"], w["service"], w["kind"]) for w in warnings] == [
        (v1.pk, spm[0].code, "target")
    ]
    assert warnings[0]["message"]


def test_every_refused_value_is_listed_and_nothing_is_saved(
    api_as, puskesmas_staff, hsu, spm, world
):
    v1, v2 = hsu["villages"]
    foreign = world["banjarmasin"]["villages"][0]
    province_service = "SPM-P01"
    body = {
        "values": [
            {"village_id": v1.pk, "service": spm[0].code, "value": 3},  # fine, but not saved
            {"village_id": v1.pk, "service": spm[1].code, "value": -1},
            {"village_id": v1.pk, "service": spm[2].code, "value": 1_000_001},
            {"village_id": v1.pk, "service": spm[3].code, "value": "lima"},
            {"village_id": v1.pk, "service": spm[4].code, "value": 2**63},
            {"village_id": foreign.pk, "service": spm[0].code, "value": 1},
            {"village_id": 2_000_000_000, "service": spm[0].code, "value": 1},
            {"village_id": v2.pk, "service": "SPM-99", "value": 1},
            {"village_id": v2.pk, "service": province_service, "value": 1},
            {"village_id": v2.pk, "service": spm[0].code, "value": 1, "comment": "a\x00b"},
            {"village_id": v2.pk, "service": spm[2].code, "value": "\u0661\u0662"},
            {"village_id": v2.pk, "service": spm[3].code, "value": "\u00b2"},
            {"village_id": v1.pk, "service": spm[0].code, "value": 4},  # sent twice
        ]
    }
    answer = api_as(puskesmas_staff).put(url(hsu["puskesmas"]), body)
    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    refused = {(e["village_id"], e["service"]) for e in answer.json()["errors"]}
    assert refused == {
        (v1.pk, spm[1].code),
        (v1.pk, spm[2].code),
        (v1.pk, spm[3].code),
        (v1.pk, spm[4].code),
        (foreign.pk, spm[0].code),
        (2_000_000_000, spm[0].code),
        (v2.pk, "SPM-99"),
        (v2.pk, province_service),
        (v2.pk, spm[0].code),
        (v2.pk, spm[2].code),
        (v2.pk, spm[3].code),
        (v1.pk, spm[0].code),
    }
    assert all(e["message"] for e in answer.json()["errors"])
    assert not MonthlyValue.objects.exists()


def test_another_users_write_since_the_version_is_a_409_with_their_value(
    api_as, puskesmas_staff, puskesmas_head, hsu, spm
):
    v1 = hsu["villages"][0]
    cell = {"village_id": v1.pk, "service": spm[0].code}
    mine = api_as(puskesmas_staff).put(url(hsu["puskesmas"]), {"values": [{**cell, "value": 1}]})
    seen = mine.json()["version"]
    theirs = api_as(puskesmas_head, name="head").put(
        url(hsu["puskesmas"]),
        {"version": seen, "values": [{**cell, "value": 2, "comment": "recount"}]},
    )
    assert theirs.status_code == 200
    answer = api_as(puskesmas_staff, name="again").put(
        url(hsu["puskesmas"]), {"version": seen, "values": [{**cell, "value": 3}]}
    )
    assert answer.status_code == 409, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    [conflict] = answer.json()["errors"]
    assert conflict["village_id"] == v1.pk and conflict["service"] == spm[0].code
    assert (conflict["value"], conflict["comment"]) == (2, "recount")
    assert conflict["by"] and conflict["message"]
    report = MonthlyReport.objects.get(pk=mine.json()["report_id"])
    assert _saved(report) == {(v1.pk, spm[0].code): (2, "recount")}
    # Another cell based on the same old version does not conflict (per-cell rule).
    other = {"village_id": v1.pk, "service": spm[1].code, "value": 9}
    ok = api_as(puskesmas_staff, name="other").put(
        url(hsu["puskesmas"]), {"version": seen, "values": [other]}
    )
    assert ok.status_code == 200


def test_a_null_version_means_the_current_one_so_the_push_replaces_what_is_stored(
    api_as, puskesmas_staff, puskesmas_head, hsu, spm
):
    cell = {"village_id": hsu["villages"][0].pk, "service": spm[0].code}
    api_as(puskesmas_head).put(url(hsu["puskesmas"]), {"values": [{**cell, "value": 2}]})
    answer = api_as(puskesmas_staff).put(
        url(hsu["puskesmas"]), {"version": None, "values": [{**cell, "value": 3}]}
    )
    assert answer.status_code == 200
    assert MonthlyValue.objects.get().value == 3
    stale = api_as(puskesmas_head, name="stale").put(
        url(hsu["puskesmas"]), {"version": 1, "values": [{**cell, "value": 4}]}
    )
    assert stale.status_code == 409  # the head's version 1 predates the staff's write


def test_a_submitted_report_refuses_and_keeps_its_values(api_as, puskesmas_staff, hsu, spm):
    report = services.report_open(
        puskesmas=hsu["puskesmas"], year=YEAR, month=MONTH, by=puskesmas_staff
    )
    MonthlyReport.objects.filter(pk=report.pk).update(status="submitted")
    cell = {"village_id": hsu["villages"][0].pk, "service": spm[0].code, "value": 1}
    answer = api_as(puskesmas_staff).put(url(hsu["puskesmas"]), {"values": [cell]})
    assert answer.status_code in (400, 409)
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["detail"]
    assert not MonthlyValue.objects.exists()


def test_a_returned_report_needs_a_reason(api_as, puskesmas_staff, hsu, spm):
    report = services.report_open(
        puskesmas=hsu["puskesmas"], year=YEAR, month=MONTH, by=puskesmas_staff
    )
    MonthlyReport.objects.filter(pk=report.pk).update(
        status="returned", first_submitted_at="2025-04-05T10:00:00+08:00"
    )
    cell = {"village_id": hsu["villages"][0].pk, "service": spm[0].code, "value": 1}
    api = api_as(puskesmas_staff)
    assert api.put(url(hsu["puskesmas"]), {"values": [cell]}).status_code == 400
    answer = api.put(url(hsu["puskesmas"]), {"reason": "typo", "values": [cell]})
    assert answer.status_code == 200
    assert ValueChange.objects.get().reason == "typo"


def test_a_district_planner_may_not_push_its_puskesmas_month(api_as, district_user, hsu, spm):
    cell = {"village_id": hsu["villages"][0].pk, "service": spm[0].code, "value": 1}
    answer = api_as(district_user).put(url(hsu["puskesmas"]), {"values": [cell]})
    assert answer.status_code == 403
    assert answer["Content-Type"] == "application/problem+json"
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize("who", ["other_district_user", "province_user", "puskesmas_staff"])
def test_another_areas_puskesmas_is_a_404(api_as, request, world, spm, who):
    user = request.getfixturevalue(who)
    target = world[
        {"other_district_user": "hsu", "province_user": "bontang"}.get(who, "banjarmasin")
    ]
    cell = {"village_id": target["villages"][0].pk, "service": spm[0].code, "value": 1}
    answer = api_as(user).put(url(target["puskesmas"]), {"values": [cell]})
    assert answer.status_code == 404
    assert not MonthlyReport.objects.exists()


def test_a_province_reviewer_inside_the_area_is_a_403(api_as, province_user, hsu, spm):
    cell = {"village_id": hsu["villages"][0].pk, "service": spm[0].code, "value": 1}
    assert api_as(province_user).put(url(hsu["puskesmas"]), {"values": [cell]}).status_code == 403


def test_a_month_not_started_or_a_year_not_set_up_is_refused(api_as, puskesmas_staff, hsu, spm):
    api = api_as(puskesmas_staff)
    cell = {"village_id": hsu["villages"][0].pk, "service": spm[0].code, "value": 1}
    assert api.put(url(hsu["puskesmas"], year=2099, month=1), {"values": [cell]}).status_code == 400
    assert api.put(url(hsu["puskesmas"], year=2023, month=1), {"values": [cell]}).status_code == 400
    assert not MonthlyReport.objects.exists()


def test_a_mentor_without_assigned_districts_gets_a_404(api_as, world, hsu, spm):
    mentor_like = UserFactory(username="robot", role="mentor")
    cell = {"village_id": hsu["villages"][0].pk, "service": spm[0].code, "value": 1}
    assert api_as(mentor_like).put(url(hsu["puskesmas"]), {"values": [cell]}).status_code == 404


def _raw_put(client, token_client, path, body, content_type="application/json"):
    return client.generic(
        "PUT",
        path,
        body,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {token_client.token}",
    )


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"",
        b"null",
        b"[]",
        b'{"values": "all"}',
        b'{"values": [{"village_id": 1}]}',
        b'{"values": [{"village_id": 9223372036854775808, "service": "SPM-01"}]}',
        b'{"version": 9223372036854775808, "values": []}',
        b'{"values": [], "reason": "a\\u0000b"}',
        b'{"values": [], "reason": "\\ud800"}',
        b'{"values": [{"village_id": 1, "service": "SPM-01", "comment": "\\udfff"}]}',
        b'{"values": [{"village_id": 1, "service": "SPM-01", "value": 1.5}]}',
        b'{"values": [{"village_id": 1, "service": "SPM-01", "value": [1]}]}',
        b'{"values": [{"village_id": 1, "service": "' + b"S" * 100 + b'", "value": 1}]}',
        b"\xff\xfe{}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"values": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"values": ['
        + b'{"village_id": 1, "service": "SPM-01", "value": 1},' * 5001
        + b'{"village_id": 1, "service": "SPM-01", "value": 1}]}',
    ],
)
def test_hostile_bodies_are_refused_never_a_500(api_as, client, puskesmas_staff, hsu, body):
    api = api_as(puskesmas_staff)
    answer = _raw_put(client, api, url(hsu["puskesmas"]), body)
    assert answer.status_code in (400, 422), answer.content[:300]
    assert answer["Content-Type"] == "application/problem+json"
    assert not MonthlyValue.objects.exists()


def test_a_ten_megabyte_body_is_refused_never_a_500(api_as, client, puskesmas_staff, hsu):
    api = api_as(puskesmas_staff)
    body = json.dumps({"values": [], "reason": "x" * 10_000_000}).encode()
    answer = _raw_put(client, api, url(hsu["puskesmas"]), body)
    assert answer.status_code in (400, 413, 422)
    assert not MonthlyReport.objects.exists()


def test_a_form_encoded_body_is_refused(api_as, client, puskesmas_staff, hsu):
    api = api_as(puskesmas_staff)
    answer = _raw_put(
        client, api, url(hsu["puskesmas"]), b"values=1", "application/x-www-form-urlencoded"
    )
    assert answer.status_code in (400, 422)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/monthly/reports/9223372036854775808/2025/3/values",
        "/api/v1/monthly/reports/1/2025/13/values",
        "/api/v1/monthly/reports/1/99999/3/values",
    ],
)
def test_absurd_path_parts_are_a_422(api_as, puskesmas_staff, path):
    assert api_as(puskesmas_staff).put(path, {"values": []}).status_code == 422
