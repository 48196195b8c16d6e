"""Who someone is and where they work: the role predicates (django-rules) that every app's
rights compose, so no view or service branches on `user.role` (STYLE.md §3, issue #12).

A predicate takes the user and, for the area predicates, an object that says its area through
`area_paths` (kernel.models.AreaOwned): a Puskesmas, a meeting, a plan, a report... Predicates
combine with `&`, `|` and `~`; each app's `rights.py` names what a role may change, and its
`rules.py` registers those names as permissions for templates and `user.has_perm`.
"""

from __future__ import annotations

from typing import Any

import rules

from .models import User

Role = User.Role


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _role(*roles: str):
    def check(user) -> bool:
        return _signed_in(user) and user.role in roles

    return check


@rules.predicate
def is_system_admin(user) -> bool:
    """System administrators (and Django superusers) see and keep the whole country."""
    return _signed_in(user) and user.is_system_admin


is_province_reviewer = rules.predicate(_role(Role.PROVINCE_REVIEWER), name="is_province_reviewer")
is_district_planner = rules.predicate(_role(Role.DISTRICT_PLANNER), name="is_district_planner")
is_puskesmas_head = rules.predicate(_role(Role.PUSKESMAS_HEAD), name="is_puskesmas_head")
is_puskesmas_staff = rules.predicate(_role(Role.PUSKESMAS_STAFF), name="is_puskesmas_staff")
# A planning mentor (issue #18): reads its assigned districts (kernel.scoping), writes only the
# mentoring records (assessments.rights).
is_mentor = rules.predicate(_role(Role.MENTOR), name="is_mentor")
# Heads and staff of a puskesmas: they enter its data and write its plans.
is_puskesmas_member = is_puskesmas_head | is_puskesmas_staff


@rules.predicate
def has_area(user) -> bool:
    """Signed in with the area their role needs (a province, a district or a puskesmas)."""
    return _signed_in(user) and user.area is not None


# --- Where an object is ------------------------------------------------------------------------


def area_id_of(obj: Any, kind: str) -> int | None:
    """The id of the province, district or puskesmas `obj` belongs to, by its `area_paths`
    (None when it has none of that kind): `area_id_of(service_point, "district")`."""
    if obj is None:
        return None
    paths = getattr(obj, "area_paths", {}).get(kind)
    if paths is None:
        return None
    if not isinstance(paths, str):  # several ways into the area: the first that leads there
        for path in paths:
            found = _area_id_by(obj, path)
            if found is not None:
                return found
        return None
    return _area_id_by(obj, paths)


def _area_id_by(obj: Any, path: str) -> int | None:
    if path == "pk":
        return obj.pk
    *steps, last = path.split("__")
    for step in steps:
        obj = getattr(obj, step, None)
        if obj is None:
            return None
    field = obj._meta.get_field(last)
    if not (field.many_to_one or field.one_to_one):
        return None  # a reverse or many relation: not one area
    return getattr(obj, field.attname)


@rules.predicate
def in_own_province(user, obj=None) -> bool:
    return (
        _signed_in(user)
        and user.province_id is not None
        and (area_id_of(obj, "province") == user.province_id)
    )


@rules.predicate
def in_own_district(user, obj=None) -> bool:
    return (
        _signed_in(user)
        and user.district_id is not None
        and (area_id_of(obj, "district") == user.district_id)
    )


@rules.predicate
def in_mentored_district(user, obj=None) -> bool:
    """`obj` lies in one of the districts a planning mentor is assigned to today."""
    return (
        _signed_in(user)
        and bool(getattr(user, "mentored_district_ids", ()))
        and area_id_of(obj, "district") in user.mentored_district_ids
    )


@rules.predicate
def in_own_puskesmas(user, obj=None) -> bool:
    return (
        _signed_in(user)
        and user.puskesmas_id is not None
        and (area_id_of(obj, "puskesmas") == user.puskesmas_id)
    )


# --- What a role reads --------------------------------------------------------------------------

# Everyone but the puskesmas and district staff who enter and check data reads only approved
# data: a province reads what its districts approved, not drafts. A planning mentor reads what
# its districts read, drafts included: it mentors the planning while it is being done.
reads_approved_only = ~is_system_admin & ~is_district_planner & ~is_puskesmas_member & ~is_mentor
