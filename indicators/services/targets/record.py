"""Figures from each source side by side: local counts, and choosing the target of record."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.models import District, User, Village
from kernel.scoping import in_given_area

from ...models import SPMService, Target, TargetApproval
from ...reporting import monthly_services
from ...rights import can_enter_report, can_manage_targets
from ._common import (
    DISTRICT_SOURCES,
    MAX_PEOPLE,
    PUSKESMAS_SOURCES,
    Source,
    _lock_open_year,
)

# --- Local counts and the target of record -------------------------------------------------------


def _district_id(village: Village) -> int:
    if Village.subdistrict.is_cached(village):
        return village.subdistrict.district_id
    district_id = (
        Village.objects.filter(pk=village.pk)
        .values_list("subdistrict__district_id", flat=True)
        .first()
    )
    # A saved desa always has a kecamatan, and a kecamatan its district (both required).
    assert district_id is not None
    return district_id


def proposable_sources(*, user: User, village: Village) -> tuple[str, ...]:
    """The sources `user` may enter figures from for `village`; empty if none (no query when
    the village's subdistrict is loaded)."""
    if can_manage_targets(user, village):
        return DISTRICT_SOURCES
    if village.puskesmas_id and can_enter_report(user, village):
        return PUSKESMAS_SOURCES
    return ()


@transaction.atomic
def target_propose(
    *,
    village: Village,
    year: int,
    service: SPMService,
    source: str,
    value: int,
    note: str = "",
    by: User,
) -> Target:
    """Save a figure from a source other than the estimate, beside the others; atomic.

    Puskesmas heads and staff propose register, PIS-PK or other counts for desa of their own
    working area; district planners enter any of those and Dukcapil figures for their district.
    Saving again from the same source replaces that source's figure. An approved target of
    record cannot be changed until the district reopens the year.
    """
    district_id = _district_id(village)
    allowed = proposable_sources(user=by, village=village)
    if not allowed:
        raise PermissionDenied(_("You can propose targets only for desa of your own area."))
    if source not in allowed:
        raise ValidationError(
            {
                "source": _("Your role cannot enter figures from %(source)s.")
                % {"source": Source(source).label if source in Source.values else source}
            }
        )
    if service.pk not in {s.pk for s in monthly_services(year)}:
        raise ValidationError(
            {"service": _("This service is not reported in %(year)s.") % {"year": year}}
        )
    if value is None or not 0 <= value <= MAX_PEOPLE:
        raise ValidationError({"value": _("Enter a whole number of people.")})
    District.objects.select_for_update().filter(pk=district_id).first()
    target = Target.objects.filter(
        village=village, year=year, service=service, source=source
    ).first()
    if (
        target is not None
        and target.is_of_record
        and TargetApproval.objects.filter(
            district_id=district_id, year=year, status=TargetApproval.Status.APPROVED
        ).exists()
    ):
        raise ValidationError(
            _(
                "This figure is the approved target of record; the district must reopen the "
                "year's targets before it changes."
            )
        )
    target = target or Target(village=village, year=year, service=service, source=source)
    target.value, target.note, target.entered_by = value, note.strip()[:250], by
    target.save()
    return target


@transaction.atomic
def targets_choose(*, targets: Iterable[Target], by: User) -> int:
    """Make each given figure the target of record of its desa, service and year; atomic.

    The figure of record before it is cleared first (one per desa, service and year is allowed),
    then the new one records who chose it and when. Set-based: a few queries for any number of
    figures. Refused in a district whose year is approved. Returns how many changed.
    """
    ids = {target.pk for target in targets}
    rows = list(
        Target.objects.filter(pk__in=ids).values_list(
            "village_id", "year", "service_id", "village__subdistrict__district_id"
        )
    )
    if not rows:
        return 0
    keys = [(village, year, service) for village, year, service, _district in rows]
    if len(set(keys)) != len(keys):
        raise ValidationError(_("Choose one figure per desa and service."))
    for year in {row[1] for row in rows}:
        _lock_open_year(district_ids={row[3] for row in rows if row[1] == year}, year=year, by=by)
    chosen = Target.objects.filter(pk__in=ids)
    Target.objects.filter(is_of_record=True, village_id__in={row[0] for row in rows}).exclude(
        pk__in=ids
    ).filter(
        Exists(
            chosen.filter(
                village=OuterRef("village"), year=OuterRef("year"), service=OuterRef("service")
            )
        )
    ).update(is_of_record=False, chosen_by=None, chosen_at=None)
    return chosen.filter(is_of_record=False).update(
        is_of_record=True, chosen_by=by, chosen_at=timezone.now()
    )


def target_choose(*, target: Target, by: User) -> Target:
    """Make `target` the target of record of its desa, service and year (see `targets_choose`)."""
    targets_choose(targets=[target], by=by)
    target.refresh_from_db()
    return target


@transaction.atomic
def targets_choose_source(*, district: District, year: int, source: str, by: User) -> int:
    """Make `source` the target of record wherever the district has a figure from it; atomic.

    e.g. "use estimates everywhere". Desa and services without a figure from `source` keep
    their choice. Set-based (two updates). Returns how many changed.
    """
    if source not in Source.values:
        raise ValidationError(_("Unknown source %(source)s.") % {"source": source})
    _lock_open_year(district_ids=[district.pk], year=year, by=by)
    in_district = in_given_area(Target.objects.filter(year=year), district)
    in_district.filter(is_of_record=True).exclude(source=source).filter(
        Exists(
            Target.objects.filter(
                village=OuterRef("village"), year=year, service=OuterRef("service"), source=source
            )
        )
    ).update(is_of_record=False, chosen_by=None, chosen_at=None)
    return in_district.filter(source=source, is_of_record=False).update(
        is_of_record=True, chosen_by=by, chosen_at=timezone.now()
    )
