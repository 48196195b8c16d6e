"""Writes to the health organisation: puskesmas, service points, partners, Dinkes units."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import HealthOfficeUnit, PartnerOrganisation, Puskesmas, ServicePoint, Village
from ..scoping import can_edit_organisation, in_area
from ..spreadsheets import CellError, build_workbook, read_sheet


def _check_and_save(obj, *, by) -> None:
    if not can_edit_organisation(by, obj):
        raise PermissionDenied(_("Your role cannot change this."))
    obj.full_clean()
    obj._change_reason = ""
    obj.save()


@transaction.atomic
def puskesmas_save(*, puskesmas: Puskesmas, by, villages=None) -> Puskesmas:
    """Save a puskesmas and, if given, its working area; atomic; only its district or its head.

    A village joins at most one working area: villages given here move to this puskesmas, and
    villages of the puskesmas that are not given leave it.
    """
    _check_and_save(puskesmas, by=by)
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


def service_point_save(*, service_point: ServicePoint, by) -> ServicePoint:
    """Create or update a service point of a puskesmas the user may edit."""
    _check_and_save(service_point, by=by)
    return service_point


def service_point_delete(*, service_point: ServicePoint, by) -> None:
    """Delete a service point; the history keeps who and when."""
    if not can_edit_organisation(by, service_point):
        raise PermissionDenied(_("Your role cannot change this."))
    service_point.delete()


def partner_save(*, partner: PartnerOrganisation, by) -> PartnerOrganisation:
    """Create or update a partner organisation of the user's district."""
    _check_and_save(partner, by=by)
    return partner


def unit_save(*, unit: HealthOfficeUnit, by) -> HealthOfficeUnit:
    """Create or update a unit of the user's Dinkes."""
    _check_and_save(unit, by=by)
    return unit


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
]


def service_point_headers(language: str | None = None) -> list[str]:
    """The template's column headings in `language` (default: the active one)."""
    with translation.override(language or translation.get_language()):
        return [str(header) for header in _SERVICE_POINT_COLUMNS]


def service_point_template(*, puskesmas_list: Iterable[Puskesmas]) -> bytes:
    """An .xlsx template listing each puskesmas's current service points, ready to fill in."""
    rows = []
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
                ]
            )
        if not puskesmas.service_points.all():
            rows.append([puskesmas.code, ServicePoint.Kind.POSYANDU.label, "", "", "", _("Yes")])
    return build_workbook(sheet=SERVICE_POINT_SHEET, headers=service_point_headers(), rows=rows)


def _kind_of(value: str) -> str | None:
    wanted = value.strip().lower()
    for kind in ServicePoint.Kind:
        with translation.override("id"):
            label_id = str(kind.label).lower()
        with translation.override("en"):
            label_en = str(kind.label).lower()
        if wanted in (kind.value, label_id, label_en):
            return kind.value
    return None


_YES = {"", "ya", "yes", "y", "1", "true", "aktif", "active"}
_NO = {"tidak", "no", "n", "0", "false", "tidak aktif", "inactive"}


@transaction.atomic
def service_points_import(*, upload: IO[bytes], by) -> int:
    """Create or update service points from a filled template; all rows or none (atomic).

    Every problem is raised at once as a ValidationError of located messages (sheet, row, column).
    """
    header_sets = [service_point_headers("id"), service_point_headers("en")]
    rows, errors = [], []
    for headers in header_sets:
        upload.seek(0)
        rows, errors = read_sheet(upload, sheet=SERVICE_POINT_SHEET, headers=headers)
        if not any(e.row == 1 and e.column is None for e in errors):
            break
    puskesmas_by_code = {p.code: p for p in in_area(Puskesmas.objects.all(), by)}
    villages = {v.code: v for v in in_area(Village.objects.filter(puskesmas__isnull=False), by)}
    points = []
    for number, values in rows:
        cols = dict(
            zip(
                ("code", "kind", "name", "village", "address", "active"),
                values.values(),
                strict=True,
            )
        )
        located = partial(CellError, SERVICE_POINT_SHEET, number)
        puskesmas = puskesmas_by_code.get(str(cols["code"] or ""))
        if puskesmas is None:
            errors.append(
                located(
                    "A",
                    _("puskesmas code %(code)s is not in your area.")
                    % {"code": cols["code"] or "–"},
                )
            )
        elif not can_edit_organisation(by, ServicePoint(puskesmas=puskesmas)):
            errors.append(
                located("A", _("your role cannot change %(puskesmas)s.") % {"puskesmas": puskesmas})
            )
        kind = _kind_of(str(cols["kind"] or ""))
        if kind is None:
            errors.append(located("B", _("unknown kind %(kind)s.") % {"kind": cols["kind"] or "–"}))
        name = str(cols["name"] or "")
        if not name:
            errors.append(located("C", _("the name is empty.")))
        elif len(name) > 150:
            errors.append(located("C", _("the name is longer than 150 characters.")))
        village = None
        if cols["village"]:
            village = villages.get(str(cols["village"]))
            if village is None or (puskesmas and village.puskesmas_id != puskesmas.pk):
                errors.append(
                    located(
                        "D",
                        _("village %(code)s is not in this puskesmas's working area.")
                        % {"code": cols["village"]},
                    )
                )
        active = str(cols["active"] or "").strip().lower()
        if active not in _YES | _NO:
            errors.append(located("F", _("write Yes or No.")))
        points.append((puskesmas, kind, name, village, str(cols["address"] or ""), active in _YES))
    if not rows and not errors:
        errors.append(CellError(SERVICE_POINT_SHEET, None, None, _("the sheet has no rows.")))
    if errors:
        raise ValidationError([str(error) for error in errors])
    for puskesmas, kind, name, village, address, active in points:
        point = ServicePoint.objects.filter(puskesmas=puskesmas, kind=kind, name=name).first()
        point = point or ServicePoint(puskesmas=puskesmas, kind=kind, name=name)
        point.village, point.address, point.is_active = village, address, active
        service_point_save(service_point=point, by=by)
    return len(points)
