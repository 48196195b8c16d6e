"""A plan's activities to and from Excel: planners draft their RUK in a spreadsheet.

The template (`ruk_template`) has the export's RUK columns (planning.documents) after a hidden ID
column, prefilled with the plan's activities; a sheet listing the valid funding sources, SPM
services and budget codes (the RUK sheet's drop-downs read it); instructions; and a hidden sheet
with the plan and the version it was downloaded at.

The filled template is imported on the one import pipeline (planning/importers.py declares its
sheet): an ImportJob reads the whole file first and lists every problem by sheet, row and column;
any problem saves nothing. A valid file adds the rows without an ID and updates the activities
whose ID it carries, in one transaction, through the activities service the form uses;
activities absent from the file are left alone. A plan changed since its template was downloaded
refuses the file and says who changed it, so nobody's work is overwritten by an old file.
"""

from .layout import DATA_SHEET, MAX_ROWS, META_KIND, META_SHEET  # noqa: F401
from .template import ruk_template  # noqa: F401
