"""Who may keep a district's DHIS2 mapping (services check; templates only hide buttons)."""

from __future__ import annotations

from kernel.roles import in_own_district, is_district_planner, is_system_admin

# The district's planners keep their mapping; system administrators help any district.
can_edit_mapping = is_system_admin | (is_district_planner & in_own_district)
