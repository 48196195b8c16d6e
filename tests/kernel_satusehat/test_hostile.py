"""Hostile SATUSEHAT files fail the job with located messages and save nothing."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kernel.imports.runner import import_start
from kernel.models import FacilityProposal, ImportJob, Province

pytestmark = pytest.mark.django_db
Kind = ImportJob.Kind

HOSTILE = {
    "not_json": (b"{this is not json", "JSON"),
    "not_utf8": (b'{"data": ["\xff\xfe"]}', "UTF-8"),
    "deep": (b"[" * 200_000 + b"]" * 200_000, ""),
    "nul_escaped": (b'{"data": [{"code": "1000000001", "name": "A\\u0000B"}]}', "data[0].name:"),
    "nul_raw": (b'{"data": [{"code": "1\x00"}]}', "JSON"),
    "huge_int": (b'{"data": [{"code": ' + b"9" * 5000 + b', "name": "x"}]}', ""),
    "long_int": (b'{"data": [{"code": ' + b"9" * 60 + b', "name": "x"}]}', "data[0].code:"),
    "huge_float": (
        b'{"data": [{"code": "1", "name": "x", "latitude": 1e999999}]}',
        "data[0].latitude:",
    ),
    "nan": (b'{"data": [{"code": "1", "name": "x", "latitude": NaN}]}', ""),
    "wrong_root": (b'"just a string"', "$:"),
    "wrong_list": (b'{"data": {"code": 1}}', "data:"),
    "wrong_item": (b'{"data": [1, "x", null]}', "data[0]:"),
    "wrong_types": (
        b'{"data": [{"code": ["1"], "name": {"a": 1}, "other_codes": 5, '
        b'"address": {"city_code": true}}]}',
        "data[0].code:",
    ),
    "empty": (b"   ", ""),
    "wrong_level": (
        b'{"data": [{"code": "1", "name": "x", "address": {"district_code": "6308052001"}}]}',
        "data[0].address.district_code:",
    ),
    "nul_key": (
        b'{"data": [{"code": "1", "name": "x", "other_codes": {"a\\u0000": "b"}}]}',
        "data[0].other_codes.a?:",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("kind", [Kind.SATUSEHAT_FACILITIES, Kind.SATUSEHAT_REGIONS])
def test_a_hostile_file_fails_with_located_messages_and_saves_nothing(
    name, kind, admin_user, world, run_import
):
    data, expected = HOSTILE[name]
    params = {"district": world["hsu"]["district"].pk}
    job = run_import(kind, data, admin_user, params=params)
    assert job.status == ImportJob.Status.FAILED
    assert job.errors and all(len(e) < 600 for e in job.errors)
    # Located like every import's refusals: under the file's name (kernel/imports).
    assert all(e.startswith("Sheet file.json: ") for e in job.errors[:200]), job.errors
    if expected and kind == Kind.SATUSEHAT_FACILITIES:
        assert any(expected in e for e in job.errors), job.errors
    assert not FacilityProposal.objects.exists()
    assert not Province.objects.exclude(bps_code="").exists()


def test_a_50_mb_file_is_refused_before_it_is_stored(admin_user, world, settings):
    upload = SimpleUploadedFile("big.json", b"[" + b" " * (50 * 1024 * 1024) + b"]")
    with pytest.raises(ValidationError):
        import_start(
            kind=Kind.SATUSEHAT_FACILITIES,
            upload=upload,
            user=admin_user,
            params={"district": world["hsu"]["district"].pk},
        )
    assert not ImportJob.objects.exists()


def test_many_problems_are_capped(district_user, run_import):
    data = {"data": [{"code": "x", "name": ""} for _ in range(500)]}
    job = run_import(Kind.SATUSEHAT_FACILITIES, json.dumps(data).encode(), district_user)
    assert job.status == ImportJob.Status.FAILED
    assert len(job.errors) <= 202
