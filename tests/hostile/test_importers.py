"""Every importer refuses every hostile file: failed job, short located messages, nothing saved.

A future importer joins by declaration: add its `ImportJob.Kind` to `IMPORTERS` below (who
imports, with which params, and which models it writes). A kind without an entry fails
`test_every_import_kind_is_in_the_hostile_suite`; a kind whose importer is not registered yet
is skipped with the reason, and runs once it is.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from indicators.models import ReportingYear, SPMEdition
from kernel.imports import base
from kernel.imports.runner import import_start
from kernel.models import ImportJob

from . import files

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1
PLAN_YEAR = timezone.localdate().year + 1
BASE_DIR = Path(settings.BASE_DIR)


@dataclass(frozen=True)
class Entry:
    """How the suite runs one importer in the `world` fixture."""

    user: str  # a fixture of tests/conftest.py
    params: Callable[[dict, object], dict]  # (world, user) -> params of import_start
    models: tuple[str, ...]  # "app.Model" rows the importer writes: their counts must not move
    # The sheet's title when the importer's SheetSpec cannot say it (a title with the year).
    title: Callable[[dict], str] | None = None
    headings: Callable[[], list[str]] | None = None
    notes: dict = field(default_factory=dict)


def _meeting(world, user) -> dict:
    from tests.factories import MeetingFactory

    meeting = MeetingFactory(puskesmas=world["hsu"]["puskesmas"], created_by=user)
    return {"meeting": meeting.pk}


def _plan(world, user) -> dict:
    from planning import services

    return {"plan": services.plan_create(year=PLAN_YEAR, by=user).pk}


def _quality_report(world, user) -> dict:
    from indicators.services.quality import quality_report_open

    report = quality_report_open(puskesmas=world["hsu"]["puskesmas"], year=YEAR, quarter=1, by=user)
    return {"report": report.pk}


def _monthly_headings() -> list[str]:
    from indicators.services.monthly_excel import monthly_headers

    return monthly_headers(year=YEAR, months=[1], language="en")


def _population_title(params: dict) -> str:
    from indicators.services.targets.population import population_sheet

    return population_sheet(params["year"])


def _targets_title(params: dict) -> str:
    from indicators.services.targets.source_excel import target_sheet

    return target_sheet(params["year"], params["source"])


Kind = ImportJob.Kind
IMPORTERS: dict[str, Entry] = {
    Kind.MONTHLY_VALUES: Entry(
        "puskesmas_head",
        lambda world, user: {},
        ("indicators.MonthlyValue", "indicators.MonthlyReport", "indicators.ValueChange"),
        headings=_monthly_headings,
    ),
    Kind.SERVICE_POINTS: Entry("district_user", lambda world, user: {}, ("kernel.ServicePoint",)),
    Kind.ACCOUNTS: Entry("district_user", lambda world, user: {}, ("kernel.User",)),
    Kind.PARTICIPANTS: Entry("puskesmas_head", _meeting, ("workshops.Participant",)),
    Kind.RTL_ITEMS: Entry("puskesmas_head", _meeting, ("workshops.FollowUp",)),
    Kind.RUK_ACTIVITIES: Entry("puskesmas_head", _plan, ("planning.Activity",)),
    Kind.QUALITY_VALUES: Entry("puskesmas_head", _quality_report, ("indicators.QualityValue",)),
    Kind.POPULATION: Entry(
        "district_user",
        lambda world, user: {"year": YEAR, "source": "dukcapil"},
        ("indicators.VillagePopulation",),
        title=_population_title,
    ),
    Kind.TARGETS: Entry(
        "district_user",
        lambda world, user: {"year": YEAR, "source": "dukcapil"},
        ("indicators.Target",),
        title=_targets_title,
    ),
}

# Issue #17: reviews (posyandu reviews of the uploader's puskesmas for a year).
IMPORTERS |= {
    Kind.CADRES: Entry(
        "puskesmas_head",
        lambda world, user: {"puskesmas": world["hsu"]["puskesmas"].pk},
        ("community.Cadre",),
    ),
    Kind.UKBM_REVIEWS: Entry(
        "puskesmas_head",
        lambda world, user: {"year": YEAR},
        ("community.PosyanduReview",),
    ),
}

# Issue #18 instruments: a new edition of an assessment instrument (national data, no area): a
# system administrator imports it; its five sheets' first (the edition) is the hostile one.
IMPORTERS |= {
    Kind.INSTRUMENTS: Entry(
        "admin_user",
        lambda world, user: {},
        (
            "assessments.Instrument",
            "assessments.Section",
            "assessments.Item",
            "assessments.Level",
            "assessments.RankBand",
        ),
    ),
}

# Issue #19: SATUSEHAT master data (JSON files: a hostile workbook is no JSON either).
IMPORTERS |= {
    Kind.SATUSEHAT_REGIONS: Entry(
        "admin_user",
        lambda world, user: {},
        ("kernel.Province", "kernel.District", "kernel.Subdistrict", "kernel.Village"),
    ),
    Kind.SATUSEHAT_FACILITIES: Entry(
        "district_user", lambda world, user: {}, ("kernel.FacilityProposal", "kernel.Puskesmas")
    ),
    # DHIS2 data value sets and ADX: a hostile workbook is neither (tests/exchange has the
    # DHIS2-shaped hostile files).
    Kind.DHIS2_VALUES: Entry(
        "district_user",
        lambda world, user: {"district": world["hsu"]["district"].pk},
        ("indicators.MonthlyValue", "indicators.MonthlyReport", "indicators.ValueChange"),
    ),
}

# Refused by the runner's own check, before anything is stored.
OVERSIZED = "oversized"


@pytest.fixture(autouse=True)
def _media_and_years(spm_catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    edition = SPMEdition.objects.order_by("-first_year").first()
    for year in (YEAR, YEAR + 1, PLAN_YEAR):
        ReportingYear.objects.get_or_create(year=year, defaults={"edition": edition})


def _importer(kind: str) -> base.Importer:
    importer = base._REGISTRY.get(kind)
    if importer is None:
        pytest.skip(f"no importer registered for {kind} yet (being converted to the pipeline)")
    return importer


@dataclass
class Run:
    importer: base.Importer
    user: object
    params: dict
    title: str
    headings: list
    models: list


@pytest.fixture
def run_of(request, world):
    def make(kind: str) -> Run:
        importer = _importer(kind)
        entry = IMPORTERS[kind]
        user = request.getfixturevalue(entry.user)
        params = entry.params(world, user)
        title = entry.title(params) if entry.title else importer.sheet.titles()[-1]
        if entry.headings:
            headings = entry.headings()
        else:
            with translation.override("en"):
                headings = importer.sheet.headings()
        models = [apps.get_model(label) for label in entry.models]
        return Run(importer, user, params, title, headings or ["a"], models)

    return make


@functools.cache
def _hostile(name: str, title: str, headings: tuple, max_rows: int) -> bytes:
    if name == "too_many_rows":
        return files.too_many_rows(title, list(headings), rows=max_rows + 5)
    if name == OVERSIZED:
        return files.oversized(title, list(headings), settings.SIMPUL_IMPORT_MAX_BYTES)
    return files.HOSTILE[name](title, list(headings))


def _counts(models) -> list[int]:
    return [model.objects.count() for model in models]


def _start(run: Run, data: bytes, capture, *, language="id") -> ImportJob:
    upload = SimpleUploadedFile("hostile.xlsx", data)
    with translation.override(language), capture(execute=True):
        job = import_start(kind=run.importer.kind, upload=upload, user=run.user, params=run.params)
    job.refresh_from_db()
    return job


def test_every_import_kind_is_in_the_hostile_suite():
    assert set(IMPORTERS) == set(ImportJob.Kind.values)


def test_every_registered_importer_is_a_declared_kind():
    assert set(base._REGISTRY) <= set(IMPORTERS)


# Every hostile file through every kind's job, but the two that take seconds to build and refuse
# (a zip of 20,000 members, a million shared strings): those are refused by the shared reader
# before any kind's code runs, so one kind shows it (and test_the_worst_files_... their memory).
FILE_LEVEL_BOMBS = {"many_members", "shared_strings_count_bomb"}
KIND_AND_FILE = [
    (kind, name)
    for kind in sorted(IMPORTERS)
    for name in sorted(files.HOSTILE)
    if name not in FILE_LEVEL_BOMBS or kind == "monthly_values"
]


@pytest.mark.parametrize(("kind", "name"), KIND_AND_FILE)
def test_a_hostile_file_fails_the_job_with_short_located_messages_and_saves_nothing(
    kind, name, run_of, django_capture_on_commit_callbacks
):
    run = run_of(kind)
    max_rows = run.importer.sheet.max_rows
    data = _hostile(name, run.title, tuple(run.headings), max_rows)
    before = _counts(run.models)

    job = _start(run, data, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.FAILED, (name, job.errors, job.result)
    assert job.errors, name
    assert all(len(message) < 600 for message in job.errors), job.errors
    # Located: each message names its sheet (or the file), and row and column when it can;
    # past 200 problems the last line only counts the rest.
    located = [m for m in job.errors if m.startswith("Sheet ")]
    assert located and len(job.errors) - len(located) <= 1, job.errors
    assert _counts(run.models) == before


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_an_oversized_file_is_refused_before_anything_is_stored(
    kind, run_of, django_capture_on_commit_callbacks
):
    run = run_of(kind)
    data = _hostile(OVERSIZED, run.title, tuple(run.headings), run.importer.sheet.max_rows)
    jobs = ImportJob.objects.count()
    with pytest.raises(ValidationError) as refused:
        _start(run, data, django_capture_on_commit_callbacks)
    assert "hostile.xlsx" in refused.value.messages[0]
    assert len(refused.value.messages[0]) < 600
    assert ImportJob.objects.count() == jobs


@pytest.mark.parametrize(
    "name, english",
    [("ole2", "password"), ("laughs_in_sheet", "XML"), ("far_corners", "XFD1048576")],
)
def test_messages_are_in_the_uploaders_language(
    name, english, run_of, django_capture_on_commit_callbacks
):
    from kernel.imports.reader import FileRefused, Workbook

    run = run_of(Kind.SERVICE_POINTS)
    data = _hostile(name, run.title, tuple(run.headings), run.importer.sheet.max_rows)
    for language in ("en", "id"):
        job = _start(run, data, django_capture_on_commit_callbacks, language=language)
        with translation.override(language), pytest.raises(FileRefused) as refused:
            workbook = Workbook(data, name="hostile.xlsx")
            width = len(run.headings)
            list(
                workbook.rows(
                    run.title, max_rows=run.importer.sheet.max_rows + 1, max_columns=width
                )
            )
        assert job.errors == [str(error) for error in refused.value.errors]
        if language == "en":
            assert any(english in message for message in job.errors), job.errors


def test_a_long_cell_is_cut_in_the_message(run_of, django_capture_on_commit_callbacks):
    run = run_of(Kind.SERVICE_POINTS)
    row = ["x" * 100_000] * len(run.headings)
    job = _start(run, files.valid(run.title, run.headings, row), django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED
    assert job.errors and all(len(message) < 600 for message in job.errors)


# --- The reader on its own ---------------------------------------------------------------------


def test_control_characters_and_nul_escapes_come_out_cleaned():
    from kernel.imports.reader import Workbook

    data = files.control_characters("Data", ["a", "b"])
    rows = list(Workbook(data).rows("Data", max_rows=10, max_columns=5))
    assert rows[1] == (2, ["AB\tC", "x"])


def test_a_lying_declared_size_is_caught_by_the_crc():
    from kernel.imports.reader import FileRefused, Workbook

    workbook = Workbook(files.lying_member_size("Data", ["a"]))
    assert workbook.members["xl/worksheets/sheet1.xml"].file_size == 100
    with pytest.raises(FileRefused, match="damaged"):
        with translation.override("en"):
            list(workbook.rows("Data", max_rows=10, max_columns=5))


@pytest.mark.parametrize("name", sorted(files.HEAVY))
def test_the_worst_files_stay_under_300_mb_through_the_reader(name):
    """In a child process: its peak RSS is this file's alone (the reader, no database)."""
    if name in files.SLOW:
        pytest.skip("parses for tens of seconds; bench/imports.py measures it")
    child = subprocess.run(
        [sys.executable, "-m", "tests.hostile.probe", name],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert child.returncode == 0, child.stderr[-2000:]
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    assert figures["outcome"].startswith("refused"), figures
    assert figures["peak_mb"] < 300, figures
