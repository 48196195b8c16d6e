"""Writes to the health organisation: puskesmas, service points, partners, Dinkes units."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import HealthOfficeUnit, PartnerOrganisation, Puskesmas, ServicePoint, Village
from ..rights import can_edit_organisation
from ..spreadsheets import build_workbook
from ..versioning import created_before, save_edit


def _check_and_save(obj, *, by, version: int | None, token=None):
    """Check rights and fields, then save as an edit made at `version` (refused with who and
    their values if someone saved since: kernel/versioning.py); a duplicate name is a
    ValidationError even when two identical posts arrive at once (the database's unique
    constraint decides the race)."""
    if obj.pk is None and (earlier := created_before(token=token, by=by, model=type(obj))):
        return earlier  # the same form posted again: answer with what its first post made
    if not can_edit_organisation(by, obj):
        raise PermissionDenied(_("Your role cannot change this."))
    obj.full_clean(exclude=["version", "updated_by", "updated_at"])
    obj._change_reason = ""
    try:
        with transaction.atomic():  # a savepoint: the losing insert rolls back alone
            return save_edit(obj, by=by, version=version, token=token)
    except IntegrityError:
        obj.full_clean()  # now sees the row that won, and says which field clashes
        raise


@transaction.atomic
def puskesmas_save(
    *, puskesmas: Puskesmas, by, version: int | None = None, token=None, villages=None
) -> Puskesmas:
    """Save a puskesmas and, if given, its working area; atomic; only its district or its head.

    A village joins at most one working area: villages given here move to this puskesmas, and
    villages of the puskesmas that are not given leave it.
    """
    created = puskesmas.pk is None
    saved = _check_and_save(puskesmas, by=by, version=version, token=token)
    if created and saved is not puskesmas:
        return saved  # the same form posted again: the first post created it
    if villages is not None:
        villages = list(villages)
        outside = [v for v in villages if v.subdistrict.district_id != puskesmas.district_id]
        if outside:
            raise ValidationError(
                _("%(village)s is not in the puskesmas's district.") % {"village": outside[0]}
            )
        ids = [v.pk for v in villages]
        puskesmas.villages.exclude(pk__in=ids).update(puskesmas=None)
        Village.objects.filter(pk__in=ids).update(puskesmas=puskesmas)
    return puskesmas


def service_point_save(
    *, service_point: ServicePoint, by, version: int | None = None, token=None
) -> ServicePoint:
    """Create (once per form token) or update (at `version`) a service point of a puskesmas
    the user may edit; returns the saved one."""
    return _check_and_save(service_point, by=by, version=version, token=token)


def service_point_delete(*, service_point: ServicePoint, by) -> None:
    """Delete a service point; the history keeps who and when."""
    if not can_edit_organisation(by, service_point):
        raise PermissionDenied(_("Your role cannot change this."))
    service_point.delete()


def partner_save(
    *, partner: PartnerOrganisation, by, version: int | None = None, token=None
) -> PartnerOrganisation:
    """Create (once per form token) or update (at `version`) a partner organisation of the
    user's district; returns the saved one."""
    return _check_and_save(partner, by=by, version=version, token=token)


def unit_save(
    *, unit: HealthOfficeUnit, by, version: int | None = None, token=None
) -> HealthOfficeUnit:
    """Create (once per form token) or update (at `version`) a unit of the user's Dinkes;
    returns the saved one."""
    return _check_and_save(unit, by=by, version=version, token=token)


def unit_delete(*, unit: HealthOfficeUnit, by) -> None:
    """Delete a Dinkes unit that has no units under it."""
    if not can_edit_organisation(by, unit):
        raise PermissionDenied(_("Your role cannot change this."))
    if unit.children.exists():
        raise ValidationError(_("Move or delete the units under %(unit)s first.") % {"unit": unit})
    unit.delete()


# --- Service points from an Excel template -----------------------------------------------------

SERVICE_POINT_SHEET = "Service points"
_SERVICE_POINT_COLUMNS = [
    gettext_lazy("Puskesmas code"),
    gettext_lazy("Kind"),
    gettext_lazy("Name"),
    gettext_lazy("Village code"),
    gettext_lazy("Address"),
    gettext_lazy("Active"),
    # The UKBM registry (issue #17); kernel/importers.py reads a file without them too.
    gettext_lazy("Venue"),
    gettext_lazy("Schedule"),
    gettext_lazy("Runs ILP"),
    gettext_lazy("Pustu name"),
    gettext_lazy("Decree (SK) number"),
    gettext_lazy("Decree date"),
    gettext_lazy("Established in"),
]


def service_point_headers(language: str | None = None) -> list[str]:
    """The template's column headings in `language` (default: the active one)."""
    with translation.override(language or translation.get_language()):
        return [str(header) for header in _SERVICE_POINT_COLUMNS]


def service_point_template(*, puskesmas_list: Iterable[Puskesmas]) -> bytes:
    """An .xlsx template listing each puskesmas's current service points, ready to fill in."""
    rows: list[list[object]] = []
    for puskesmas in puskesmas_list:
        for point in puskesmas.service_points.all():
            rows.append(
                [
                    puskesmas.code,
                    point.get_kind_display(),
                    point.name,
                    point.village.code if point.village else "",
                    point.address,
                    _("Yes") if point.is_active else _("No"),
                    point.venue,
                    point.schedule,
                    _("Yes") if point.runs_ilp else _("No"),
                    point.pustu.name if point.pustu else "",
                    point.decree_number,
                    point.decree_date,
                    point.established_year,
                ]
            )
        if not puskesmas.service_points.all():
            rows.append(
                [puskesmas.code, ServicePoint.Kind.POSYANDU.label, "", "", "", _("Yes")]
                + ["", "", _("No"), "", "", None, None]
            )
    return build_workbook(sheet=SERVICE_POINT_SHEET, headers=service_point_headers(), rows=rows)
