"""Area scoping: the one place that decides what a user may see and change (STYLE.md §3).

Everyone sees only their own area: a puskesmas its own data, a district its puskesmas, a
province its districts. Views never start from `Model.objects`; they call `in_area` or
`get_in_area_or_404`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from .models import (
    District,
    HealthOffice,
    HealthOfficeUnit,
    MonthlyReport,
    MonthlyValue,
    PartnerOrganisation,
    Province,
    Puskesmas,
    ServicePoint,
    User,
)
from .models.areas import AreaOwned
from .models.reports import MonthlyReportQuerySet

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


def is_national(user: User | AnonymousUser) -> bool:
    """System administrators see the whole country."""
    return bool(
        getattr(user, "is_authenticated", False) and isinstance(user, User) and user.is_system_admin
    )


def in_area(queryset: QS, user: User | AnonymousUser) -> QS:
    """Rows of `queryset` inside `user`'s area (puskesmas, district, province); none if no area."""
    if is_national(user):
        return queryset
    area = user_area(user)
    if area is None:
        return queryset.none()
    return in_given_area(queryset, area)


def in_given_area(queryset: QS, area: Area) -> QS:
    """Rows of `queryset` inside `area`: for tasks and commands, which have no request user."""
    # Only AreaOwned models are scoped; django-stubs cannot say "a Model that is also AreaOwned".
    model: type[AreaOwned] = queryset.model
    lookup = model.area_lookup(area)
    if lookup is None:
        return queryset.none()
    queryset = queryset.filter(**{lookup: area.pk})
    if "__" in lookup and _crosses_many(queryset.model, lookup):
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


# --- What a role may read of the monthly data ----------------------------------------------------


def reads_approved_only(user: User | AnonymousUser) -> bool:
    """Whether `user` reads only approved data: everyone but the puskesmas and district staff
    who enter and check it (a province reads what its districts approved, not drafts)."""
    if is_national(user):
        return False
    return getattr(user, "role", None) not in (
        User.Role.DISTRICT_PLANNER,
        User.Role.PUSKESMAS_HEAD,
        User.Role.PUSKESMAS_STAFF,
    )


def readable_reports(
    *, user: User | AnonymousUser, queryset: MonthlyReportQuerySet | None = None
) -> MonthlyReportQuerySet:
    """The monthly reports `user` may read (scoped): their area's, and for a provincial reviewer
    only approved or locked ones. Every page, export and document showing reports starts here."""
    reports = in_area(MonthlyReport.objects.all() if queryset is None else queryset, user)
    return reports.approved() if reads_approved_only(user) else reports


def readable_values(
    *, user: User | AnonymousUser, queryset: QuerySet[MonthlyValue] | None = None
) -> QuerySet[MonthlyValue]:
    """The monthly values `user` may read (scoped): those of the reports `readable_reports`
    gives, filtered in the same query. Every page, export and document showing values starts
    here."""
    values = in_area(MonthlyValue.objects.all() if queryset is None else queryset, user)
    if reads_approved_only(user):
        values = values.filter(report__status__in=MonthlyReport.APPROVED_STATUSES)
    return values


# --- What a role may change (checked by services; templates only hide buttons) -------------------

Role = User.Role


def _district_of(obj) -> District | None:
    if isinstance(obj, District):
        return obj
    if isinstance(obj, Puskesmas | PartnerOrganisation | HealthOffice):
        return obj.district
    if isinstance(obj, ServicePoint):
        return obj.puskesmas.district
    if isinstance(obj, HealthOfficeUnit):
        return obj.office.district
    return None


def can_edit_organisation(user, obj) -> bool:
    """District planners keep their district's organisation; puskesmas heads their own puskesmas.

    `obj` is a Puskesmas, ServicePoint, PartnerOrganisation, HealthOffice or HealthOfficeUnit
    (saved or about to be created).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_system_admin:
        return True
    if user.role == Role.DISTRICT_PLANNER:
        district = _district_of(obj)
        return district is not None and district.pk == user.district_id
    if user.role == Role.PUSKESMAS_HEAD:
        if isinstance(obj, Puskesmas):
            return obj.pk == user.puskesmas_id
        if isinstance(obj, ServicePoint):
            return obj.puskesmas_id == user.puskesmas_id
    return False


def can_create(user, model: type[Model]) -> bool:
    """Whether `user`'s role may add rows of `model` somewhere in their area (to show buttons)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_system_admin or user.role == Role.DISTRICT_PLANNER:
        return model in (Puskesmas, ServicePoint, PartnerOrganisation, HealthOfficeUnit)
    if user.role == Role.PUSKESMAS_HEAD:
        return model is ServicePoint
    return False


def can_enter_report(user, puskesmas_id: int) -> bool:
    """Puskesmas heads and staff enter their own puskesmas's monthly data."""
    return (
        getattr(user, "is_authenticated", False)
        and user.role in (Role.PUSKESMAS_HEAD, Role.PUSKESMAS_STAFF)
        and user.puskesmas_id == puskesmas_id
    )


def can_review_report(user, district_id: int) -> bool:
    """District planners check, return, approve, lock and unlock their district's reports."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_system_admin:
        return True
    return user.role == Role.DISTRICT_PLANNER and user.district_id == district_id


def can_manage_targets(user, district_id: int) -> bool:
    """District planners set, choose and approve their district's targets."""
    return can_review_report(user, district_id)


def can_import_monthly(user, puskesmas: Puskesmas | None = None) -> bool:
    """Whether `user` may import monthly data for `puskesmas` (or, without one, for any).

    Puskesmas heads and staff for their own puskesmas; district planners for their district's.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if puskesmas is None:
        return (user.role == Role.DISTRICT_PLANNER and bool(user.district_id)) or (
            user.role in (Role.PUSKESMAS_HEAD, Role.PUSKESMAS_STAFF) and bool(user.puskesmas_id)
        )
    if can_enter_report(user, puskesmas.pk):
        return True
    return user.role == Role.DISTRICT_PLANNER and user.district_id == puskesmas.district_id
