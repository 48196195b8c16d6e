"""Who may change the organisation (services check; templates only hide buttons): predicates
composed from kernel.roles. What a user may *see* is kernel.scoping's `in_area`.

- District planners keep their district's organisation: puskesmas, service points, partner
  organisations, Dinkes units.
- Puskesmas heads keep their own puskesmas's record and its service points.
- System administrators keep everything.
"""

from __future__ import annotations

import rules

from .models import User
from .roles import (
    area_id_of,
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


# --- Accounts (issue #14) ------------------------------------------------------------------------
# Who gives accounts to whom: a role gives only roles at or below its own, inside its own area.
# A system administrator keeps everyone; a provincial reviewer its province's reviewers, the
# planners of its districts and the heads and staff of its puskesmas; a district planner its
# district's planners and its puskesmas's heads and staff; a puskesmas head its own staff.

_ROLE = User.Role
ROLE_RANK = {
    _ROLE.SYSTEM_ADMIN: 5,
    _ROLE.PROVINCE_REVIEWER: 4,
    _ROLE.DISTRICT_PLANNER: 3,
    _ROLE.PUSKESMAS_HEAD: 2,
    _ROLE.PUSKESMAS_STAFF: 1,
}
ROLES_GIVEN = {
    _ROLE.SYSTEM_ADMIN: tuple(_ROLE.values),
    _ROLE.PROVINCE_REVIEWER: (
        _ROLE.PROVINCE_REVIEWER,
        _ROLE.DISTRICT_PLANNER,
        _ROLE.PUSKESMAS_HEAD,
        _ROLE.PUSKESMAS_STAFF,
    ),
    _ROLE.DISTRICT_PLANNER: (
        _ROLE.DISTRICT_PLANNER,
        _ROLE.PUSKESMAS_HEAD,
        _ROLE.PUSKESMAS_STAFF,
    ),
    _ROLE.PUSKESMAS_HEAD: (_ROLE.PUSKESMAS_STAFF,),
    _ROLE.PUSKESMAS_STAFF: (),
}


def roles_given_by(user) -> tuple[str, ...]:
    """The roles `user` may give (and whose accounts they may keep), highest first."""
    if not getattr(user, "is_authenticated", False):
        return ()
    if user.is_system_admin:
        return ROLES_GIVEN[_ROLE.SYSTEM_ADMIN]
    if user.area is None:
        return ()
    return ROLES_GIVEN.get(user.role, ())


@rules.predicate
def can_manage_accounts(user) -> bool:
    """Whether `user` keeps anyone's account (the Users page, its buttons)."""
    return bool(roles_given_by(user))


@rules.predicate
def can_manage_account(user, account=None) -> bool:
    """Whether `user` may change `account` (saved or about to be): its role is one `user`
    gives, and its area is inside `user`'s. Checked on the account before and after a change."""
    if account is None or not can_manage_accounts(user):
        return False
    if user.is_system_admin:
        return True
    if account.role not in roles_given_by(user) or account.is_superuser:
        return False
    kind = user.area.area_kind
    return area_id_of(account, kind) == user.area.pk
