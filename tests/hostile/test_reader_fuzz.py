"""Random bytes and damaged templates: the reader refuses (FileRefused) or reads; nothing else."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook as OpenpyxlWorkbook

from kernel.imports.reader import FileRefused, Workbook

from . import files


def _template() -> bytes:
    workbook = OpenpyxlWorkbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(["Kode", "Nama", "Jumlah", "Tanggal"])
    for number in range(30):
        sheet.append([f"63.08.{number}", f"Desa {number}", number * 7, "2025-01-31"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TEMPLATES = [_template(), files.valid("Data", ["a", "b"], ["x", 1], ["y", 2.5])]


def _read(data: bytes) -> None:
    try:
        workbook = Workbook(data, name="fuzz.xlsx")
        for name in workbook.sheet_names:
            for _row in workbook.rows(name, max_rows=100, max_columns=10):
                pass
    except FileRefused as refused:
        assert refused.errors and all(len(str(error)) < 600 for error in refused.errors)


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_are_refused_or_read(data):
    _read(data)


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_behind_the_zip_signature_are_refused_or_read(data):
    _read(b"PK\x03\x04" + data)


@FUZZ
@given(
    template=st.sampled_from(TEMPLATES),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
)
def test_a_damaged_template_is_refused_or_read(template, flips, cut):
    data = bytearray(template)
    for position, byte in flips:
        data[position % len(data)] = byte
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    _read(bytes(data))
