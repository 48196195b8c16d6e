"""Excel templates of a meeting's participants and RTL items: the meeting's rows to correct and
extend (a hidden id column marks saved rows; a Lists sheet feeds the dropdowns).

`layout` declares the two sheets once on the import pipeline (kernel/imports): the
templates are built from it here (`build`), and workshops/importers.py reads filled ones with
it, as ImportJobs that apply every row through the same services as the forms
(`participant_add`, `follow_up_save`, ...), all rows or none (STYLE.md §5, §15).
"""

from .build import participants_template, rtl_template  # noqa: F401
from .layout import PARTICIPANTS, RTL  # noqa: F401
