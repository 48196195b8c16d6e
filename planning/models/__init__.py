"""Plans (RUK of a puskesmas, the Dinkes plan of a district), their activities and budgets, the
monthly schedule (RPK), and the budget sub-activity catalogue; one module per part."""

from .budget import BudgetSubActivity  # noqa: F401
from .plans import Activity, Plan  # noqa: F401
from .schedule import ScheduleEntry  # noqa: F401
