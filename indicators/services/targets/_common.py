"""What the target modules share: sources, limits, rights and the year's lock."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from kernel.models import District, User

from ...models import Target, TargetApproval, VillagePopulation
from ...rights import can_manage_targets

Source = Target.Source
# Sources a puskesmas may propose; Dukcapil figures come through the district, estimates are
# computed from population (never typed).
PUSKESMAS_SOURCES = (Source.REGISTER, Source.PIS_PK, Source.OTHER)
DISTRICT_SOURCES = (Source.DUKCAPIL, Source.REGISTER, Source.PIS_PK, Source.OTHER)
MAX_PEOPLE = 10_000_000  # no desa is larger; catches a pasted phone number or a misplaced column
BATCH_SIZE = 1000

audit = logging.getLogger("simpul.audit")


# --- Rights and the year's lock ------------------------------------------------------------------


def _require_planner(by: User, district: District) -> None:
    if not can_manage_targets(by, district):
        raise PermissionDenied(_("Only the district's planners can change its targets."))


def _lock_open_year(*, district_ids: Iterable[int], year: int, by: User) -> None:
    """Check rights, lock the districts' rows and refuse a year whose targets are approved.

    The row lock serialises choosing, estimating and approving in one district, so a choice
    cannot slip in after an approval (STYLE.md §5).
    """
    districts = list(District.objects.select_for_update().filter(pk__in=set(district_ids)))
    for district in districts:
        _require_planner(by, district)
    approval = (
        TargetApproval.objects.filter(
            district__in=districts, year=year, status=TargetApproval.Status.APPROVED
        )
        .select_related("district")
        .first()
    )
    if approval is not None:
        raise ValidationError(
            _(
                "The %(year)s targets of %(district)s are approved; reopen them before "
                "changing them."
            )
            % {"year": year, "district": approval.district}
        )


def _population_upsert(records: list[VillagePopulation]) -> None:
    VillagePopulation.objects.bulk_create(
        records,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["village", "year", "band"],
        update_fields=["count", "source"],
    )
