"""Hostile .xlsx files built in code from raw XML parts, each aimed at one hazard.

Every builder returns bytes (small to keep, most of them tiny once compressed). `HOSTILE`
names each hazard a file carries; tests/hostile/test_importers.py runs each through every
registered importer and bench/imports.py times the worst of them through the reader.
No Django here: the memory probe imports this module in a bare child process.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Callable, Iterable

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]>"
)
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell(ref: str, value: object) -> str:
    """A cell as XML: numbers as numbers, text inline."""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return (
        f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'
    )


def letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(
    rows: Iterable[tuple[int, Iterable[tuple[int, object]]]] = (),
    *,
    dimension: str | None = None,
    tail: str = "",
    prolog: str = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    raw_rows: str = "",
) -> str:
    """A worksheet: `rows` as (row number, [(column number, value)]), optional dimension."""
    body = "".join(
        f'<row r="{number}">'
        + "".join(cell(f"{letter(column)}{number}", value) for column, value in cells)
        + "</row>"
        for number, cells in rows
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'{prolog}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{dim}'
        f"<sheetData>{body}{raw_rows}</sheetData>{tail}</worksheet>"
    )


def grid(headers: list, *data: list) -> list[tuple[int, list[tuple[int, object]]]]:
    """Rows for `sheet_xml`: a heading row and data rows from plain lists."""
    return [
        (number, [(column, value) for column, value in enumerate(values, 1) if value is not None])
        for number, values in enumerate([headers, *data], 1)
    ]


def xlsx(
    sheet: str,
    *,
    title: str = "Data",
    shared: str | None = None,
    workbook: str | None = None,
    extra: dict[str, bytes | str] | None = None,
    level: int = 9,
) -> bytes:
    """A workbook of one sheet from raw XML parts."""
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook
        or (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}"><sheets><sheet name="{escape(title)}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    parts.update(extra or {})
    return zip_of(parts, level=level)


def zip_of(parts: dict[str, bytes | str], *, level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in parts.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()


def _streamed(name: str, chunks: Iterable[str], **parts) -> bytes:
    """A workbook whose `name` part is written in chunks (large parts, small memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for part, content in {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": ROOT_RELS,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
            **parts,
        }.items():
            archive.writestr(part, content)
        with archive.open(name, "w", force_zip64=True) as stream:
            for chunk in chunks:
                stream.write(chunk.encode())
    return buffer.getvalue()


def _workbook_part(title: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f'<sheets><sheet name="{escape(title)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _repeat(unit: str, total_bytes: int, chunk: int = 1 << 20) -> Iterable[str]:
    block = unit * max(1, chunk // len(unit))
    written = 0
    while written < total_bytes:
        yield block
        written += len(block)


# --- The hazards ---------------------------------------------------------------------------------


def far_corners(title: str, headers: list) -> bytes:
    """A1 and XFD1048576 filled, declared as the whole grid."""
    rows = grid(headers) + [(1048576, [(16384, 1)])]
    return xlsx(sheet_xml(rows, dimension="A1:XFD1048576"), title=title)


def far_corner_lying_dimension(title: str, headers: list) -> bytes:
    """A value at XFD1048576 while the sheet claims to span A1:B2."""
    rows = grid(headers) + [(1048576, [(16384, 1)])]
    return xlsx(sheet_xml(rows, dimension="A1:B2"), title=title)


def far_column(title: str, headers: list) -> bytes:
    """A value in column XFD of row 2: within the row limit, far beyond the columns."""
    rows = grid(headers) + [(2, [(16384, "x")])]
    return xlsx(sheet_xml(rows), title=title)


def too_many_rows(title: str, headers: list, rows: int = 60_000) -> bytes:
    """Small rows, more of them than any template allows."""
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, rows + 2))
    return xlsx(sheet_xml(grid(headers), raw_rows=body), title=title)


def shared_strings_count_bomb(title: str, headers: list, count: int = 600_000) -> bytes:
    """More shared strings than any template holds, a few hundred KB compressed."""
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" count="{count}">'
        + "<si><t>a</t></si>" * count
        + "</sst>"
    )
    rows = grid(headers) + [(2, [(1, 0)])]
    return xlsx(sheet_xml(rows), title=title, shared=shared)


def shared_string_huge(title: str, headers: list, megabytes: int = 79) -> bytes:
    """One shared string of `megabytes` MB, just under the unpacked limit: a few KB compressed."""
    size = megabytes * 1024 * 1024 - 4096
    sheet = sheet_xml(grid(headers) + [(2, [(1, 0)])]).replace(
        '<c r="A2"><v>0</v></c>', '<c r="A2" t="s"><v>0</v></c>'
    )

    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}"><si><t>'
        yield from _repeat("a", size)
        yield "</t></si></sst>"

    return _streamed(
        "xl/sharedStrings.xml",
        chunks(),
        **{"xl/workbook.xml": _workbook_part(title), "xl/worksheets/sheet1.xml": sheet},
    )


def wide_row_of_empty_cells(title: str, megabytes: int = 79) -> bytes:
    """One row of millions of empty cells (no value, no reference): nothing to read, much to
    parse; a reader that keeps them in the tree runs out of memory."""

    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        yield '<row r="1">'
        yield from _repeat("<c/>", megabytes * 1024 * 1024 - 4096)
        yield "</row></sheetData></worksheet>"

    return _streamed(
        "xl/worksheets/sheet1.xml", chunks(), **{"xl/workbook.xml": _workbook_part(title)}
    )


def unknown_elements(title: str, megabytes: int = 79) -> bytes:
    """Millions of unknown elements beside the sheet's data, never a row."""

    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        yield from _repeat("<x/>", megabytes * 1024 * 1024 - 4096)
        yield "</sheetData></worksheet>"

    return _streamed(
        "xl/worksheets/sheet1.xml", chunks(), **{"xl/workbook.xml": _workbook_part(title)}
    )


def long_dimension(title: str, megabytes: int = 40) -> bytes:
    """A dimension attribute of millions of cell references."""

    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><dimension ref="'
        yield from _repeat("A1 ", megabytes * 1024 * 1024)
        yield '"/><sheetData/></worksheet>'

    return _streamed(
        "xl/worksheets/sheet1.xml", chunks(), **{"xl/workbook.xml": _workbook_part(title)}
    )


def laughs_in_shared_strings(title: str, headers: list) -> bytes:
    shared = LAUGHS + f'<sst xmlns="{MAIN_NS}"><si><t>&lol9;</t></si></sst>'
    return xlsx(sheet_xml(grid(headers)), title=title, shared=shared)


def laughs_in_sheet(title: str, headers: list) -> bytes:
    sheet = sheet_xml(
        grid(headers),
        prolog=LAUGHS,
        raw_rows='<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
    )
    return xlsx(sheet, title=title)


def external_entity(title: str, headers: list) -> bytes:
    sheet = sheet_xml(
        grid(headers),
        prolog=EXTERNAL,
        raw_rows='<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>',
    )
    return xlsx(sheet, title=title)


def external_link(title: str, headers: list) -> bytes:
    link = (
        f'<?xml version="1.0"?><externalLink xmlns="{MAIN_NS}"><externalBook r:id="rId1" '
        f'xmlns:r="{REL_NS}"/></externalLink>'
    )
    return xlsx(
        sheet_xml(grid(headers)), title=title, extra={"xl/externalLinks/externalLink1.xml": link}
    )


def formula(title: str, headers: list) -> bytes:
    sheet = sheet_xml(
        grid(headers), raw_rows='<row r="2"><c r="B2"><f>SUM(1,2)</f><v>3</v></c></row>'
    )
    return xlsx(sheet, title=title)


def merged_cells(title: str, headers: list) -> bytes:
    sheet = sheet_xml(
        grid(headers, ["x"] * len(headers)),
        tail='<mergeCells count="1"><mergeCell ref="A2:C3"/></mergeCells>',
    )
    return xlsx(sheet, title=title)


def long_cell(title: str, headers: list, size: int = 100_000) -> bytes:
    """A cell of `size` characters in every column of a data row (and one in the headings)."""
    row = ["9" * size if index == 0 else "x" * size for index in range(max(1, len(headers)))]
    return xlsx(sheet_xml(grid(headers, row)), title=title)


def long_heading(title: str, headers: list, size: int = 100_000) -> bytes:
    return xlsx(sheet_xml(grid(["h" * size, *headers[1:]], ["x"])), title=title)


def control_characters(title: str, headers: list) -> bytes:
    """Excel's escapes of NUL and other control characters in cells (valid XML)."""
    row = ["_x0000_A_x0007_B\x09C"] + ["_x0001_x"] * (len(headers) - 1)
    return xlsx(sheet_xml(grid(headers, row)), title=title)


def raw_nul(title: str, headers: list) -> bytes:
    """A raw NUL byte in the sheet's XML: not well-formed."""
    sheet = sheet_xml(
        grid(headers),
        raw_rows='<row r="2"><c r="A2" t="inlineStr"><is><t>a\x00b</t></is></c></row>',
    )
    return xlsx(sheet, title=title)


def truncated(title: str, headers: list) -> bytes:
    whole = xlsx(sheet_xml(grid(headers, ["x"] * len(headers))), title=title)
    return whole[: len(whole) * 2 // 3]


def nested_zip(title: str, headers: list) -> bytes:
    inner = xlsx(sheet_xml(grid(headers)), title=title)
    return zip_of({"inner.xlsx": inner})


def many_members(title: str, headers: list, count: int = 100_000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/workbook.xml", _workbook_part(title))
        for index in range(count):
            archive.writestr(f"m/{index}", b"")
    return buffer.getvalue()


def lying_member_size(title: str, headers: list) -> bytes:
    """The sheet declares (in the central directory and the local header) an uncompressed size
    of 100 bytes, while it inflates to megabytes: zipfile stops at the declared size and the
    CRC no longer matches."""
    body = '<row r="2"><c r="A2"><v>1</v></c></row>' * 200_000
    data = xlsx(sheet_xml(grid(headers), raw_rows=body), title=title)
    name = b"xl/worksheets/sheet1.xml"
    out = bytearray(data)
    # Central directory entry: signature PK\1\2, uncompressed size at offset 24.
    at = out.find(b"PK\x01\x02" + b"\x00" * 0, 0)
    while at != -1:
        name_length = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46 : at + 46 + name_length] == name:
            struct.pack_into("<I", out, at + 24, 100)
        at = out.find(b"PK\x01\x02", at + 4)
    at = out.find(b"PK\x03\x04")
    while at != -1:
        name_length = struct.unpack_from("<H", out, at + 26)[0]
        if out[at + 30 : at + 30 + name_length] == name:
            struct.pack_into("<I", out, at + 22, 100)
        at = out.find(b"PK\x03\x04", at + 4)
    return bytes(out)


def renamed_csv(title: str, headers: list) -> bytes:
    return ("\n".join(",".join(str(h) for h in headers) for _ in range(3)) + "\n").encode()


def binary_junk(title: str, headers: list) -> bytes:
    return random.Random(11).randbytes(4096)


def junk_after_zip_magic(title: str, headers: list) -> bytes:
    return b"PK\x03\x04" + random.Random(12).randbytes(4096)


def ole2(title: str, headers: list) -> bytes:
    """What an encrypted .xlsx or an old .xls looks like: an OLE2 compound file."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4088


def empty(title: str, headers: list) -> bytes:
    return b""


def oversized(title: str, headers: list, limit: int = 10 * 1024 * 1024) -> bytes:
    return b"PK\x03\x04" + b"\x00" * (limit + 1 - 4)


def valid(title: str, headers: list, *rows: list) -> bytes:
    return xlsx(sheet_xml(grid(headers, *rows)), title=title)


Builder = Callable[[str, list], bytes]

# name -> builder (title, headings) -> bytes. Each is refused by every importer.
HOSTILE: dict[str, Builder] = {
    "far_corners": far_corners,
    "far_corner_lying_dimension": far_corner_lying_dimension,
    "far_column": far_column,
    "too_many_rows": too_many_rows,
    "shared_strings_count_bomb": shared_strings_count_bomb,
    "laughs_in_shared_strings": laughs_in_shared_strings,
    "laughs_in_sheet": laughs_in_sheet,
    "external_entity": external_entity,
    "external_link": external_link,
    "formula": formula,
    "merged_cells": merged_cells,
    "long_cell": long_cell,
    "long_heading": long_heading,
    "raw_nul": raw_nul,
    "truncated": truncated,
    "nested_zip": nested_zip,
    "many_members": many_members,
    "lying_member_size": lying_member_size,
    "renamed_csv": renamed_csv,
    "binary_junk": binary_junk,
    "junk_after_zip_magic": junk_after_zip_magic,
    "ole2": ole2,
    "empty": empty,
}

# The big ones (tens of MB unpacked): run through the reader in a child process for memory.
HEAVY: dict[str, Callable[[str], bytes]] = {
    "shared_string_huge": lambda title: shared_string_huge(title, ["a"]),
    "wide_row_of_empty_cells": wide_row_of_empty_cells,
    "unknown_elements": unknown_elements,
    "long_dimension": long_dimension,
    "shared_strings_count_bomb": lambda title: shared_strings_count_bomb(title, ["a"]),
    "many_members": lambda title: many_members(title, []),
    "too_many_rows": lambda title: too_many_rows(title, ["a"], rows=400_000),
}

# Heavy files whose refusal takes tens of seconds of parsing (one 40 MB XML token): the test
# suite leaves them to bench/imports.py.
SLOW = {"long_dimension"}
