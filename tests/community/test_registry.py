"""The UKBM registry (issue #17 must-have 1, the desa view of must-have 5): browsing per
puskesmas and desa inside the user's area, its .xlsx, the registry fields on the service point
form and in its Excel import, one posyandu's page and one desa's."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from community.models import Stratum
from kernel.models import ImportJob, ServicePoint
from kernel.services.organisation import SERVICE_POINT_SHEET, service_point_headers
from kernel.spreadsheets import build_workbook

from ..conftest import errors_of
from ..factories import ServicePointFactory, UserFactory
from .factories import CadreFactory, PosyanduFactory, PosyanduReviewFactory, VillageReviewFactory

pytestmark = pytest.mark.django_db

HOME = "community:home"


def _names(response) -> set[str]:
    return {row[0][1].text for row in response.context["table_rows"]}


# --- Browsing: each user sees their own area --------------------------------------------------


@pytest.fixture
def posyandu(world):
    hsu, banjarmasin, bontang = world["hsu"], world["banjarmasin"], world["bontang"]
    pustu = ServicePointFactory(
        puskesmas=hsu["puskesmas"], kind=ServicePoint.Kind.PUSTU, name="Pustu Murung"
    )
    return {
        "hsu": PosyanduFactory(
            puskesmas=hsu["puskesmas"],
            village=hsu["villages"][0],
            name="Mawar HSU",
            runs_ilp=True,
            pustu=pustu,
            decree_number="SK 12/2020",
            decree_date=datetime.date(2020, 3, 1),
        ),
        "banjarmasin": PosyanduFactory(
            puskesmas=banjarmasin["puskesmas"], village=banjarmasin["villages"][0], name="Melur BJM"
        ),
        "bontang": PosyanduFactory(
            puskesmas=bontang["puskesmas"], village=bontang["villages"][0], name="Kenanga BTG"
        ),
        "pustu": pustu,
    }


def test_a_puskesmas_sees_its_own_posyandu_only(client, posyandu, puskesmas_head):
    client.force_login(puskesmas_head)
    response = client.get(reverse(HOME))
    assert response.status_code == 200
    names = _names(response)
    assert "Mawar HSU" in names
    assert not names & {"Melur BJM", "Kenanga BTG"}
    assert "Pustu Murung" not in names  # a pustu is not a UKBM
    assert 'data-testid="community-sections"' in response.content.decode()


def test_a_district_sees_its_puskesmas_and_a_province_its_districts(
    client, posyandu, district_user, other_district_user, province_user
):
    client.force_login(district_user)
    assert {"Mawar HSU"} <= _names(client.get(reverse(HOME)))
    assert "Melur BJM" not in _names(client.get(reverse(HOME)))
    client.force_login(other_district_user)
    names = _names(client.get(reverse(HOME)))
    assert "Melur BJM" in names and "Mawar HSU" not in names
    client.force_login(province_user)
    names = _names(client.get(reverse(HOME)))
    assert {"Mawar HSU", "Melur BJM"} <= names and "Kenanga BTG" not in names


def test_filters_by_puskesmas_desa_and_kind_and_ignores_bad_values(
    client, world, posyandu, province_user
):
    hsu = world["hsu"]
    PosyanduFactory(puskesmas=hsu["puskesmas"], village=hsu["villages"][1], name="Dahlia HSU")
    ServicePointFactory(
        puskesmas=hsu["puskesmas"], kind=ServicePoint.Kind.POSBINDU, name="Posbindu HSU"
    )
    client.force_login(province_user)
    url = reverse(HOME)
    names = _names(client.get(url, {"puskesmas": hsu["puskesmas"].pk}))
    assert "Melur BJM" not in names and {"Mawar HSU", "Dahlia HSU", "Posbindu HSU"} <= names
    names = _names(client.get(url, {"village": hsu["villages"][1].pk}))
    assert names == {"Dahlia HSU"}
    names = _names(client.get(url, {"kind": "posbindu"}))
    assert names == {"Posbindu HSU"}
    # Another province's puskesmas, absurd ids, NUL bytes, unknown kinds: ignored, never a 500.
    for bad in (
        {"puskesmas": world["bontang"]["puskesmas"].pk},
        {"village": world["bontang"]["villages"][0].pk},
        {"puskesmas": "9" * 30, "village": "-1"},
        {"kind": "hospital", "page": "-3"},
    ):
        response = client.get(url, bad)
        assert response.status_code == 200
        assert "Kenanga BTG" not in _names(response)
    assert client.get(url, {"kind": "posyandu\x00"}).status_code == 400  # the middleware's


def test_each_row_shows_the_registry_fields_stratum_and_cadres(client, posyandu, district_user):
    point = posyandu["hsu"]
    PosyanduReviewFactory(service_point=point, year=2025, stratum=Stratum.MADYA)
    PosyanduReviewFactory(service_point=point, year=2026, stratum=Stratum.PURNAMA)
    CadreFactory.create_batch(3, service_point=point)
    CadreFactory(service_point=point, is_active=False)
    client.force_login(district_user)
    response = client.get(reverse(HOME))
    row = next(r for r in response.context["table_rows"] if r[0][1].text == "Mawar HSU")
    texts = [cell.text for _label, cell in row]
    assert "Purnama (2026)" in texts
    assert "3" in texts  # active cadres only
    assert "Pustu Murung" in texts and "SK 12/2020" in texts and "Balai desa" in texts
    # Cards on a phone: every cell says its column.
    assert 'class="table table-sm align-middle stack-phone' in response.content.decode()
    assert all(label for label, _cell in row)


def test_a_province_reads_the_stratum_of_approved_reviews_only(client, posyandu, province_user):
    point = posyandu["hsu"]
    PosyanduReviewFactory(service_point=point, year=2025, stratum=Stratum.MADYA, status="approved")
    PosyanduReviewFactory(service_point=point, year=2026, stratum=Stratum.MANDIRI)  # draft
    client.force_login(province_user)
    response = client.get(reverse(HOME))
    row = next(r for r in response.context["table_rows"] if r[0][1].text == "Mawar HSU")
    assert "Madya (2025)" in [cell.text for _label, cell in row]
    detail = client.get(reverse("community:posyandu-detail", args=[point.pk]))
    assert [review.year for review, _href in detail.context["reviews"]] == [2025]


def test_the_list_costs_the_same_queries_with_more_posyandu(client, world, district_user):
    hsu = world["hsu"]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(HOME)).status_code == 200
        return len(queries)

    client.force_login(district_user)
    point = PosyanduFactory(puskesmas=hsu["puskesmas"], village=hsu["villages"][0])
    PosyanduReviewFactory(service_point=point, stratum=Stratum.PRATAMA)
    CadreFactory(service_point=point)
    few = count()
    for index in range(12):
        more = PosyanduFactory(puskesmas=hsu["puskesmas"], village=hsu["villages"][index % 2])
        PosyanduReviewFactory(service_point=more, stratum=Stratum.MADYA)
        CadreFactory.create_batch(2, service_point=more)
    assert count() == few


def test_the_list_exports_the_same_table_to_excel(client, posyandu, district_user):
    client.force_login(district_user)
    response = client.get(reverse(HOME), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert len(headers) == 14 and "ILP" in headers and "Pustu" in headers
    found = next(r for r in rows[1:] if r[0] == "Mawar HSU")
    assert "Pustu Murung" in found and "SK 12/2020" in found
    assert datetime.datetime(2020, 3, 1) in found  # a date stays a date
    assert not any(r[0] in ("Melur BJM", "Kenanga BTG") for r in rows[1:])


# --- One posyandu, one desa ---------------------------------------------------------------------


def test_the_posyandu_page_lists_its_reviews_and_cadres(client, posyandu, puskesmas_head):
    point = posyandu["hsu"]
    PosyanduReviewFactory(service_point=point, year=2026, stratum=Stratum.PURNAMA)
    CadreFactory(service_point=point, name="Siti Aminah")
    client.force_login(puskesmas_head)
    response = client.get(reverse("community:posyandu-detail", args=[point.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Siti Aminah" in body and 'data-testid="reviews"' in body
    assert "Pustu Murung" in body and "SK 12/2020" in body
    assert reverse("kernel:servicepoint-edit", args=[point.pk]) in body
    other = posyandu["banjarmasin"]
    assert client.get(reverse("community:posyandu-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("community:posyandu-detail", args=[2**63])).status_code == 404
    pustu = posyandu["pustu"]  # not a UKBM: no page here
    assert client.get(reverse("community:posyandu-detail", args=[pustu.pk])).status_code == 404


def test_the_desa_page_shows_its_ukbm_siaga_status_and_spm(client, world, posyandu, district_user):
    village = world["hsu"]["villages"][0]
    PosyanduReviewFactory(service_point=posyandu["hsu"], stratum=Stratum.MANDIRI)
    VillageReviewFactory(village=village, year=2026, is_siaga_aktif=True, stratum=Stratum.MADYA)
    client.force_login(district_user)
    response = client.get(reverse("community:village", args=[village.pk]))
    assert response.status_code == 200
    assert response.context["siaga"].is_siaga_aktif is True
    assert response.context["posyandu_count"] == 2  # the world's and Mawar
    assert response.context["spm"] is not None
    body = response.content.decode()
    assert "Mawar HSU" in body and 'data-testid="village-spm"' in body
    # The registry list links to it.
    home = client.get(reverse(HOME)).content.decode()
    assert reverse("community:village", args=[village.pk]) in home
    other = world["banjarmasin"]["villages"][0]
    assert client.get(reverse("community:village", args=[other.pk])).status_code == 404
    assert client.post(reverse("community:village", args=[village.pk])).status_code == 405


def test_the_nav_leads_to_the_registry(client, world, puskesmas_staff):
    client.force_login(puskesmas_staff)
    body = client.get(reverse(HOME)).content.decode()
    assert f'href="{reverse(HOME)}"' in body


# --- Editing the registry fields on the service point form -------------------------------------


def _form_data(point, **changes) -> dict:
    data = {
        "puskesmas": point.puskesmas_id,
        "kind": point.kind,
        "name": point.name,
        "village": point.village_id or "",
        "address": "",
        "is_active": "on",
        "venue": "Rumah kader",
        "schedule": "Senin pertama",
        "runs_ilp": "on",
        "pustu": "",
        "decree_number": "SK 1",
        "decree_date": "2021-05-04",
        "established_year": "1990",
        "version": point.version,
    }
    return data | changes


def test_the_service_point_form_saves_the_registry_fields(client, posyandu, district_user):
    point = posyandu["hsu"]
    client.force_login(district_user)
    url = reverse("kernel:servicepoint-edit", args=[point.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _form_data(point, pustu=posyandu["pustu"].pk))
    assert response.status_code == 302, response.context["form"].errors
    point.refresh_from_db()
    assert point.venue == "Rumah kader" and point.runs_ilp and point.established_year == 1990
    assert point.decree_date == datetime.date(2021, 5, 4) and point.pustu == posyandu["pustu"]


def test_the_form_refuses_another_puskesmass_pustu_and_absurd_years(
    client, world, posyandu, district_user
):
    point = posyandu["hsu"]
    elsewhere = ServicePointFactory(
        puskesmas=world["banjarmasin"]["puskesmas"], kind=ServicePoint.Kind.PUSTU
    )
    client.force_login(district_user)
    url = reverse("kernel:servicepoint-edit", args=[point.pk])
    for bad in (
        {"pustu": elsewhere.pk},
        {"pustu": 2**70},
        {"established_year": "1800"},
        {"established_year": "3000"},
        {"established_year": "-5"},
        {"decree_date": "31/02/2021"},
        {"venue": "x" * 151},
    ):
        response = client.post(url, _form_data(point, **bad))
        assert response.status_code == 200, bad
        assert response.context["form"].errors, bad
    point.refresh_from_db()
    assert point.established_year is None and point.venue == "Balai desa"


# --- The Excel import reads the registry columns -----------------------------------------------


@pytest.fixture
def upload(post_import):
    def send(rows, headers=None):
        content = build_workbook(
            sheet=SERVICE_POINT_SHEET, headers=headers or service_point_headers("id"), rows=rows
        )
        url = reverse("kernel:servicepoint-import")
        return post_import(url, {"file": SimpleUploadedFile("points.xlsx", content)})

    return send


def test_the_template_lists_the_registry_fields(client, posyandu, district_user):
    client.force_login(district_user)
    response = client.get(reverse("kernel:servicepoint-template"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == service_point_headers()
    found = next(r for r in rows[1:] if r[2] == "Mawar HSU")
    assert found[6] == "Balai desa" and found[9] == "Pustu Murung" and found[10] == "SK 12/2020"


def test_import_with_registry_columns_saves_them_pustu_by_name(
    client, world, posyandu, district_user, upload
):
    hsu = world["hsu"]
    code, village = hsu["puskesmas"].code, hsu["villages"][1].code
    client.force_login(district_user)
    response, job = upload(
        [
            [code, "Pustu", "Pustu Baru", village, "", "Ya", "", "", "Tidak", "", "", None, None],
            [
                code,
                "Posyandu",
                "Anggrek",
                village,
                "Jl. A",
                "Ya",
                "Rumah Bu RT",
                "Rabu kedua",
                "Ya",
                "pustu baru",  # added by the row above, any case
                "SK 7/2019",
                datetime.date(2019, 7, 1),
                2019,
            ],
            [code, "Posyandu", "Mawar HSU", "", "", "Ya", "Masjid", "", "Tidak", "", "", "", ""],
        ]
    )
    assert job is not None and job.status == ImportJob.Status.DONE, job and job.errors
    point = ServicePoint.objects.get(name="Anggrek")
    assert point.pustu.name == "Pustu Baru" and point.runs_ilp and point.venue == "Rumah Bu RT"
    assert point.decree_date == datetime.date(2019, 7, 1) and point.established_year == 2019
    mawar = ServicePoint.objects.get(pk=posyandu["hsu"].pk)
    assert mawar.venue == "Masjid" and not mawar.runs_ilp and mawar.pustu is None


def test_import_refuses_bad_registry_cells_by_row_and_column(
    client, world, posyandu, district_user, upload
):
    hsu, other = world["hsu"], world["banjarmasin"]
    code = hsu["puskesmas"].code
    ServicePointFactory(puskesmas=other["puskesmas"], kind=ServicePoint.Kind.PUSTU, name="Jauh")
    client.force_login(district_user)
    blank = ["", "", "Tidak", "", "", None, None]
    before = ServicePoint.objects.count()
    # Cells that cannot be read are all told first ...
    response, job = upload(
        [
            [code, "Posyandu", "Good", "", "", "Ya", *blank],  # row 2
            [code, "Posyandu", "Old", "", "", "Ya", "", "", "Ya", "", "", None, 1800],
            [code, "Posyandu", "Later", "", "", "Ya", "", "", "Ya", "", "", None, 3000],
            [code, "Posyandu", "Bad date", "", "", "Ya", "", "", "Ya", "", "", "31/02/2020", None],
            [code, "Posyandu", "Bad ILP", "", "", "Ya", "", "", "kadang", "", "", None, None],
            [code, "Posyandu", "Negative", "", "", "Ya", "", "", "Ya", "", "", None, -3],
        ]
    )
    assert job.status == ImportJob.Status.FAILED
    errors = errors_of(response, job)
    assert any("baris 3" in e and "kolom M" in e for e in errors), errors
    assert any("baris 4" in e and "kolom M" in e for e in errors), errors
    assert any("baris 5" in e and "kolom L" in e for e in errors), errors
    assert any("baris 6" in e and "kolom I" in e for e in errors), errors
    assert any("baris 7" in e and "kolom M" in e for e in errors), errors
    assert not any("baris 2" in e for e in errors), errors
    # ... then what the registry refuses: another puskesmas's pustu, a pustu for a pustu.
    response, job = upload(
        [
            [code, "Posyandu", "Good", "", "", "Ya", *blank],  # row 2
            [code, "Posyandu", "No pustu", "", "", "Ya", "", "", "Ya", "Jauh", "", None, None],
            [
                code,
                "Pustu",
                "A pustu",
                "",
                "",
                "Ya",
                "",
                "",
                "Tidak",
                "Pustu Murung",
                "",
                None,
                None,
            ],
        ]
    )
    assert job.status == ImportJob.Status.FAILED
    errors = errors_of(response, job)
    assert any("baris 3" in e and "kolom J" in e for e in errors), errors
    assert any("baris 4" in e and "kolom J" in e for e in errors), errors
    assert not any("baris 2" in e for e in errors), errors
    assert ServicePoint.objects.count() == before  # all or nothing


def test_a_file_of_the_first_layout_is_still_read_and_keeps_the_registry(
    client, world, posyandu, district_user, upload
):
    code = world["hsu"]["puskesmas"].code
    client.force_login(district_user)
    first = service_point_headers("id")[:6]
    response, job = upload([[code, "Posyandu", "Mawar HSU", "", "Jl. Baru", "Ya"]], headers=first)
    assert job.status == ImportJob.Status.DONE, job.errors
    point = ServicePoint.objects.get(pk=posyandu["hsu"].pk)
    assert point.address == "Jl. Baru"
    assert point.venue == "Balai desa" and point.runs_ilp and point.pustu == posyandu["pustu"]


def test_the_sections_leave_out_pages_that_do_not_exist(client, world, district_user, monkeypatch):
    from community.templatetags import community_sections

    missing = ("Missing", "community:no-such-page", ("nothing",))
    monkeypatch.setattr(community_sections, "SECTIONS", [*community_sections.SECTIONS, missing])
    client.force_login(district_user)
    body = client.get(reverse(HOME)).content.decode()
    assert 'aria-current="page" href="' + reverse(HOME) + '"' in body
    assert "Missing" not in body


def test_a_user_without_area_sees_nothing(client, posyandu):
    user = UserFactory(role="puskesmas_staff", puskesmas=None)
    client.force_login(user)
    response = client.get(reverse(HOME))
    assert response.status_code == 200 and not _names(response)


# --- Demo ----------------------------------------------------------------------------------------


def test_the_demo_fills_the_registry_of_hsu_and_runs_twice(world, district_user):
    from community.services import demo_registry

    hsu = world["hsu"]
    puskesmas = hsu["puskesmas"]
    puskesmas.name = demo_registry.MORE_POSYANDU[0]
    puskesmas.save()
    pustu = ServicePointFactory(
        puskesmas=puskesmas, kind=ServicePoint.Kind.PUSTU, village=hsu["villages"][1]
    )
    demo_registry.seed()
    points = ServicePoint.objects.filter(puskesmas=puskesmas, kind=ServicePoint.Kind.POSYANDU)
    assert points.count() == 2  # the world's, and a second in the first desa
    assert all(p.venue and p.schedule and p.pustu == pustu for p in points)
    assert any(p.decree_number for p in points) and any(p.runs_ilp for p in points)
    versions = sorted(points.values_list("pk", "version"))
    demo_registry.seed()
    assert sorted(points.values_list("pk", "version")) == versions
    other = world["banjarmasin"]["service_point"]
    assert ServicePoint.objects.get(pk=other.pk).venue == ""  # another district: untouched


def test_a_province_reads_the_registry_without_changing_it(client, world, posyandu, province_user):
    village = world["hsu"]["villages"][0]
    VillageReviewFactory(village=village, is_siaga_aktif=True)  # a draft: not the province's
    client.force_login(province_user)
    home = client.get(reverse(HOME)).content.decode()
    assert reverse("kernel:servicepoint-create") not in home
    point = posyandu["hsu"]
    detail = client.get(reverse("community:posyandu-detail", args=[point.pk])).content.decode()
    assert reverse("kernel:servicepoint-edit", args=[point.pk]) not in detail
    response = client.get(reverse("community:village", args=[village.pk]))
    assert response.status_code == 200 and response.context["siaga"] is None


def test_the_desa_page_costs_the_same_queries_with_more_posyandu(client, world, district_user):
    hsu = world["hsu"]
    village = hsu["villages"][0]
    url = reverse("community:village", args=[village.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client.force_login(district_user)
    few = count()
    for _index in range(8):
        point = PosyanduFactory(puskesmas=hsu["puskesmas"], village=village)
        PosyanduReviewFactory(service_point=point, stratum=Stratum.MADYA)
        CadreFactory(service_point=point)
    assert count() == few


def test_a_service_point_named_after_its_kind_says_the_kind_once():
    from kernel.models import ServicePoint

    assert str(ServicePoint(kind=ServicePoint.Kind.POSYANDU, name="Posyandu Baru")) == (
        "Posyandu Baru"
    )
    assert str(ServicePoint(kind=ServicePoint.Kind.POSYANDU, name="Melati")) == "Posyandu Melati"
