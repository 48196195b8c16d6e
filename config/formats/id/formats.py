"""Dates and numbers in Bahasa Indonesia, one way everywhere (issue #15).

Pages and files name these formats ({{ d|date:"SHORT_DATE_FORMAT" }}, kernel.tables), never a
pattern of their own: "3 Des 2026", "3 Desember 2026", "3 Des 2026 10.03" (Indonesian writes
the time with a dot). Input formats stay Django's.
"""

from django.conf.locale.id.formats import *  # noqa: F403

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
TIME_FORMAT = "H.i"
DATETIME_FORMAT = "j F Y H.i"
SHORT_DATETIME_FORMAT = "j M Y H.i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
