"""Who may change the SPM cycle's records (services check; templates only hide buttons).

Seeing is `kernel.scoping.in_area`'s job through each model's `area_paths`: a district its own
worksheets, roles and data requests, a province its districts' (read only), a puskesmas its
district's (read only). Changing: the district's planners (and system administrators) for their
own district.
"""

from __future__ import annotations

from kernel.roles import (
    in_own_district,
    is_district_planner,
    is_province_reviewer,
    is_system_admin,
)

# `obj` is the district, or any object with a `district` (worksheet, role, data request).
can_edit_cycle = is_system_admin | (is_district_planner & in_own_district)

# Issue #16: package
# Who reads a district's e-SPM package: its planners, its province's reviewers and system
# administrators (scoping says which district); a puskesmas reads its own figures instead.
can_read_package = is_system_admin | is_district_planner | is_province_reviewer
