"""Reads about plans, always scoped by indicators.scoping; one module per part, re-exported."""

from .plans import (  # noqa: F401
    ActivityGroup,
    PlanDetail,
    SourceTotal,
    StatusCount,
    next_plan_year,
    plan_detail,
    plan_own_list,
    plan_years,
    plans_visible,
    ruk_compilation,
    ruk_status_counts,
    source_label,
    source_totals,
)
from .schedule import RPK, MonthTotal, RPKLine, rpk_get  # noqa: F401
from .sources import (  # noqa: F401
    Gap,
    GapList,
    follow_up_for,
    gap_get,
    gap_period,
    plan_follow_ups,
    plan_gaps,
    plan_proposals,
    proposal_for,
)
from .totals import (  # noqa: F401
    CodeTotal,
    OwnerLine,
    Totals,
    UnplannedGaps,
    activities_in,
    gaps_unplanned,
    plan_totals,
)
