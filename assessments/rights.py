"""Who may change the assessments' records (services check; templates only hide buttons).

Seeing is `kernel.scoping.in_area`'s job through each model's `area_paths`: a puskesmas its own
PKP and supervision visits, a district its puskesmas's and its own mentoring records, a
province its districts' (approved PKP only: `kernel.roles.reads_approved_only`), a planning
mentor the districts assigned to them today (everything, read-only). `obj` is the record (or
its puskesmas, district or province).
"""

from __future__ import annotations

from kernel.roles import (
    has_area,
    in_mentored_district,
    in_own_district,
    in_own_province,
    in_own_puskesmas,
    is_district_planner,
    is_mentor,
    is_province_reviewer,
    is_puskesmas_head,
    is_puskesmas_member,
    is_system_admin,
)

# Instruments (editions, sections, items, levels, bands): the country's, kept by system
# administrators in the admin and through the Excel import.
can_keep_instruments = is_system_admin

# PKP: the puskesmas fills its own (head and staff), its head submits; the district's planners
# verify item by item, give feedback, rank, return, approve and reopen.
can_fill_pkp = is_puskesmas_member & in_own_puskesmas
can_submit_pkp = is_puskesmas_head & in_own_puskesmas
can_verify_pkp = is_system_admin | (is_district_planner & in_own_district)
can_verify_pkps = is_system_admin | (is_district_planner & has_area)  # the district's list

# Mentoring: a mentor keeps the records of its assigned districts; the district's planners
# update the status of the RTL items agreed with them (like meeting items) and read the rest.
can_keep_mentoring = is_system_admin | (is_mentor & in_mentored_district)
can_update_mentoring_item = can_keep_mentoring | (is_district_planner & in_own_district)
# Who assigns mentors to districts: the province for its districts, system administrators all.
can_assign_mentors = is_system_admin | (is_province_reviewer & in_own_province)

# Supervision of health units: the district plans and records its visits; the puskesmas
# updates the status of the RTL items of a visit to it.
can_keep_supervision = is_system_admin | (is_district_planner & in_own_district)
can_update_supervision_action = can_keep_supervision | (is_puskesmas_head & in_own_puskesmas)
