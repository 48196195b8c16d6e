"""Kemendagri regions and their population from CSV files (DOMAIN.md §5).

Parsing reads a whole file and returns its rows plus every located error, writing nothing; the
import functions write in one transaction. `regions_import_file` does both: all or nothing.
Files are `kode,nama` (wilayah) and `kode,nama,pria,wanita,total` (penduduk), UTF-8, with dotted
codes `63`, `63.08`, `63.08.05`, `63.08.05.2001`; population also has `0` for Indonesia.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from ..models import District, Province, RegionPopulation, Subdistrict, Village

REGION_HEADER = ("kode", "nama")
POPULATION_HEADER = ("kode", "nama", "pria", "wanita", "total")
NATIONAL_CODE = "0"
BATCH_SIZE = 5000
# PositiveIntegerField is a 4-byte integer on PostgreSQL.
MAX_COUNT = 2_147_483_647

# Province 63, kabupaten/kota 63.08, kecamatan 63.08.05, desa/kelurahan 63.08.05.2001.
CODE_PATTERN = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?")
WHOLE_NUMBER = re.compile(r"[0-9]+")
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Level:
    model: type[models.Model]  # Province, District, Subdistrict or Village
    parent_field: str | None
    key: str


# Index = number of dots in the code; parents are always one level up.
LEVELS = (
    Level(Province, None, "provinces"),
    Level(District, "province", "districts"),
    Level(Subdistrict, "district", "subdistricts"),
    Level(Village, "subdistrict", "villages"),
)

Lines = Iterable[str] | Iterable[bytes] | str | bytes
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name: str

    @property
    def level(self) -> int:
        return self.code.count(".")

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None


@dataclass(frozen=True)
class PopulationRow:
    line: int
    code: str
    name: str
    male: int
    female: int
    total: int


def _located(*, source_name: str, line: int, problem: str) -> str:
    if source_name:
        return _("%(file)s, line %(line)s: %(problem)s") % {
            "file": source_name,
            "line": line,
            "problem": problem,
        }
    return _("Line %(line)s: %(problem)s") % {"line": line, "problem": problem}


class _Problems:
    """Errors of one file, kept with their line so they can be listed in file order."""

    def __init__(self, source_name: str) -> None:
        self.source_name = source_name
        self.items: list[tuple[int, str]] = []
        # Set when the file could not be read to its end.
        self.stopped = False

    def add(self, line: int, problem: str) -> None:
        self.items.append((line, problem))

    def messages(self) -> list[str]:
        ordered = sorted(self.items, key=lambda item: item[0])
        return [
            _located(source_name=self.source_name, line=line, problem=problem)
            for line, problem in ordered
        ]


def _decoded(lines: Lines, problems: _Problems) -> Iterator[str]:
    """Yield text lines; a line that is not UTF-8 is reported and yielded with replacements."""
    if isinstance(lines, str | bytes):
        lines = lines.splitlines(keepends=True)
    iterator: Iterator[str | bytes] = iter(lines)
    number = 0
    while True:
        try:
            raw = next(iterator)
        except StopIteration:
            return
        except UnicodeDecodeError:
            # A text stream decodes ahead in chunks, so the bad byte is on this line or a later
            # one; binary streams (what `regions_import_file` passes) give the exact line.
            problems.add(
                number + 1,
                _("the file is not UTF-8 text from here on; save it as “CSV UTF-8” and try again"),
            )
            problems.stopped = True
            return
        number += 1
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                problems.add(
                    number,
                    _(
                        "byte 0x%(byte)s is not UTF-8 text; "
                        "save the file as “CSV UTF-8” and try again"
                    )
                    % {"byte": f"{raw[error.start]:02X}"},
                )
                text = raw.decode("utf-8", errors="replace")
        else:
            text = raw
        if number == 1:
            text = text.removeprefix("\ufeff")
        yield text


def _records(
    *, lines: Lines, header: tuple[str, ...], problems: _Problems
) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line, fields) of each non-blank row after a correct header."""
    reader = csv.reader(_decoded(lines, problems))
    expected = ",".join(header)
    header_line = 0
    seen_row = False
    line = 0
    try:
        for fields in reader:
            # A quoted field may span lines; a row is located by the line it starts on.
            start, line = line + 1, reader.line_num
            if not any(field.strip() for field in fields):
                continue
            if not header_line:
                found = [field.strip().lower() for field in fields]
                if tuple(found) != header:
                    problems.add(
                        start,
                        _("the first line must be the header “%(expected)s”, not “%(found)s”")
                        % {"expected": expected, "found": ",".join(fields)},
                    )
                    return
                header_line = start
                continue
            seen_row = True
            yield start, [field.strip() for field in fields]
    except csv.Error as error:
        problems.add(line + 1, _("this is not a CSV line (%(reason)s)") % {"reason": error})
        return
    if problems.stopped:
        return
    if not header_line:
        problems.add(
            1,
            _("the file is empty; its first line must be the header “%(expected)s”")
            % {"expected": expected},
        )
    elif not seen_row:
        problems.add(header_line + 1, _("the file has no rows after its header"))


def _text_problem(*, column: str, value: str) -> str | None:
    if CONTROL_CHARACTER.search(value):
        return _(
            "the %(column)s column has a line break, tab or other control character "
            "(is a closing quote missing?)"
        ) % {"column": column}
    return None


def _column_count_problem(*, fields: list[str], header: tuple[str, ...]) -> str | None:
    if len(fields) == len(header):
        return None
    return _("expected %(expected)s columns (%(header)s), found %(found)s") % {
        "expected": len(header),
        "header": ",".join(header),
        "found": len(fields),
    }


def _code_problem(code: str) -> str:
    return _(
        "code “%(code)s” is not a Kemendagri code (like 63, 63.08, 63.08.05 or 63.08.05.2001)"
    ) % {"code": code}


def parse_regions(*, lines: Lines, source_name: str = "") -> tuple[list[RegionRow], list[str]]:
    """Check a whole kode,nama file; return its rows and every located error; writes nothing.

    `lines` is a binary or text stream (binary gives exact lines for bytes that are not UTF-8),
    any iterable of lines, or the whole content. Parents missing from the file are looked up in
    the database with one query per level.
    """
    problems = _Problems(source_name)
    rows: list[RegionRow] = []
    first_line: dict[str, int] = {}
    for line, fields in _records(lines=lines, header=REGION_HEADER, problems=problems):
        if problem := _column_count_problem(fields=fields, header=REGION_HEADER):
            problems.add(line, problem)
            continue
        code, name = fields
        if not CODE_PATTERN.fullmatch(code):
            problems.add(line, _code_problem(code))
            continue
        if code in first_line:
            problems.add(
                line,
                _("code “%(code)s” is already on line %(first)s")
                % {"code": code, "first": first_line[code]},
            )
            continue
        first_line[code] = line
        row = RegionRow(line=line, code=code, name=name)
        name_field = LEVELS[row.level].model._meta.get_field("name")
        assert isinstance(name_field, models.CharField) and name_field.max_length is not None
        max_length = name_field.max_length
        if not name:
            problems.add(line, _("the name (nama) of “%(code)s” is empty") % {"code": code})
        elif problem := _text_problem(column="nama", value=name):
            problems.add(line, problem)
        elif len(name) > max_length:
            problems.add(
                line,
                _("the name (nama) of “%(code)s” has %(length)s characters; at most %(max)s")
                % {"code": code, "length": len(name), "max": max_length},
            )
        else:
            rows.append(row)
    _check_parents(rows=rows, known=first_line.keys(), problems=problems)
    return rows, problems.messages()


def _check_parents(*, rows: list[RegionRow], known: Iterable[str], problems: _Problems) -> None:
    """Report rows whose parent is neither in the file nor in the database (a query per level)."""
    known = set(known)
    wanted: dict[int, dict[str, list[RegionRow]]] = {}
    for row in rows:
        parent = row.parent_code
        if parent is not None and parent not in known:
            wanted.setdefault(row.level - 1, {}).setdefault(parent, []).append(row)
    for level, children_of in wanted.items():
        model = LEVELS[level].model
        in_database = set(
            model._default_manager.filter(code__in=list(children_of))
            .order_by()
            .values_list("code", flat=True)
        )
        for parent, children in children_of.items():
            if parent in in_database:
                continue
            for row in children:
                problems.add(
                    row.line,
                    _(
                        "code “%(code)s”: its %(parent_level)s “%(parent)s” is neither "
                        "in this file nor in the database"
                    )
                    % {
                        "code": row.code,
                        "parent_level": model._meta.verbose_name,
                        "parent": parent,
                    },
                )


def _count_problem(*, column: str, value: str) -> str | None:
    if WHOLE_NUMBER.fullmatch(value):
        if int(value) > MAX_COUNT:
            return _("%(column)s “%(value)s” is too large") % {"column": column, "value": value}
        return None
    if value.startswith("-") and WHOLE_NUMBER.fullmatch(value[1:]):
        return _("%(column)s “%(value)s” is negative") % {"column": column, "value": value}
    return _("%(column)s “%(value)s” is not a whole number of people (digits only)") % {
        "column": column,
        "value": value,
    }


def parse_population(
    *, lines: Lines, source_name: str = ""
) -> tuple[list[PopulationRow], list[str]]:
    """Check a whole kode,nama,pria,wanita,total file; return rows and located errors; no writes."""
    problems = _Problems(source_name)
    rows: list[PopulationRow] = []
    first_line: dict[str, int] = {}
    for line, fields in _records(lines=lines, header=POPULATION_HEADER, problems=problems):
        if problem := _column_count_problem(fields=fields, header=POPULATION_HEADER):
            problems.add(line, problem)
            continue
        code, name, *counts = fields
        if code != NATIONAL_CODE and not CODE_PATTERN.fullmatch(code):
            problems.add(line, _code_problem(code))
            continue
        if code in first_line:
            problems.add(
                line,
                _("code “%(code)s” is already on line %(first)s")
                % {"code": code, "first": first_line[code]},
            )
            continue
        first_line[code] = line
        bad = [
            problem
            for column, value in zip(POPULATION_HEADER[2:], counts, strict=True)
            if (problem := _count_problem(column=column, value=value))
        ]
        for problem in bad:
            problems.add(line, problem)
        if not bad:
            male, female, total = (int(value) for value in counts)
            rows.append(
                PopulationRow(
                    line=line, code=code, name=name, male=male, female=female, total=total
                )
            )
    return rows, problems.messages()


@transaction.atomic
def regions_import(
    *, rows: Iterable[RegionRow], progress: Progress | None = None
) -> dict[str, dict[str, int]]:
    """Upsert regions by code, level by level, in one transaction; idempotent; keeps working areas.

    Returns per level the number of rows created, updated and unchanged. Only name and parent are
    written, so a village keeps its puskesmas; regions missing from the rows are left alone.
    """
    rows = list(rows)
    total = len(rows)
    by_level: list[list[RegionRow]] = [[] for _level in LEVELS]
    for row in rows:
        by_level[row.level].append(row)
    done = 0
    if progress:
        progress(done, total)
    summary: dict[str, dict[str, int]] = {}
    parent_ids: dict[str, int] = {}
    for index, level in enumerate(LEVELS):
        parent_column = f"{level.parent_field}_id" if level.parent_field else None
        fields = ["code", "name"] + ([parent_column] if parent_column else [])
        existing = {
            code: tuple(rest)
            for code, *rest in level.model._default_manager.order_by().values_list(*fields)
        }
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        changed = []
        for row in by_level[index]:
            values: dict[str, str | int | None] = {"code": row.code, "name": row.name}
            if parent_column:
                values[parent_column] = parent_ids.get(row.parent_code) if row.parent_code else None
                if values[parent_column] is None:
                    raise ValidationError(
                        _located(
                            source_name="",
                            line=row.line,
                            problem=_("the parent “%(parent)s” of “%(code)s” does not exist")
                            % {"parent": row.parent_code, "code": row.code},
                        )
                    )
            before = existing.get(row.code)
            if before is None:
                counts["created"] += 1
            elif before == tuple(values[field] for field in fields[1:]):
                counts["unchanged"] += 1
                continue
            else:
                counts["updated"] += 1
            changed.append(level.model(**values))
        done += counts["unchanged"]
        if progress and counts["unchanged"]:
            progress(done, total)
        update = ["name"] + ([level.parent_field] if level.parent_field else [])
        for start in range(0, len(changed), BATCH_SIZE):
            batch = changed[start : start + BATCH_SIZE]
            level.model._default_manager.bulk_create(
                batch, update_conflicts=True, unique_fields=["code"], update_fields=update
            )
            done += len(batch)
            if progress:
                progress(done, total)
        if index + 1 < len(LEVELS):
            parent_ids = dict(level.model._default_manager.order_by().values_list("code", "id"))
        summary[level.key] = counts
    return summary


@transaction.atomic
def population_import(*, rows: Iterable[PopulationRow], year: int) -> dict[str, int]:
    """Upsert the population of each code for `year` in one transaction; idempotent."""
    if not 1900 <= year <= 2100:
        raise ValidationError(_("The year %(year)s is not between 1900 and 2100.") % {"year": year})
    existing = {
        code: tuple(rest)
        for code, *rest in RegionPopulation.objects.filter(year=year)
        .order_by()
        .values_list("code", "male", "female", "total")
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    changed = []
    for row in rows:
        before = existing.get(row.code)
        if before is None:
            counts["created"] += 1
        elif before == (row.male, row.female, row.total):
            counts["unchanged"] += 1
            continue
        else:
            counts["updated"] += 1
        changed.append(
            RegionPopulation(
                code=row.code, year=year, male=row.male, female=row.female, total=row.total
            )
        )
    RegionPopulation.objects.bulk_create(
        changed,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code", "year"],
        update_fields=["male", "female", "total"],
    )
    return counts


def _parse_file(parse: Callable, path: Path) -> tuple[list, list[str]]:
    try:
        with path.open("rb") as stream:
            return parse(lines=stream, source_name=path.name)
    except OSError as error:
        return [], [
            _("Cannot read %(file)s: %(reason)s")
            % {"file": path, "reason": error.strerror or error}
        ]


def regions_import_file(
    *,
    path: str | Path,
    population_path: str | Path | None = None,
    year: int = 2025,
    progress: Progress | None = None,
) -> dict[str, dict[str, int]]:
    """Check the region file (and population file) whole, then import all of it or nothing.

    Raises ValidationError listing every located error of both files before writing anything;
    otherwise writes both in one transaction and returns the counts of `regions_import`, plus
    `population` when a population file is given.
    """
    rows, errors = _parse_file(parse_regions, Path(path))
    population_rows: list[PopulationRow] = []
    if population_path is not None:
        population_rows, population_errors = _parse_file(parse_population, Path(population_path))
        errors += population_errors
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        summary = regions_import(rows=rows, progress=progress)
        if population_path is not None:
            summary["population"] = population_import(rows=population_rows, year=year)
    return summary
