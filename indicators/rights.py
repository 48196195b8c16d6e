"""Who may change SPM data (services check; templates only hide buttons): predicates composed
from kernel.roles. What a user may *see* is kernel.scoping's `in_area` (and indicators.readable).

The object is anything that says its area (kernel.models.AreaOwned): a Puskesmas, a District,
a Village, a MonthlyReport, an AggregationRun...
"""

from __future__ import annotations

import rules

from kernel.roles import (
    has_area,
    in_own_district,
    in_own_puskesmas,
    is_district_planner,
    is_mentor,
    is_province_reviewer,
    is_puskesmas_member,
    is_system_admin,
)

# Puskesmas heads and staff enter their own puskesmas's monthly data.
can_enter_report = is_puskesmas_member & in_own_puskesmas

# District planners check, return, approve, lock and unlock their district's reports.
can_review_report = is_system_admin | (is_district_planner & in_own_district)

# Whether the role reviews reports at all (the review list; each report still asks the above).
can_review_reports = is_system_admin | (is_district_planner & has_area)

# District planners set, choose and approve their district's targets.
can_manage_targets = can_review_report


@rules.predicate
def _for_any(user, obj=None) -> bool:
    return obj is None


# Monthly imports: puskesmas heads and staff for their own puskesmas, district planners for
# their district's; without a puskesmas, whether the role imports at all (to show the page).
can_import_monthly = (
    (_for_any & (is_district_planner | is_puskesmas_member) & has_area)
    | can_enter_report
    | (is_district_planner & in_own_district)
)

# District planners, provincial reviewers and system administrators read quarterly reports;
# puskesmas get their monthly feedback instead.
can_read_quarterly = is_system_admin | is_district_planner | is_province_reviewer


# Issue #16: quality
# Puskesmas heads and staff fill and submit their own puskesmas's quality reports (as monthly
# reports); the district's planners return, approve and reopen them.
can_enter_quality = is_puskesmas_member & in_own_puskesmas
can_review_quality = is_system_admin | (is_district_planner & in_own_district)
# Whether the role reviews quality reports at all (the review list and roll-up pages).
can_review_quality_reports = is_system_admin | (is_district_planner & has_area)
# Who reads district roll-ups: planners their district's, provinces their districts' approved.
can_read_quality_rollup = is_system_admin | is_district_planner | is_province_reviewer | is_mentor
