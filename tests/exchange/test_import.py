"""Import of DHIS2 data value sets (JSON) and ADX (XML) through the import pipeline: values land
in draft reports, every problem is located, hostile files fail the job and save nothing."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exchange.models import Dhis2Profile
from exchange.services import as_adx, as_json, dhis2_values
from indicators.models import MonthlyReport, MonthlyValue, ValueChange
from kernel.models import ImportJob

from .conftest import MONTH, YEAR, stored, uid

pytestmark = pytest.mark.django_db
PERIOD = f"{YEAR}{MONTH:02d}"


def _url(world):
    return reverse("exchange:dhis2-import", args=[world["hsu"]["district"].pk])


def _post(client, post_import, world, user, content: bytes, name="values.json"):
    client.force_login(user)
    return post_import(_url(world), {"file": SimpleUploadedFile(name, content)})


def _value(number=1, village=1, value="12", **extra):
    return {
        "dataElement": uid("D", number),
        "period": PERIOD,
        "orgUnit": uid("V", village),
        "value": value,
        **({"categoryOptionCombo": "HllvX50cXC0"} if number == 1 else {}),
        **extra,
    }


def _file(*values) -> bytes:
    return json.dumps({"dataValues": list(values)}).encode()


def _counts():
    return (
        MonthlyValue.objects.count(),
        MonthlyReport.objects.count(),
        ValueChange.objects.count(),
    )


def test_import_lands_as_draft_values(client, post_import, world, district_user, mapped, services):
    content = _file(_value(1, 1, "12", comment="dari DHIS2"), _value(2, 2, "7"))
    response, job = _post(client, post_import, world, district_user, content)
    assert job is not None and job.status == ImportJob.Status.DONE, job and job.errors
    report = MonthlyReport.objects.get(puskesmas=world["hsu"]["puskesmas"], year=YEAR, month=MONTH)
    assert report.status == MonthlyReport.Status.DRAFT
    one, two = world["hsu"]["villages"]
    assert stored(report) == {
        (one.pk, services[0].pk): (12, "dari DHIS2"),
        (two.pk, services[1].pk): (7, ""),
    }
    assert job.result["values_changed"] == 2
    assert ValueChange.objects.filter(report=report).count() == 2
    # The audit says where the values came from (the job runs in the uploader's language).
    reasons = set(ValueChange.objects.filter(report=report).values_list("reason", flat=True))
    assert len(reasons) == 1 and "DHIS2" in reasons.pop()


def test_puskesmas_head_imports_for_their_own_puskesmas(
    client, post_import, world, puskesmas_head, mapped
):
    _response, job = _post(client, post_import, world, puskesmas_head, _file(_value()))
    assert job.status == ImportJob.Status.DONE, job.errors


def test_province_cannot_import(client, post_import, world, province_user, mapped):
    response, job = _post(client, post_import, world, province_user, _file(_value()))
    assert job is None and response.status_code == 403


def test_another_district_cannot_open_the_import(
    client, post_import, world, other_district_user, mapped
):
    response, job = _post(client, post_import, world, other_district_user, _file(_value()))
    assert job is None and response.status_code == 404


def test_problems_are_located_and_nothing_is_saved(
    client, post_import, world, district_user, mapped
):
    before = _counts()
    content = _file(
        _value(),
        {**_value(2), "dataElement": "abc"},
        {**_value(2), "orgUnit": uid("Z", 9)},
        {**_value(2), "period": "2025W12"},
        {**_value(3), "orgUnit": uid("P", 1)},
        _value(1, 1, "13"),  # twice the same cell
    )
    _response, job = _post(client, post_import, world, district_user, content)
    assert job.status == ImportJob.Status.FAILED
    errors = " | ".join(job.errors)
    assert "dataValues[1]: " in errors and "'abc'" in errors
    assert "dataValues[2]: " in errors and uid("Z", 9) in errors
    assert "dataValues[3]: " in errors and "2025W12" in errors
    assert "dataValues[4]: " in errors
    assert "dataValues[5]: " in errors and "0" in errors
    assert not any(m.startswith("dataValues[0]") for m in job.errors)
    assert _counts() == before


def test_a_submitted_report_refuses_its_values(client, post_import, world, district_user, filled):
    MonthlyReport.objects.filter(pk=filled.pk).update(status=MonthlyReport.Status.SUBMITTED)
    before = stored(filled)
    _response, job = _post(client, post_import, world, district_user, _file(_value(1, 1, "99")))
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0].startswith("dataValues[0]: ")
    assert stored(filled) == before


def test_a_district_without_mapping_refuses_the_file(client, post_import, world, district_user):
    _response, job = _post(client, post_import, world, district_user, _file(_value()))
    assert job.status == ImportJob.Status.FAILED and job.errors


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE adx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="V0000000001" period="2025-11-01/P1M">
<dataValue dataElement="D0000000002" value="&xxe;"/></group></adx>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="V0000000001" period="2025-11-01/P1M">
<dataValue dataElement="D0000000002" value="&lol3;"/></group></adx>"""


def _hostile():
    value = lambda v: _file(_value(2, 1, v))  # noqa: E731

    def raw(v):
        return (
            b'{"dataValues":[{"dataElement":"D0000000002","period":"202511","orgUnit":"V0000000001","value":%s}]}'
            % v
        )

    return {
        "xxe": XXE,
        "billion_laughs": LAUGHS,
        "invalid_utf8": b'{"dataValues":[{"comment":"\xff\xfe"}]}',
        "nul": b'{"dataValues":[{"comment":"a\x00b"}]}',
        "deep_json": b'{"dataValues":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "huge_float": raw(b"1e309"),
        "nan": raw(b"NaN"),
        "huge_int": raw(b"9" * 5000),
        "negative": value("-3"),
        "negative_number": raw(b"-3"),
        "fraction": value("1.5"),
        "float_number": raw(b"1.5"),
        "boolean": raw(b"true"),
        "text": value("dua belas"),
        "not_a_value_set": b'{"dataValues": 5}',
        "not_json": b"{dataValues",
        "xml_not_adx": b"<html><body/></html>",
        "xlsx": b"PK\x03\x04" + b"\x00" * 100,
        "list_of_values": b"[1, 2, 3]",
    }


@pytest.mark.parametrize("name", sorted(_hostile()))
def test_a_hostile_file_fails_the_job_and_saves_nothing(
    client, post_import, world, district_user, filled, name
):
    before, values = _counts(), stored(filled)
    _response, job = _post(client, post_import, world, district_user, _hostile()[name], "h.json")
    assert job is not None and job.status == ImportJob.Status.FAILED, name
    assert job.errors and all(len(message) < 600 for message in job.errors)
    assert _counts() == before and stored(filled) == values


def test_a_file_over_the_limit_is_refused_before_it_is_stored(
    client, post_import, world, district_user, mapped
):
    big = b'{"dataValues":[' + b" " * (50 * 1024 * 1024) + b"]}"
    response, job = _post(client, post_import, world, district_user, big)
    assert job is None and response.status_code == 200
    assert response.context["form"].errors
    assert not ImportJob.objects.exists()


# --- Round trip -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["json", "adx"])
def test_round_trip_export_import_gives_identical_values(
    client, post_import, world, district_user, filled, kind
):
    result = dhis2_values(
        user=district_user, district=world["hsu"]["district"], year=YEAR, months=[MONTH]
    )
    exported = as_json(result) if kind == "json" else as_adx(result)
    before = {
        key: value for key, value in stored(filled).items() if key[1] in result.mapping.elements()
    }
    MonthlyValue.objects.filter(report=filled).delete()  # an empty copy
    _response, job = _post(
        client,
        post_import,
        world,
        district_user,
        exported,
        f"x.{'json' if kind == 'json' else 'xml'}",
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    assert stored(filled) == before
    again = dhis2_values(
        user=district_user, district=world["hsu"]["district"], year=YEAR, months=[MONTH]
    )

    def strip(r):
        return [
            (v.data_element, v.period, v.org_unit, v.category_option_combo, v.value, v.comment)
            for v in r.values
        ]

    assert strip(again) == strip(result)


def test_export_import_export_is_the_same_file_into_a_filled_copy(
    client, post_import, world, district_user, filled
):
    first = as_json(
        dhis2_values(
            user=district_user, district=world["hsu"]["district"], year=YEAR, months=[MONTH]
        )
    )
    _response, job = _post(client, post_import, world, district_user, first)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.result["values_changed"] == 0  # nothing differs
    second = as_json(
        dhis2_values(
            user=district_user, district=world["hsu"]["district"], year=YEAR, months=[MONTH]
        )
    )
    assert second == first


def test_puskesmas_level_values_are_not_imported(client, post_import, world, district_user, mapped):
    Dhis2Profile.objects.filter(pk=mapped.pk).update(level=Dhis2Profile.Level.PUSKESMAS)
    _response, job = _post(
        client, post_import, world, district_user, _file({**_value(), "orgUnit": uid("P", 1)})
    )
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0].startswith("dataValues[0]: ")


# The pipeline's hostile spreadsheets (tests/hostile/files.py) as DHIS2 uploads: refused as
# neither JSON nor ADX, with the messages the hostile suite expects ("Sheet <file>: ...").
FAST_HOSTILE = ["binary_junk", "empty", "external_entity", "ole2", "raw_nul", "renamed_csv"]


@pytest.mark.parametrize("name", FAST_HOSTILE)
def test_the_pipelines_hostile_files_fail_the_job(
    client, post_import, world, district_user, mapped, name
):
    from tests.hostile import files

    data = files.HOSTILE[name]("Data", ["a"])
    before = _counts()
    response, job = _post(client, post_import, world, district_user, data, "hostile.xlsx")
    if job is None:  # refused before it is stored (an empty upload)
        assert response.status_code == 200 and response.context["form"].errors
        return
    assert job.status == ImportJob.Status.FAILED
    assert job.errors and all(len(message) < 600 for message in job.errors)
    assert _counts() == before
