"""SATUSEHAT regions: BPS codes set, differing names reported, missing regions added."""

import pytest
from django.urls import reverse

from kernel.models import District, ImportJob, Province, Subdistrict, Village
from kernel.satusehat import SAMPLE_DIR

pytestmark = pytest.mark.django_db
Kind = ImportJob.Kind


def test_a_regions_file_sets_bps_codes_reports_names_and_adds_missing(
    world, admin_user, run_import
):
    subdistrict = world["hsu"]["subdistrict"]
    village = world["hsu"]["villages"][0]
    data = {
        "provinces": [
            {"code": "63", "parent_code": None, "bps_code": "63", "name": "KALIMANTAN SELATAN"}
        ],
        "cities": [
            {
                "code": "6308",
                "parent_code": "63",
                "bps_code": "6308",
                "name": "Kab. Hulu Sungai Utara",
            }
        ],
        "districts": [
            {
                "code": subdistrict.code.replace(".", ""),
                "parent_code": "6308",
                "bps_code": "6308010",
                "name": subdistrict.name,
            },
            {
                "code": "630899",
                "parent_code": "6308",
                "bps_code": "6308990",
                "name": "Kecamatan Baru",
            },
        ],
        "sub-districts": [
            {
                "code": village.code,
                "parent_code": subdistrict.code,
                "bps_code": "6308010001",
                "name": village.name,
            },
            {
                "code": "6308992001",
                "parent_code": "630899",
                "bps_code": "6308990001",
                "name": "Desa Baru",
            },
        ],
    }
    job = run_import(Kind.SATUSEHAT_REGIONS, data, admin_user)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Province.objects.get(code="63").bps_code == "63"
    hsu = District.objects.get(code="63.08")
    assert hsu.bps_code == "6308" and hsu.name == "Kabupaten Hulu Sungai Utara"  # ours kept
    assert Subdistrict.objects.get(pk=subdistrict.pk).bps_code == "6308010"
    assert Village.objects.get(pk=village.pk).bps_code == "6308010001"
    added = Village.objects.get(code="63.08.99.2001")
    assert added.subdistrict.code == "63.08.99" and added.bps_code == "6308990001"
    differences = job.result["differences"]
    assert [row["code"] for row in differences] == ["63.08"]
    assert job.result["counts"]["created"] == 2
    # Idempotent.
    again = run_import(Kind.SATUSEHAT_REGIONS, data, admin_user)
    assert again.result["counts"]["created"] == 0 and again.result["counts"]["bps_set"] == 0


def test_one_level_per_file_wrapped_or_bare(world, admin_user, run_import):
    for data in (
        {"data": [{"code": "63", "bps_code": "63", "name": "Kalimantan Selatan"}]},
        [{"code": "64", "bps_code": "64", "name": "Kalimantan Timur"}],
    ):
        job = run_import(Kind.SATUSEHAT_REGIONS, data, admin_user)
        assert job.status == ImportJob.Status.DONE, job.errors
    assert set(Province.objects.values_list("bps_code", flat=True)) == {"63", "64"}


def test_the_demo_regions_sample_imports(world, admin_user, run_import):
    job = run_import(
        Kind.SATUSEHAT_REGIONS, (SAMPLE_DIR / "regions-demo.json").read_bytes(), admin_user
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (
        Village.objects.filter(subdistrict__district__code="63.08").exclude(bps_code="").count()
        > 200
    )


def test_errors_are_located_and_nothing_is_saved(world, admin_user, run_import):
    data = {
        "data": [
            {"code": "63", "bps_code": "63", "name": "Kalimantan Selatan"},
            {"code": "6308", "parent_code": "64", "bps_code": "6308", "name": "HSU"},
            {"code": "ab", "name": "x"},
            {"code": "7101", "bps_code": "7101", "name": "Kota Tanpa Provinsi"},
        ]
    }
    job = run_import(Kind.SATUSEHAT_REGIONS, data, admin_user)
    assert job.status == ImportJob.Status.FAILED
    assert any("data[1].parent_code:" in e for e in job.errors)
    assert any("data[2].code:" in e for e in job.errors)
    assert Province.objects.get(code="63").bps_code == ""
    job = run_import(Kind.SATUSEHAT_REGIONS, {"data": data["data"][3:]}, admin_user)
    assert job.status == ImportJob.Status.FAILED
    assert "data[0].code:" in job.errors[0] and "71" in job.errors[0]


def test_only_a_system_administrator_imports_regions(client, district_user, admin_user):
    client.force_login(district_user)
    assert client.get(reverse("kernel:satusehat-regions")).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("kernel:satusehat-regions")).status_code == 200
