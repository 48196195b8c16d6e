"""SATUSEHAT regions into Simpul's: BPS codes set, names that differ reported (ours are kept:
they are the Kemendagri list), regions missing here created the way the regions import
creates them (kernel.services.regions.regions_import)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..services.regions import LEVELS, RegionRow, regions_import
from .parsing import RegionItem

MAX_DIFFERENCES = 500


def _same_name(ours: str, theirs: str) -> bool:
    return " ".join(ours.split()).casefold() == " ".join(theirs.split()).casefold()


def parents_check(*, items: list[RegionItem], missing: list[RegionItem] | None = None) -> list[str]:
    """Located messages for regions whose parent is neither in the file nor in the database."""
    if missing is None:
        found = {
            code
            for index, level in enumerate(LEVELS)
            for code in level.model._default_manager.filter(
                code__in=[i.code for i in items if i.level == index]
            ).values_list("code", flat=True)
        }
        missing = [item for item in items if item.code not in found]
    in_file = {item.code for item in items}
    parents = {item.code.rsplit(".", 1)[0] for item in missing if item.level}
    parents -= in_file
    known = set()
    for index, level in enumerate(LEVELS[:-1]):
        wanted = [code for code in parents if code.count(".") == index]
        if wanted:
            known |= set(
                level.model._default_manager.filter(code__in=wanted).values_list("code", flat=True)
            )
    return [
        _(
            "%(where)s.code: the parent “%(parent)s” of “%(code)s” is neither in this file "
            "nor in the database."
        )
        % {"where": item.where, "parent": item.code.rsplit(".", 1)[0], "code": item.code}
        for item in missing
        if item.level and item.code.rsplit(".", 1)[0] not in in_file | known
    ]


@transaction.atomic
def satusehat_regions_import(
    *, items: list[RegionItem], progress: Callable[[int, int], None] | None = None
) -> dict:
    """Write the file's regions in one transaction; idempotent. Refuses (ValidationError,
    located) a region whose parent is neither in the file nor in the database."""
    total = len(items)
    existing = [
        {
            code: (pk, name, bps)
            for pk, code, name, bps in level.model._default_manager.order_by()
            .filter(code__in=[i.code for i in items if i.level == index])
            .values_list("pk", "code", "name", "bps_code")
        }
        for index, level in enumerate(LEVELS)
    ]
    missing = [item for item in items if item.code not in existing[item.level]]
    errors = parents_check(items=items, missing=missing)
    if errors:
        raise ValidationError(errors[:200])
    # Missing regions first (parents before children, as regions_import does), then BPS codes.
    created = (
        regions_import(
            rows=[RegionRow(line=n, code=i.code, name=i.name) for n, i in enumerate(missing, 1)]
        )
        if missing
        else {}
    )
    differences: list[dict] = []
    counts = {"created": len(missing), "bps_set": 0, "unchanged": 0, "names_differ": 0}
    for index, level in enumerate(LEVELS):
        ours = {
            code: (pk, name, bps)
            for pk, code, name, bps in level.model._default_manager.order_by()
            .filter(code__in=[i.code for i in items if i.level == index])
            .values_list("pk", "code", "name", "bps_code")
        }
        changed = []
        for item in items:
            if item.level != index:
                continue
            pk, name, bps = ours[item.code]
            if not _same_name(name, item.name) and item.code in existing[index]:
                counts["names_differ"] += 1
                if len(differences) < MAX_DIFFERENCES:
                    differences.append({"code": item.code, "ours": name, "theirs": item.name})
            if item.bps_code and item.bps_code != bps:
                changed.append(level.model(pk=pk, bps_code=item.bps_code))
            elif item.code in existing[index]:
                counts["unchanged"] += 1
        level.model._default_manager.bulk_update(changed, ["bps_code"], batch_size=2000)
        counts["bps_set"] += len(changed)
        if progress:
            progress(sum(1 for i in items if i.level <= index), total)
    return {"counts": counts, "differences": differences, "levels": created}
