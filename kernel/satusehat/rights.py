"""Who keeps a district's SATUSEHAT data: its district planners and system administrators.
Proposals are unapplied data, like an import job's: a province never sees them (it reads
approved data only), nor does a puskesmas."""

from __future__ import annotations

from ..roles import in_own_district, is_district_planner, is_system_admin

# `obj`: a District, a FacilityProposal or a SatusehatConnection.
can_keep_satusehat = is_system_admin | (is_district_planner & in_own_district)
can_see_satusehat = is_system_admin | is_district_planner
