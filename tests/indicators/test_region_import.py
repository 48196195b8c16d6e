"""Kemendagri region import: the service, the `import_regions` command and the demo subset."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kernel.models import District, Province, RegionPopulation, Subdistrict, Village
from kernel.services import parse_population, parse_regions, regions_import, regions_import_file
from kernel.services.regions import RegionRow

from ..factories import PuskesmasFactory

DATA = Path(settings.BASE_DIR) / "kernel" / "data"
DEMO_REGIONS = DATA / "demo_regions.csv"
DEMO_POPULATION = DATA / "demo_population.csv"
NATIONAL = Path(settings.BASE_DIR).parent / "shared/data/wilayah/wilayah_2025.csv"
NATIONAL_POPULATION = NATIONAL.with_name("penduduk_2025.csv")

# A valid start that a bad line is appended to: if anything were saved, province 65 would be.
GOOD_START = b"kode,nama\n65,Kalimantan Utara\n65.01,Kabupaten Malinau\n"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def plain(message: str) -> str:
    return message.replace("“", '"').replace("”", '"')


def saved_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Province, District, Subdistrict, Village, RegionPopulation)
    }


def import_demo() -> dict:
    return regions_import_file(path=DEMO_REGIONS, population_path=DEMO_POPULATION, year=2025)


def write(tmp_path: Path, content: bytes, name: str = "wilayah.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_demo_subset_imports_every_level_with_its_parents_and_population():
    summary = import_demo()

    assert {key: counts["created"] for key, counts in summary.items()} == {
        "provinces": 2,
        "districts": 3,
        "subdistricts": 18,
        "villages": 286,
        "population": 6,
    }
    village = Village.objects.select_related("subdistrict__district__province").get(
        code="63.08.05.1001"
    )
    assert village.subdistrict.code == "63.08.05"
    assert village.subdistrict.district.name == "Kabupaten Hulu Sungai Utara"
    assert village.subdistrict.district.province.name == "Kalimantan Selatan"
    assert set(District.objects.values_list("code", flat=True)) == {"63.08", "63.71", "64.74"}
    assert Village.objects.filter(code__startswith="63.71.", puskesmas=None).count() == 52
    indonesia = RegionPopulation.objects.get(code="0", year=2025)
    assert indonesia.total == 284_973_643
    assert RegionPopulation.objects.get(code="63.08", year=2025).male == 119_428


def test_reimport_updates_names_and_never_duplicates(tmp_path):
    import_demo()
    before = saved_counts()
    renamed = DEMO_REGIONS.read_text(encoding="utf-8").replace(
        "63.08.05.1001,Antasari", "63.08.05.1001,Antasari Baru"
    )
    assert "Antasari Baru" in renamed

    summary = regions_import_file(path=write(tmp_path, renamed.encode()))

    assert saved_counts() == before
    assert Village.objects.get(code="63.08.05.1001").name == "Antasari Baru"
    assert summary["villages"] == {"created": 0, "updated": 1, "unchanged": 285}
    assert summary["provinces"] == {"created": 0, "updated": 0, "unchanged": 2}


def test_reimport_moves_a_village_whose_parent_changed(tmp_path):
    import_demo()
    content = b"kode,nama\n63.08.05.1001,Antasari\n"
    Village.objects.filter(code="63.08.05.1001").update(
        subdistrict=Subdistrict.objects.get(code="63.08.06")
    )

    regions_import_file(path=write(tmp_path, content))

    assert Village.objects.get(code="63.08.05.1001").subdistrict.code == "63.08.05"


def test_reimport_keeps_the_puskesmas_working_areas(tmp_path):
    import_demo()
    subdistrict = Subdistrict.objects.get(code="63.08.05")
    puskesmas = PuskesmasFactory(district=subdistrict.district, subdistrict=subdistrict)
    subdistrict.villages.update(puskesmas=puskesmas)
    working_area = set(subdistrict.villages.values_list("code", flat=True))
    renamed = DEMO_REGIONS.read_text(encoding="utf-8").replace(
        "63.08.05.1001,Antasari", "63.08.05.1001,Antasari Baru"
    )

    regions_import_file(path=write(tmp_path, renamed.encode()))
    import_demo()

    assert set(puskesmas.villages.values_list("code", flat=True)) == working_area


def test_file_with_bom_crlf_quotes_and_blank_trailing_lines_is_accepted(tmp_path):
    content = (
        b'\xef\xbb\xbfkode,nama\r\n65,Kalimantan Utara\r\n65.01,"Malinau, Kabupaten"\r\n\r\n\r\n'
    )

    regions_import_file(path=write(tmp_path, content))

    assert District.objects.get(code="65.01").name == "Malinau, Kabupaten"


def test_parents_already_in_the_database_are_found_with_one_query_per_level(
    django_assert_num_queries,
):
    import_demo()
    lines = [
        "kode,nama",
        "63.08.05.2999,Desa Baru",
        "63.08.06.2999,Desa Lain",
        "63.71.01.1999,Kelurahan Baru",
        "64.74.09,Kecamatan Baru",
    ]

    with django_assert_num_queries(2):
        rows, errors = parse_regions(lines=lines, source_name="new.csv")

    assert errors == []
    assert len(rows) == 4


@pytest.mark.parametrize(
    ("content", "line", "expected"),
    [
        pytest.param(
            GOOD_START + b"63.8,Kabupaten X\n", 4, '"63.8" is not a Kemendagri', id="code"
        ),
        pytest.param(
            GOOD_START + b"65.02.01,Kecamatan X\n", 4, 'district "65.02" is neither', id="parent"
        ),
        pytest.param(GOOD_START + b"65.01,Kabupaten Lagi\n", 4, "already on line 3", id="dupe"),
        pytest.param(GOOD_START + b"65.02,  \n", 4, "is empty", id="empty-name"),
        pytest.param(
            GOOD_START + b"65.02," + b"x" * 101 + b"\n", 4, "101 characters", id="long-name"
        ),
        pytest.param(
            GOOD_START + b"65.02,Kabupaten X,extra\n", 4, "expected 2 columns", id="columns"
        ),
        pytest.param(GOOD_START + b"65.02,Kabupaten K\xe9tapang\n", 4, "not UTF-8", id="not-utf8"),
        pytest.param(b"code;name\n65;Kalimantan Utara\n", 1, 'header "kode,nama"', id="header"),
        pytest.param(b"", 1, "the file is empty", id="empty-file"),
        pytest.param(b"\n\n", 1, "the file is empty", id="blank-file"),
        pytest.param(b"kode,nama\r\n\r\n", 2, "no rows after its header", id="header-only"),
        pytest.param(
            GOOD_START + b'65.02,"Kabupaten X\n65.03,Kabupaten Y\n', 4, "quote", id="open-quote"
        ),
    ],
)
def test_malformed_region_file_is_refused_whole_with_the_line(tmp_path, content, line, expected):
    import_demo()
    before = saved_counts()

    with pytest.raises(ValidationError) as refused:
        regions_import_file(path=write(tmp_path, content))

    [message] = refused.value.messages
    assert message.startswith(f"wilayah.csv, line {line}: ")
    assert expected in plain(message)
    assert saved_counts() == before
    assert not Province.objects.filter(code="65").exists()


def test_every_error_of_both_files_is_listed_in_line_order_and_nothing_is_saved(tmp_path):
    regions = write(
        tmp_path,
        GOOD_START + b"65.1,Bad\n65.02,\n65.01.01,Kecamatan Malinau Kota\n65.01,Again\n",
    )
    population = write(
        tmp_path,
        b"kode,nama,pria,wanita,total\n0,INDONESIA,1,2,3\n65,Kaltara,-5,1.5,\n",
        name="penduduk.csv",
    )

    with pytest.raises(ValidationError) as refused:
        regions_import_file(path=regions, population_path=population)

    messages = refused.value.messages
    assert [message.split(":")[0] for message in messages] == [
        "wilayah.csv, line 4",
        "wilayah.csv, line 5",
        "wilayah.csv, line 7",
        "penduduk.csv, line 3",
        "penduduk.csv, line 3",
        "penduduk.csv, line 3",
    ]
    assert "negative" in messages[3]
    assert "not a whole number" in messages[4]
    assert saved_counts() == dict.fromkeys(saved_counts(), 0)


def test_population_file_accepts_the_national_row_and_refuses_bad_numbers():
    rows, errors = parse_population(
        lines="kode,nama,pria,wanita,total\n0,INDONESIA,1,2,3\n63,X,1,2,99999999999\n63.8,Y,1,1,2\n"
    )

    assert [row.code for row in rows] == ["0"]
    assert [plain(error) for error in errors] == [
        'Line 3: total "99999999999" is too large',
        'Line 4: code "63.8" is not a Kemendagri code (like 63, 63.08, 63.08.05 or 63.08.05.2001)',
    ]


def test_import_rolls_back_every_level_when_a_parent_is_missing():
    rows = [
        RegionRow(line=2, code="65", name="Kalimantan Utara"),
        RegionRow(line=3, code="65.01.01", name="Kecamatan tanpa kabupaten"),
    ]

    with pytest.raises(ValidationError, match="Line 3"):
        regions_import(rows=rows)

    assert not Province.objects.filter(code="65").exists()


def test_command_imports_the_demo_files_and_prints_a_summary_and_progress():
    out, err = StringIO(), StringIO()

    call_command(
        "import_regions",
        str(DEMO_REGIONS),
        population=str(DEMO_POPULATION),
        year=2024,
        stdout=out,
        stderr=err,
    )

    assert "Imported 2 provinces, 3 districts, 18 subdistricts and 286 villages" in out.getvalue()
    assert "Population 2024: 6 regions" in out.getvalue()
    assert "100% 309/309 rows" in err.getvalue()
    assert RegionPopulation.objects.filter(year=2024).count() == 6


def test_command_prints_every_located_error_and_exits_non_zero(tmp_path):
    bad = write(tmp_path, GOOD_START + b"63.8,Kabupaten X\n65.02,\n")
    err = StringIO()

    # manage.py turns a CommandError into `sys.exit(error.returncode)`.
    with pytest.raises(CommandError, match="Nothing was imported: 2 errors.") as refused:
        call_command("import_regions", str(bad), stderr=err)

    assert refused.value.returncode != 0
    assert "wilayah.csv, line 4: code" in err.getvalue()
    assert "wilayah.csv, line 5: the name" in err.getvalue()
    assert Province.objects.count() == 0


def test_command_caps_the_printed_errors(tmp_path):
    lines = b"".join(b"99.%d,Bad\n" % number for number in range(250))
    bad = write(tmp_path, b"kode,nama\n" + lines)
    err = StringIO()

    with pytest.raises(CommandError, match="250 errors"):
        call_command("import_regions", str(bad), stderr=err)

    printed = err.getvalue().splitlines()
    assert len(printed) == 201
    assert printed[-1] == "... and 50 more"


def test_command_redraws_the_progress_bar_in_place_on_a_terminal():
    class Terminal(StringIO):
        def isatty(self):
            return True

    err = Terminal()

    call_command("import_regions", str(DEMO_REGIONS), stderr=err, stdout=StringIO())

    assert err.getvalue().startswith("\r[")
    assert err.getvalue().endswith("100% 309/309 rows\n")
    assert err.getvalue().count("\n") == 1


def test_command_help_names_both_file_formats(capsys):
    with pytest.raises(SystemExit):
        call_command("import_regions", "--help")

    assert "kode,nama,pria,wanita,total" in capsys.readouterr().out


def test_command_refuses_a_missing_file(tmp_path):
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_regions", str(tmp_path / "missing.csv"), stderr=err)

    assert "Cannot read" in err.getvalue()


@pytest.mark.slow
def test_the_whole_national_file_imports_every_region_and_reimports_unchanged():
    if not NATIONAL.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{NATIONAL} is missing; CI must run the national import.")
        pytest.skip(f"{NATIONAL} is missing (set CI to make this a failure).")

    first = regions_import_file(path=NATIONAL, population_path=NATIONAL_POPULATION)
    again = regions_import_file(path=NATIONAL, population_path=NATIONAL_POPULATION)

    assert (
        Province.objects.count(),
        District.objects.count(),
        Subdistrict.objects.count(),
        Village.objects.count(),
    ) == (38, 514, 7_285, 83_762)
    assert RegionPopulation.objects.count() == 553
    assert first["villages"]["created"] == 83_762
    assert again["villages"] == {"created": 0, "updated": 0, "unchanged": 83_762}
    assert Village.objects.get(code="63.08.05.1001").subdistrict.district.code == "63.08"
