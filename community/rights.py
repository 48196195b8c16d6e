"""Who may change the community layer's records (services check; templates only hide buttons).

Seeing is `kernel.scoping.in_area`'s job through each model's `area_paths`: a puskesmas its own
posyandu, reviews and cadres, a district its puskesmas's, a province its districts' (approved
reviews only: `kernel.roles.reads_approved_only`). `obj` is the record (or its puskesmas,
district or province).
"""

from __future__ import annotations

from kernel.roles import (
    has_area,
    in_own_district,
    in_own_province,
    in_own_puskesmas,
    is_district_planner,
    is_mentor,
    is_province_reviewer,
    is_puskesmas_member,
    is_system_admin,
)

# The yearly reviews (posyandu, desa siaga aktif): the puskesmas fills and submits its own;
# the district's planners return, approve and reopen them.
can_fill_review = is_puskesmas_member & in_own_puskesmas
can_check_review = is_system_admin | (is_district_planner & in_own_district)
can_check_reviews = is_system_admin | (is_district_planner & has_area)  # the district's list

# Cadres: the puskesmas keeps its posyandu's cadres and assesses their skills; the district
# may correct them too (a district officer assessing at a session).
can_keep_cadres = (
    (is_puskesmas_member & in_own_puskesmas)
    | (is_district_planner & in_own_district)
    | is_system_admin
)

# UKBM indicator sets and targets: the province sets them; districts read theirs.
can_set_indicators = is_system_admin | (is_province_reviewer & in_own_province)
can_read_indicators = (
    is_system_admin | is_province_reviewer | is_district_planner | is_puskesmas_member | is_mentor
)
