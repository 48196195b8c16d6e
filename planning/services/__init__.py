"""Writes about plans (RUK, RPK, budgets); views, the demo and tests call these, never the ORM.

One module per part; each is re-exported here.
"""

from .activities import (  # noqa: F401
    PlanChanged,
    activities_import,
    activity_create,
    activity_delete,
    activity_update,
)
from .plans import plan_approve, plan_create, plan_return, plan_submit  # noqa: F401
from .realisation import realisation_record, realisation_undo  # noqa: F401
from .ruk_excel import ruk_template  # noqa: F401
from .schedule import schedule_add, schedule_delete  # noqa: F401
