"""Reads of the UKBM indicators (issue #17 must-have 4): a year's board at the user's level
(the province compares its districts, a district sees its targets against its value and its
puskesmas, a puskesmas its own values), the sets a user may open, and the set's target grid.
Every queryset goes through kernel.scoping; a fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from kernel.models import District, Province, Puskesmas, User
from kernel.roles import is_district_planner, is_mentor, is_system_admin
from kernel.scoping import in_area
from workshops.models import Meeting

from ..models import IndicatorResult, IndicatorSet, IndicatorTarget, UkbmIndicator

Level = IndicatorResult.Level


@dataclass
class Cell:
    """One indicator for one area: the target (districts only) and the computed result."""

    indicator: UkbmIndicator
    target: Decimal | None = None
    result: IndicatorResult | None = None

    @property
    def value(self) -> Decimal | None:
        return self.result.value if self.result else None

    @property
    def met(self) -> bool | None:
        """Whether the value reaches the target (None when either is missing)."""
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target


@dataclass
class Row:
    """An area (province, district or puskesmas) and its cells, in the indicators' order."""

    name: str
    level: str
    cells: list[Cell]
    pk: int | None = None


@dataclass
class Board:
    """A year's UKBM indicators as the user's level sees them."""

    year: int
    level: str  # "province", "district", "puskesmas" or "" (no area)
    province: Province | None
    indicator_set: IndicatorSet | None
    indicators: list[UkbmIndicator]
    head: Row | None = None  # the user's own area
    rows: list[Row] = field(default_factory=list)  # the areas below it
    computed_at: object = None

    @property
    def all_rows(self) -> list[Row]:
        return ([self.head] if self.head else []) + self.rows


def user_province(user: User, province_id: int | None = None) -> Province | None:
    """The province whose indicators the user reads: its own (or its district's or its
    puskesmas's); a system administrator chooses (`province_id`, else the first)."""
    provinces = in_area(Province.objects.all(), user)
    if is_system_admin(user):
        if province_id is not None:
            chosen = provinces.filter(pk=province_id).first()
            if chosen is not None:
                return chosen
        return provinces.order_by("code").first()
    if user.province is not None:
        return user.province
    if user.district is not None:
        return user.district.province
    if user.puskesmas is not None:
        return user.puskesmas.district.province
    if is_mentor(user):  # a planning mentor: the province of its districts
        return in_area(Province.objects.all(), user).order_by("code").first()
    return None


def readable_sets(*, user: User):
    """The indicator sets the user may open: the province's own, and for a district the sets
    of its province that give it targets (a set that sets it nothing is not its)."""
    sets = in_area(IndicatorSet.objects.all(), user)
    if is_district_planner(user) and user.district_id:
        sets = sets.filter(targets__district_id=user.district_id).distinct()
    return sets


def _level(user: User) -> str:
    if user.puskesmas_id:
        return Level.PUSKESMAS
    if user.district_id:
        return Level.DISTRICT
    if user.province_id or is_system_admin(user) or is_mentor(user):
        return Level.PROVINCE  # a mentor: its districts' rows (in_area) under their province
    return ""


def indicator_board(*, user: User, year: int, province_id: int | None = None) -> Board:
    """The year's indicators at the user's level: the province's set (or, without one, every
    indicator), each area's target and computed value. Five queries or so, whatever the
    number of areas."""
    province = user_province(user, province_id)
    level = _level(user) if province else ""
    board = Board(year=year, level=level, province=province, indicator_set=None, indicators=[])
    if province is None:
        return board
    scoped_targets = in_area(
        IndicatorTarget.objects.filter(indicator_set__province=province, indicator_set__year=year),
        user,
    )
    sets = in_area(IndicatorSet.objects.filter(province=province, year=year), user)
    if level == Level.PUSKESMAS:
        # A puskesmas reads the set through its district's targets.
        sets = IndicatorSet.objects.filter(pk__in=scoped_targets.values("indicator_set_id"))
    board.indicator_set = (
        sets.select_related("agreed_at", "updated_by")
        .prefetch_related(Prefetch("indicators", queryset=UkbmIndicator.objects.order_by("order")))
        .first()
    )
    if board.indicator_set is not None:
        board.indicators = list(board.indicator_set.indicators.all())
    else:
        board.indicators = list(UkbmIndicator.objects.order_by("order", "code"))
    chosen = {indicator.pk for indicator in board.indicators}
    targets = {
        (t.district_id, t.indicator_id): t.target
        for t in scoped_targets.only("district_id", "indicator_id", "target")
    }
    results = list(
        in_area(
            IndicatorResult.objects.filter(province=province, year=year, indicator_id__in=chosen),
            user,
        ).order_by()
    )
    board.computed_at = max((r.computed_at for r in results), default=None)
    by_area: dict[tuple[str, int | None], dict[int, IndicatorResult]] = {}
    for result in results:
        ids: dict[str, int | None] = {
            Level.PROVINCE.value: result.province_id,
            Level.DISTRICT.value: result.district_id,
            Level.PUSKESMAS.value: result.puskesmas_id,
        }
        area_id = ids[result.level]
        by_area.setdefault((result.level, area_id), {})[result.indicator_id] = result

    def row(name: str, row_level: str, pk: int, district_id: int | None = None) -> Row:
        found = by_area.get((row_level, pk), {})
        cells = [
            Cell(
                indicator,
                targets.get((district_id, indicator.pk)) if district_id else None,
                found.get(indicator.pk),
            )
            for indicator in board.indicators
        ]
        return Row(name, row_level, cells, pk)

    if level == Level.PROVINCE:
        board.head = row(province.name, Level.PROVINCE, province.pk)
        districts = in_area(District.objects.filter(province=province), user).order_by("code")
        board.rows = [row(d.name, Level.DISTRICT, d.pk, d.pk) for d in districts]
    elif level == Level.DISTRICT and user.district is not None:
        district = user.district
        board.head = row(district.name, Level.DISTRICT, district.pk, district.pk)
        below = in_area(Puskesmas.objects.filter(district=district), user).order_by("name")
        board.rows = [row(p.name, Level.PUSKESMAS, p.pk) for p in below]
    elif level == Level.PUSKESMAS and user.puskesmas is not None:
        own = user.puskesmas
        board.head = row(own.name, Level.PUSKESMAS, own.pk)
        # Its district's targets beside its own values.
        for cell in board.head.cells:
            cell.target = targets.get((own.district_id, cell.indicator.pk))
    return board


# --- The set's page ------------------------------------------------------------------------------


def agreement_meetings(*, user: User, province: Province | None):
    """The provincial meetings the user can see where a set may have been agreed."""
    meetings = in_area(Meeting.objects.all(), user).filter(
        district__isnull=True, puskesmas__isnull=True
    )
    if province is not None:
        meetings = meetings.filter(province=province)
    return meetings.order_by("-held_on")


def set_districts(*, indicator_set: IndicatorSet, user: User) -> list[District]:
    """The districts of the set's grid the user sees: every district of the province for the
    province, its own for a district."""
    return list(
        in_area(District.objects.filter(province_id=indicator_set.province_id), user).order_by(
            "code"
        )
    )


def set_targets(*, indicator_set: IndicatorSet, user: User) -> dict[tuple[int, int], Decimal]:
    """(indicator id, district id) -> target, of the districts the user sees."""
    return {
        (t.indicator_id, t.district_id): t.target
        for t in in_area(IndicatorTarget.objects.filter(indicator_set=indicator_set), user)
    }
