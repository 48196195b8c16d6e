"""Who may change the organisation (services check; templates only hide buttons): predicates
composed from kernel.roles. What a user may *see* is kernel.scoping's `in_area`.

- District planners keep their district's organisation: puskesmas, service points, partner
  organisations, Dinkes units.
- Puskesmas heads keep their own puskesmas's record and its service points.
- System administrators keep everything.
"""

from __future__ import annotations

from .roles import (
    in_own_district,
    in_own_puskesmas,
    is_district_planner,
    is_puskesmas_head,
    is_system_admin,
)

# `obj`: a Puskesmas, ServicePoint, PartnerOrganisation, HealthOffice or HealthOfficeUnit, saved
# or about to be created. A partner or a Dinkes unit belongs to no one puskesmas.
can_edit_organisation = (
    is_system_admin
    | (is_district_planner & in_own_district)
    | (is_puskesmas_head & in_own_puskesmas)
)

# Whether the role may add rows somewhere in its area (to show buttons; the row's own area is
# checked by `can_edit_organisation` when it is saved).
can_add_organisation = is_system_admin | is_district_planner  # puskesmas, partners, Dinkes units
can_add_service_point = can_add_organisation | is_puskesmas_head
