"""Monthly SPM values in and out of Excel: the template, the all-or-nothing import, the export.

Issue #4 must-have 8. The template has one row per (puskesmas, desa of its working area, monthly
service) and one column per month; an empty cell is "not reported", 0 is a value. An import reads
the whole file first and lists every problem by sheet, row and column; only a file without any
problem is written, in one transaction, audited like a save on the entry page (ValueChange per
cell, an audit event per report, version bumped so an open entry page cannot overwrite it).

Who may import: puskesmas heads and staff for their own puskesmas, and district planners for
every puskesmas of their district (Dinkes often types a puskesmas's paper or WhatsApp figures
into Excel for it); their changes are audited as theirs. Provincial reviewers and system
administrators read; they do not enter data.

No lost update through a stale file: the template records when it was downloaded (hidden sheet
"Simpul"); a cell someone else changed after that moment is refused, not overwritten.
"""

from .apply import monthly_import_apply, monthly_import_start  # noqa: F401
from .files import monthly_template, monthly_values_export  # noqa: F401
from .layout import DATA_SHEET, META_SHEET, can_import_monthly, monthly_headers  # noqa: F401
from .parse import ImportPlan, monthly_import_parse  # noqa: F401
