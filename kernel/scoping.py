"""Area scoping: the one place that decides what a user may see and change (STYLE.md §3).

Everyone sees only their own area: a puskesmas its own data, a district its puskesmas, a
province its districts. Views never start from `Model.objects`; they call `in_area` or
`get_in_area_or_404`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .models import (
    District,
    Province,
    Puskesmas,
    User,
)
from .models.areas import AreaOwned
from .roles import is_mentor, is_system_admin

M = TypeVar("M", bound=Model)
# Any queryset, kept as its own class so custom methods (`MonthlyReportQuerySet.approved`) survive.
QS = TypeVar("QS", bound=QuerySet[Any, Any])
Area = Province | District | Puskesmas


def user_area(user: User | AnonymousUser) -> Area | None:
    """The province, district or puskesmas `user` works in; None without an area."""
    if not getattr(user, "is_authenticated", False):
        return None
    assert isinstance(user, User)  # only a User is authenticated
    return user.area


# System administrators see the whole country.
is_national = is_system_admin


def in_area(queryset: QS, user: User | AnonymousUser) -> QS:
    """Rows of `queryset` inside `user`'s area (puskesmas, district, province); none if no area."""
    if is_national(user):
        return queryset
    if is_mentor(user):  # a planning mentor: the districts assigned to them today (issue #18)
        assert isinstance(user, User)
        return in_districts(queryset, user.mentored_district_ids)
    area = user_area(user)
    if area is None:
        return queryset.none()
    return in_given_area(queryset, area)


def in_districts(queryset: QS, district_ids: tuple[int, ...] | list[int]) -> QS:
    """Rows of `queryset` inside any of the districts `district_ids` (a mentor's districts)."""
    model: type[AreaOwned] = queryset.model
    paths = model.area_paths.get("district")
    if paths is None or not district_ids:
        return queryset.none()
    lookups = (paths,) if isinstance(paths, str) else tuple(paths)
    reach = Q()
    for lookup in lookups:
        reach |= Q(**{f"{lookup}__in": list(district_ids)})
    queryset = queryset.filter(reach)
    if any("__" in lookup and _crosses_many(queryset.model, lookup) for lookup in lookups):
        queryset = queryset.distinct()
    return queryset


def in_given_area(queryset: QS, area: Area) -> QS:
    """Rows of `queryset` inside `area`: for tasks and commands, which have no request user."""
    # Only AreaOwned models are scoped; django-stubs cannot say "a Model that is also AreaOwned".
    model: type[AreaOwned] = queryset.model
    lookups = model.area_lookups(area)
    if not lookups:
        return queryset.none()
    if len(lookups) == 1:
        queryset = queryset.filter(**{lookups[0]: area.pk})
    else:  # several ways into the area (a user: its own district, or its puskesmas's)
        reach = Q()
        for lookup in lookups:
            reach |= Q(**{lookup: area.pk})
        queryset = queryset.filter(reach)
    if any("__" in lookup and _crosses_many(queryset.model, lookup) for lookup in lookups):
        queryset = queryset.distinct()
    return queryset


def _crosses_many(model: type[Model], lookup: str) -> bool:
    """True when the lookup walks a reverse or many relation, so rows could repeat."""
    opts = model._meta
    for part in lookup.split("__"):
        field = opts.get_field(part)
        if field.one_to_many or field.many_to_many:
            return True
        if not field.is_relation:
            return False
        related = field.related_model
        assert related is not None and related != "self"  # is_relation: resolved by now
        opts = related._meta
    return False


def get_in_area_or_404(
    model_or_queryset: type[M] | QuerySet[M], user: User | AnonymousUser, **lookup: Any
) -> M:
    """One object inside the user's area, or 404: another area's object does not 'exist'."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, QuerySet)
        else model_or_queryset._default_manager.all()
    )
    try:
        return in_area(queryset, user).get(**lookup)
    except (ObjectDoesNotExist, ValueError) as error:  # the model's DoesNotExist is one of these
        raise Http404 from error
