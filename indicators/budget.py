"""The budget beside the SPM figures (issue #16, the e-SPM report's part C), without this app
knowing where budgets live: planning registers the provider (planning/budget.py, in its
AppConfig.ready); indicators' dashboards and quarterly report read through these functions.

Allocated: what the approved plans of the year budget for the service (its budget sub-activity
code); realised: the costs realised against the implementation plan's scheduled activities
through a month. Both in whole rupiah; a service with neither is absent from the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Budget:
    allocated_idr: Decimal
    realised_idr: Decimal

    @property
    def difference_idr(self) -> Decimal:
        """Allocated minus realised (negative: overspent)."""
        return self.allocated_idr - self.realised_idr

    @property
    def percent(self) -> Decimal | None:
        """Realised against allocated; None without an allocation."""
        if not self.allocated_idr:
            return None
        return (HUNDRED * self.realised_idr / self.allocated_idr).quantize(CENT)


# The provider's two reads (set by budget_register). Each is scoped by `user` with in_area.
# by_service(*, user, year, through_month, district=None, puskesmas=None) -> {service_id: Budget}
#   the district: its Dinkes plan and its puskesmas's RUKs; a puskesmas: its own RUK.
# by_district(*, user, year, through_month, district_ids) -> {district_id: Budget}
#   all services together, per district.
_providers: dict[str, Callable[..., dict[int, Budget]]] = {}


def budget_register(
    *,
    by_service: Callable[..., dict[int, Budget]],
    by_district: Callable[..., dict[int, Budget]],
) -> None:
    _providers["by_service"] = by_service
    _providers["by_district"] = by_district


def budget_by_service(
    *, user: Any, year: int, through_month: int, district: Any = None, puskesmas: Any = None
) -> dict[int, Budget]:
    """Per SPM service id, the budget of `district` (or `puskesmas`) for `year`, realised through
    `through_month` (a fixed number of queries); {} when no provider is installed."""
    provider = _providers.get("by_service")
    if provider is None:
        return {}
    return provider(
        user=user, year=year, through_month=through_month, district=district, puskesmas=puskesmas
    )


def budget_by_district(
    *, user: Any, year: int, through_month: int, district_ids: list[int]
) -> dict[int, Budget]:
    """Per district id, its SPM budget for `year` (all services), realised through
    `through_month` (a fixed number of queries); {} when no provider is installed."""
    provider = _providers.get("by_district")
    if provider is None:
        return {}
    return provider(user=user, year=year, through_month=through_month, district_ids=district_ids)
