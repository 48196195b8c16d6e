"""Instruments as versioned data (issue #18, must-have 1): the Excel import of a new edition
(all or nothing, every problem located), its export and round trip, the pages, the admin."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from assessments.data_rules import RULES
from assessments.editions import load_edition
from assessments.importers import (
    BAND_SHEET,
    EDITION_SHEET,
    ITEM_SHEET,
    LEVEL_SHEET,
    SECTION_SHEET,
    edition_workbook,
)
from assessments.models import Instrument, Item, Level, RankBand, Section
from assessments.services.instruments import edition_data
from indicators.models import SPMService
from kernel.spreadsheets import CellError
from tests.conftest import errors_of

from .factories import PkpAssessmentFactory

pytestmark = pytest.mark.django_db

IMPORT = "assessments:instrument-import"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _spm_code() -> str:
    return SPMService.objects.order_by("pk").values_list("code", flat=True)[0]


def _rule() -> str:
    return sorted(RULES)[0]


def _sheets() -> dict[str, list[list]]:
    """A small valid edition: a service section with an SPM item, a management section with
    two scored items, bands."""
    return {
        "edition": [["capacity", "test-kit", 2031, "Alat uji", "Test kit", "SK 1", 10, "Ya"]],
        "sections": [
            ["S", "service", "Pelayanan", "Service", 1],
            ["M", "management", "Manajemen", "Management", 2],
        ],
        "items": [
            ["S", "S1", "Layanan", "", 1, "", "", "KIA", "", "%", 100, _spm_code()],
            ["M", "M1", "Lokmin", "Lokmin", 1, _rule(), "lihat notulen", "", "", "", None, ""],
            ["M", "M2", "RUK", "", 2, "", "", "", "", "", None, ""],
        ],
        "levels": [
            ["M1", 0, "tidak ada", "none"],
            ["M1", 10, "lengkap", "all"],
            ["M2", 0, "tidak", ""],
            ["M2", 4, "sebagian", ""],
            ["M2", 10, "ya", ""],
        ],
        "bands": [["management", "good", 8.5], ["management", "fair", 5.5]],
    }


SPECS = {
    "edition": EDITION_SHEET,
    "sections": SECTION_SHEET,
    "items": ITEM_SHEET,
    "levels": LEVEL_SHEET,
    "bands": BAND_SHEET,
}


def _title(key: str) -> str:
    with translation.override("en"):
        return str(SPECS[key].title)


def _file(sheets: dict[str, list[list]]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for key, spec in SPECS.items():
        sheet = workbook.create_sheet(_title(key))
        with translation.override("en"):
            sheet.append(spec.headings())
        for row in sheets[key]:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("instrument.xlsx", buffer.getvalue())


def _located(sheet: str, row: int | None, column: str | None) -> str:
    return str(CellError(sheet, row, column, "")).rstrip()


def test_import_creates_a_new_edition_with_everything(client, admin_user, post_import):
    client.force_login(admin_user)
    answer, job = post_import(reverse(IMPORT), {"file": _file(_sheets())})
    assert job is not None and job.status == "done", errors_of(answer, job)
    edition = Instrument.objects.get(code="test-kit", valid_from=2031)
    assert edition.kind == "capacity" and edition.is_verified and edition.name_en == "Test kit"
    assert edition.created_by == admin_user
    assert [s.code for s in edition.sections.all()] == ["S", "M"]
    items = Item.objects.filter(section__instrument=edition)
    assert items.count() == 3
    service_item = items.get(code="S1")
    assert service_item.service.code == _spm_code() and service_item.target_pct == 100
    assert items.get(code="M1").rule == _rule()
    assert [str(lv.score) for lv in items.get(code="M2").levels.all()] == ["0.00", "4.00", "10.00"]
    assert Level.objects.filter(item__section__instrument=edition).count() == 5
    assert {(b.rank, str(b.min_value)) for b in edition.bands.all()} == {
        ("good", "8.50"),
        ("fair", "5.50"),
    }
    assert job.result["instrument"] == edition.pk
    assert client.get(reverse("kernel:importjob-detail", args=[job.pk])).status_code == 200


def test_an_instrument_import_job_is_its_uploaders(client, admin_user, district_user, post_import):
    client.force_login(admin_user)
    _answer, job = post_import(reverse(IMPORT), {"file": _file(_sheets())})
    client.force_login(district_user)
    assert client.get(reverse("kernel:importjob-detail", args=[job.pk])).status_code == 404


def _set(sheets, key, row, column, value):
    sheets[key][row][column] = value
    return sheets


ERRORS = {
    # (change, sheet key, row in the file, column letter)
    "unknown rule": (lambda s: _set(s, "items", 1, 5, "no_such_rule"), "items", 3, "F"),
    "unknown SPM service": (lambda s: _set(s, "items", 0, 11, "ZZ-99"), "items", 2, "L"),
    "duplicate section": (lambda s: _set(s, "sections", 1, 0, "S"), "sections", 3, "A"),
    "duplicate item": (lambda s: _set(s, "items", 2, 1, "M1"), "items", 4, "B"),
    "score not a number": (lambda s: _set(s, "levels", 1, 1, "sepuluh"), "levels", 3, "B"),
    "duplicate score": (lambda s: _set(s, "levels", 1, 1, 0), "levels", 3, "B"),
    "scored item without levels": (
        lambda s: {**s, "levels": [r for r in s["levels"] if r[0] != "M2"]},
        "items",
        4,
        "B",
    ),
    "unknown part": (lambda s: _set(s, "sections", 0, 1, "other"), "sections", 2, "B"),
    "unknown rank": (lambda s: _set(s, "bands", 0, 1, "excellent"), "bands", 2, "B"),
    "unknown kind": (lambda s: _set(s, "edition", 0, 0, "quiz"), "edition", 2, "A"),
    "year not a number": (lambda s: _set(s, "edition", 0, 2, "next"), "edition", 2, "C"),
    "unknown section": (lambda s: _set(s, "items", 0, 0, "X"), "items", 2, "A"),
    "level of an unknown item": (lambda s: _set(s, "levels", 0, 0, "Q9"), "levels", 2, "A"),
    "negative weight": (lambda s: _set(s, "sections", 0, 4, -1), "sections", 2, "E"),
    "target above 100": (lambda s: _set(s, "items", 0, 10, 140), "items", 2, "K"),
    "score above the scale": (lambda s: _set(s, "levels", 1, 1, 11), "levels", 3, "B"),
    "missing text": (lambda s: _set(s, "items", 1, 2, None), "items", 3, "C"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_every_problem_is_located_and_nothing_is_saved(client, admin_user, post_import, name):
    change, key, row, column = ERRORS[name]
    counts = (Instrument.objects.count(), Item.objects.count(), Level.objects.count())
    client.force_login(admin_user)
    answer, job = post_import(reverse(IMPORT), {"file": _file(change(_sheets()))})
    assert job is not None and job.status == "failed"
    errors = errors_of(answer, job)
    assert any(e.startswith(_located(_title(key), row, column)) for e in errors), errors
    assert (Instrument.objects.count(), Item.objects.count(), Level.objects.count()) == counts


def test_an_existing_edition_is_refused_and_stays_as_it_was(client, admin_user, post_import):
    client.force_login(admin_user)
    pkp = Instrument.objects.get(kind="pkp", valid_from=2024)
    before = edition_data(pkp)
    with translation.override("en"):
        content = edition_workbook(pkp)
    answer, job = post_import(reverse(IMPORT), {"file": SimpleUploadedFile("pkp.xlsx", content)})
    assert job.status == "failed"
    errors = errors_of(answer, job)
    assert any(e.startswith(_located(_title("edition"), 2, "C")) for e in errors), errors
    assert "2024" in errors[0]
    assert Instrument.objects.filter(code=pkp.code).count() == 1
    assert edition_data(Instrument.objects.get(pk=pkp.pk)) == before


@pytest.mark.parametrize("language", ["en", "id"])
def test_export_change_year_import_round_trips(client, admin_user, post_import, language):
    client.force_login(admin_user)
    for shipped in Instrument.objects.filter(valid_from=2024):
        with translation.override(language):
            content = client.get(reverse("assessments:instrument-export", args=[shipped.pk]))
        workbook = openpyxl.load_workbook(io.BytesIO(content.getvalue()))
        workbook.worksheets[0]["C2"] = 2030
        buffer = io.BytesIO()
        workbook.save(buffer)
        with translation.override(language):
            answer, job = post_import(
                reverse(IMPORT), {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())}
            )
        assert job.status == "done", errors_of(answer, job)
        copy = Instrument.objects.get(code=shipped.code, valid_from=2030)
        assert edition_data(copy) == {**edition_data(shipped), "valid_from": 2030}
        copy.delete()


def test_the_template_is_the_import_workbook_with_no_rows(client, district_user):
    client.force_login(district_user)
    answer = client.get(reverse("assessments:instrument-template"))
    assert answer.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert len(workbook.sheetnames) == 6  # five data sheets and how to fill
    assert workbook.worksheets[0].max_row == 1


@pytest.mark.parametrize("who", ["district_user", "province_user", "puskesmas_head"])
def test_only_system_administrators_import(client, request, post_import, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse(IMPORT)).status_code == 403
    answer, job = post_import(reverse(IMPORT), {"file": _file(_sheets())})
    assert answer.status_code == 403 and job is None
    assert not Instrument.objects.filter(code="test-kit").exists()


def test_the_importer_itself_refuses_a_non_administrator(district_user):
    from django.core.exceptions import PermissionDenied

    from kernel.imports.runner import import_start
    from kernel.models import ImportJob

    with pytest.raises(PermissionDenied):
        import_start(kind=ImportJob.Kind.INSTRUMENTS, upload=_file(_sheets()), user=district_user)


# --- Pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["district_user", "province_user", "puskesmas_head"])
def test_every_signed_in_user_reads_instruments_without_import_buttons(client, request, who):
    client.force_login(request.getfixturevalue(who))
    pkp = Instrument.objects.get(kind="pkp", valid_from=2024)
    listing = client.get(reverse("assessments:instrument-list"))
    assert listing.status_code == 200
    assert reverse(IMPORT).encode() not in listing.content
    assert pkp.pk in {row.pk for row in listing.context["rows"]}
    detail = client.get(reverse("assessments:instrument-detail", args=[pkp.pk]))
    assert detail.status_code == 200
    assert reverse(IMPORT).encode() not in detail.content
    level = Level.objects.filter(item__section__instrument=pkp).first()
    assert level.definition[:30].encode() in detail.content.replace(b"&#x27;", b"'")
    export = client.get(reverse("assessments:instrument-export", args=[pkp.pk]))
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_admin_sees_the_import_button(client, admin_user):
    client.force_login(admin_user)
    listing = client.get(reverse("assessments:instrument-list"))
    assert reverse(IMPORT).encode() in listing.content


def test_the_list_filters_by_kind_and_exports(client, district_user):
    client.force_login(district_user)
    answer = client.get(reverse("assessments:instrument-list"), {"kind": "supervision"})
    shown = {row.pk for row in answer.context["rows"]}
    assert shown == set(Instrument.objects.filter(kind="supervision").values_list("pk", flat=True))
    xlsx = client.get(reverse("assessments:instrument-list"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet.max_row == Instrument.objects.count() + 1


def test_list_marks_editions_in_use_and_counts_items(client, district_user, world):
    pkp = Instrument.objects.get(kind="pkp", valid_from=2024)
    PkpAssessmentFactory(puskesmas=world["hsu"]["puskesmas"], instrument=pkp)
    client.force_login(district_user)
    rows = {
        row.pk: row for row in client.get(reverse("assessments:instrument-list")).context["rows"]
    }
    assert rows[pkp.pk].in_use is True
    assert rows[pkp.pk].item_count == Item.objects.filter(section__instrument=pkp).count()
    others = [row for pk, row in rows.items() if pk != pkp.pk]
    assert others and not any(row.in_use for row in others)


def _copies(count: int, start: int):
    from django.apps import apps

    pkp = edition_data(Instrument.objects.get(kind="pkp", valid_from=2024))
    for year in range(start, start + count):
        load_edition(apps.get_model, {**pkp, "code": f"copy-{year}", "valid_from": year})


def test_list_query_count_does_not_grow(client, district_user, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(district_user)
    url = reverse("assessments:instrument-list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _copies(6, 2040)
    with django_assert_max_num_queries(len(few.captured_queries)):
        answer = client.get(url)
    assert len(answer.context["rows"]) == Instrument.objects.count()


def test_detail_query_count_does_not_grow_with_items(client, district_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(district_user)
    small = Instrument.objects.get(kind="supervision", valid_from=2024)
    big = Instrument.objects.get(kind="pkp", valid_from=2024)
    counts = []
    for edition in (small, big):
        client.get(reverse("assessments:instrument-detail", args=[edition.pk]))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("assessments:instrument-detail", args=[edition.pk]))
        counts.append(len(queries.captured_queries))
    assert counts[1] <= counts[0]


def test_an_unknown_instrument_is_404(client, district_user):
    client.force_login(district_user)
    assert client.get(reverse("assessments:instrument-detail", args=[999999])).status_code == 404
    assert client.get(reverse("assessments:instrument-export", args=[999999])).status_code == 404


# --- Admin --------------------------------------------------------------------------------------


def test_the_admin_refuses_to_change_an_edition_in_use(client, admin_user, world):
    pkp = Instrument.objects.get(kind="pkp", valid_from=2024)
    PkpAssessmentFactory(puskesmas=world["hsu"]["puskesmas"], instrument=pkp)
    section = pkp.sections.first()
    item = Item.objects.filter(section__instrument=pkp).first()
    client.force_login(admin_user)
    page = client.get(reverse("admin:assessments_instrument_change", args=[pkp.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert [str(m) for m in page.context["messages"]]
    changed = client.post(
        reverse("admin:assessments_instrument_change", args=[pkp.pk]), {"name": "changed"}
    )
    assert changed.status_code == 403
    changelist = client.get(reverse("admin:assessments_instrument_changelist"))
    assert changelist.status_code == 200 and b"delete_selected" not in changelist.content
    for model, obj in (("instrument", pkp), ("section", section), ("item", item)):
        url = reverse(f"admin:assessments_{model}_delete", args=[obj.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
    item_page = client.get(reverse("admin:assessments_item_change", args=[item.pk]))
    assert not item_page.context["has_change_permission"]
    pkp.refresh_from_db()
    assert pkp.name != "changed" and Item.objects.filter(pk=item.pk).exists()
    assert Section.objects.filter(pk=section.pk).exists()
    assert RankBand.objects.filter(instrument=pkp).exists()


def test_the_admin_changes_an_edition_not_in_use(client, admin_user):
    edition = Instrument.objects.get(kind="capacity", valid_from=2024)
    client.force_login(admin_user)
    page = client.get(reverse("admin:assessments_instrument_change", args=[edition.pk]))
    assert page.context["has_change_permission"]
    item = Item.objects.filter(section__instrument=edition).first()
    assert client.get(reverse("admin:assessments_item_change", args=[item.pk])).status_code == 200


def test_the_admin_offers_and_checks_data_rules():
    from assessments.admin import ItemForm

    item = Item.objects.filter(section__instrument__kind="pkp").first()
    form = ItemForm(instance=item)
    assert set(RULES) <= {key for key, _label in form.fields["rule"].choices}
    data = {
        "section": item.section_id,
        "code": "Z1",
        "text": "z",
        "order": 1,
        "weight": "1",
        "rule": "no_such_rule",
    }
    assert "rule" in ItemForm(data=data).errors
    assert "rule" not in ItemForm(data={**data, "rule": ""}).errors
    assert "rule" not in ItemForm(data={**data, "rule": _rule()}).errors


def test_the_admin_lists_the_assessment_records(client, admin_user):
    client.force_login(admin_user)
    for model in ("pkpassessment", "capacityassessment", "supervisionvisit", "mentoringitem"):
        assert client.get(reverse(f"admin:assessments_{model}_changelist")).status_code == 200
