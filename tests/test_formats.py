"""Dates and numbers one way everywhere in each language (issue #15): templates name the
project's formats (config/formats/) rather than writing patterns of their own."""

import datetime
import re
from pathlib import Path

import pytest
from django.template import engines
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
# Patterns a template may still write: a weekday with its date, a month or a day alone.
ALLOWED = {"l, j F Y", "l", "F", "j M", "Y-m-d", "c"}
DATE_FILTER = re.compile(r"""\|date:["']([^"']+)["']""")


def test_templates_name_the_project_date_formats_instead_of_patterns():
    found = []
    for path in ROOT.glob("*/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        for pattern in DATE_FILTER.findall(path.read_text()):
            if not pattern.endswith("_FORMAT") and pattern not in ALLOWED:
                found.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("language", "short", "long", "moment", "number"),
    [
        ("id", "3 Des 2026", "3 Desember 2026", "3 Des 2026 10.03", "1.234,5"),
        ("en", "3 Dec 2026", "3 December 2026", "3 Dec 2026 10:03", "1,234.5"),
    ],
)
def test_each_language_writes_dates_and_numbers_its_one_way(language, short, long, moment, number):
    template = engines["django"].from_string(
        '{% load humanize %}{{ d|date:"SHORT_DATE_FORMAT" }}|{{ d|date:"DATE_FORMAT" }}|'
        '{{ t|date:"SHORT_DATETIME_FORMAT" }}|{{ n|floatformat:"1g" }}'
    )
    with translation.override(language):
        text = template.render(
            {
                "d": datetime.date(2026, 12, 3),
                "t": datetime.datetime(2026, 12, 3, 10, 3),
                "n": 1234.5,
            }
        )
    assert text == f"{short}|{long}|{moment}|{number}"
