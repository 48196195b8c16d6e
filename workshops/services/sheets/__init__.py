"""Excel in and out for a meeting's participants and RTL items: a template prefilled with what the
meeting holds (a hidden id column marks saved rows; a Lists sheet feeds the dropdowns), and an
import that checks the whole file first (STYLE.md §5).

Every problem is located by sheet, row and column in the user's language; any problem saves
nothing. Rows with an id update that row, rows without one are added, rows left out are kept.
Rows go through the same services as the forms (`participant_add`, `follow_up_save`, ...), so
the file obeys the same rules; an RTL item's status is never imported (`tracking` owns it).

`layout` names the sheets and columns, `build` writes the templates, `cells` reads a file's
cells and locates its problems, `load` checks and saves the rows.
"""

from .build import participants_template, rtl_template  # noqa: F401
from .layout import PARTICIPANTS, RTL, ImportSummary  # noqa: F401
from .load import participants_import, rtl_import  # noqa: F401
