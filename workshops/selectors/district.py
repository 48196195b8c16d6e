"""District views of what meetings produce: the follow-up board (RTL items and commitments),
commitments by partner organisation, and Musrenbang proposals by kecamatan (issue #6, item 4).

Every read starts from `in_area`; numbers come from aggregate queries, so the query count of each
page stays flat however many items the area holds.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kernel.models import User
from kernel.scoping import in_area

from ..models import Commitment, FollowUp, Meeting, MusrenbangProposal, Tracked

RTL = "rtl"
COMMITMENT = "commitment"
NO_PARTNER = "none"
STATUSES = [value for value, _label in Tracked.Status.choices]
# Overdue items per open status: with the other counts, they give the board's count under any
# status and overdue filter, so its paginator needs no COUNT of its own.
OVERDUE_BY_STATUS = {f"overdue_{status.value}": status for status in Tracked.OPEN_STATUSES}

# The two kinds of item the board and the partner tables read, and the rows they read as dicts.
ItemModel = type[FollowUp] | type[Commitment]
Items = QuerySet[FollowUp] | QuerySet[Commitment]
Row = dict[str, Any]


@dataclass(frozen=True)
class BoardFilters:
    """What the follow-up board shows; empty values mean "all"."""

    item_type: str = ""  # RTL or COMMITMENT
    status: str = ""
    overdue: bool = False
    partner: str = ""  # a partner id, or NO_PARTNER
    kind: str = ""  # a Meeting.Kind
    puskesmas_id: int | None = None
    year: int | None = None


def _plain(rows: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Rows of a `values()` query as plain dicts: their counts are named at run time
    (`annotate(**counts)`), which the rows django-stubs infers cannot list."""
    return [dict(row) for row in rows]


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _overdue_q(today: datetime.date) -> Q:
    return Q(status__in=Tracked.OPEN_STATUSES, due_on__lt=today)


def _scoped(
    model: ItemModel, *, user: User, filters: BoardFilters, with_status: bool, today: datetime.date
) -> Items:
    """Items of one model in `user`'s area, filtered (status and overdue only `with_status`)."""
    items: Items = in_area(model.objects.all(), user)
    if filters.partner == NO_PARTNER:
        items = items.filter(partner__isnull=True)
    elif filters.partner:
        items = items.filter(partner_id=int(filters.partner))
    if filters.kind:
        items = items.filter(meeting__kind=filters.kind)
    if filters.puskesmas_id:
        items = items.filter(meeting__puskesmas_id=filters.puskesmas_id)
    if filters.year:
        items = items.filter(meeting__held_on__year=filters.year)
    if with_status and filters.status:
        items = items.filter(status=filters.status)
    if with_status and filters.overdue:
        items = items.filter(_overdue_q(today))
    return items


def _models(filters: BoardFilters) -> list[tuple[str, ItemModel]]:
    kinds: list[tuple[str, ItemModel]] = [(RTL, FollowUp), (COMMITMENT, Commitment)]
    return [(key, model) for key, model in kinds if filters.item_type in ("", key)]


# The board's columns, the same for both kinds of item so the two can be read as one table.
BOARD_COLUMNS = (
    "pk",
    "due_on",
    "status",
    "item_type",
    "item_text",
    "item_who",
    "partner_label",
    "service_point_name",
    "meeting_pk",
    "meeting_title",
    "meeting_kind",
    "meeting_held_on",
    "puskesmas_name",
    "district_name",
    "is_late",
)
# Due date first; the kind of item and the id make the order total, so pages never overlap.
BOARD_ORDER = ("due_on", "item_type", "pk")


def _board_values(items: Items, *, key: str, today: datetime.date) -> QuerySet[Any, Row]:
    text, who = ("activity", "responsible") if key == RTL else ("description", "party")
    return items.annotate(
        item_type=Value(key, output_field=CharField()),
        item_text=F(text),
        item_who=F(who),
        partner_label=Coalesce(
            "partner__short_name", "partner__name", Value(""), output_field=CharField()
        ),
        # The posyandu or other UKBM an RTL item names (issue #17); commitments name none.
        service_point_name=(
            Coalesce("service_point__name", Value(""), output_field=CharField())
            if key == RTL
            else Value("", output_field=CharField())
        ),
        meeting_pk=F("meeting_id"),
        meeting_title=F("meeting__title"),
        meeting_kind=F("meeting__kind"),
        meeting_held_on=F("meeting__held_on"),
        puskesmas_name=Coalesce("meeting__puskesmas__name", Value(""), output_field=CharField()),
        district_name=Coalesce("meeting__district__name", Value(""), output_field=CharField()),
        is_late=Case(
            When(_overdue_q(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    ).values(*BOARD_COLUMNS)


def _union(parts: list[QuerySet[Any, Row]]) -> QuerySet[Any, Row]:
    # Each part unordered: only the order of the whole counts.
    parts = [part.order_by() for part in parts]
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def _board_total(counts: dict[str, int], filters: BoardFilters) -> int:
    """How many items the board lists, read from `followup_counts` under the same filters."""
    if filters.status and filters.overdue:
        return counts.get(f"overdue_{filters.status}", 0)  # a closed item is never overdue
    if filters.overdue:
        return counts["overdue"]
    if filters.status:
        return counts.get(filters.status, 0)
    return counts["total"]


class BoardRows:
    """The board's rows (dicts of BOARD_COLUMNS, by BOARD_ORDER), lazy, shaped for a paginator.

    A slice costs two queries whatever the area holds: the sort keys of its rows only, then the
    columns of just those rows; the paginator's count comes from `counts` (`followup_counts`
    under the same filters), or else from one plain COUNT per kind of item. Iterating reads
    every row in one query (the export).
    """

    def __init__(
        self,
        *,
        user: User,
        filters: BoardFilters,
        today: datetime.date,
        counts: dict[str, int] | None,
    ) -> None:
        self.user, self.filters, self.today, self.counts = user, filters, today, counts
        self.items = [
            (key, model, _scoped(model, user=user, filters=filters, with_status=True, today=today))
            for key, model in _models(filters)
        ]

    def count(self) -> int:
        if self.counts is not None:
            return _board_total(self.counts, self.filters)
        return sum(items.count() for _key, _model, items in self.items)

    def __iter__(self) -> Iterator[Row]:
        parts = [_board_values(items, key=key, today=self.today) for key, _m, items in self.items]
        return iter(_union(parts).order_by(*BOARD_ORDER))

    def __getitem__(self, index: slice) -> list[Row]:
        if not isinstance(index, slice):
            raise TypeError("the board is read a page (a slice) at a time")
        keys = [(row["item_type"], row["pk"]) for row in self._keys()[index]]
        rows = self._rows(keys)
        return [rows[key] for key in keys if key in rows]

    def _keys(self) -> QuerySet[Any, Row]:
        """Only what orders the rows: sorting every item by narrow keys, not by its whole row
        joined to its meeting, partner and areas, is what keeps a page cheap."""
        parts = [
            items.annotate(item_type=Value(key, output_field=CharField())).values(*BOARD_ORDER)
            for key, _model, items in self.items
        ]
        return _union(parts).order_by(*BOARD_ORDER)

    def _rows(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], Row]:
        """The columns of the rows `keys` names, by (kind, id), in one query."""
        parts = []
        for key, model, _items in self.items:
            ids = [pk for kind, pk in keys if kind == key]
            if ids:
                items = in_area(model.objects.filter(pk__in=ids), self.user)
                parts.append(_board_values(items, key=key, today=self.today))
        if not parts:
            return {}
        return {(row["item_type"], row["pk"]): row for row in _union(parts)}


def followup_board(
    *,
    user: User,
    filters: BoardFilters,
    today: datetime.date | None = None,
    counts: dict[str, int] | None = None,
) -> BoardRows:
    """RTL items and commitments in `user`'s area as one table of dicts (BOARD_COLUMNS), by due
    date; lazy: a page costs two queries, counted from `counts` (`followup_counts` under the
    same filters and day) when given; iterating reads every row in one query."""
    return BoardRows(user=user, filters=filters, today=_today(today), counts=counts)


def board_labels(rows: Iterable[Row]) -> list[Row]:
    """The rows with their status and meeting kind in words (for the page and the export)."""
    statuses, kinds = dict(Tracked.Status.choices), dict(Meeting.Kind.choices)
    return [
        {
            **row,
            "status_label": statuses.get(row["status"], row["status"]),
            "kind_label": kinds.get(row["meeting_kind"], row["meeting_kind"]),
        }
        for row in rows
    ]


def _status_counts(items: Items, today: datetime.date) -> dict[str, int]:
    counts = {status: Count("pk", filter=Q(status=status)) for status in STATUSES}
    overdue = {
        name: Count("pk", filter=Q(status=status, due_on__lt=today))
        for name, status in OVERDUE_BY_STATUS.items()
    }
    return items.aggregate(
        **counts, overdue=Count("pk", filter=_overdue_q(today)), **overdue, total=Count("pk")
    )


def followup_counts(
    *, user: User, filters: BoardFilters, today: datetime.date | None = None
) -> dict[str, int]:
    """Items per status, overdue (in all and per open status) and in total, under every filter
    but status and overdue (one aggregate query per kind of item)."""
    day = _today(today)
    totals = dict.fromkeys([*STATUSES, "overdue", *OVERDUE_BY_STATUS, "total"], 0)
    for _key, model in _models(filters):
        items = _scoped(model, user=user, filters=filters, with_status=False, today=day)
        for name, value in _status_counts(items, day).items():
            totals[name] += value or 0
    return totals


# --- Commitments and RTL items by partner organisation ------------------------------------------

PARTNER_NAMES = (
    "partner__name",
    "partner__short_name",
    "partner__subdistrict__name",
    "partner__district__name",
)


def _by_partner(
    model: ItemModel, *, user: User, year: int | None, today: datetime.date
) -> list[Row]:
    items: Items = in_area(model.objects.all(), user)
    if year:
        items = items.filter(meeting__held_on__year=year)
    counts = {status: Count("pk", filter=Q(status=status)) for status in STATUSES}
    # Grouped by the partner's id alone: its names are the same on each of its items, so MAX
    # only carries them, and PostgreSQL hashes ids instead of sorting every item by four names.
    names = {name: Max(name) for name in PARTNER_NAMES}
    rows = (
        items.values("partner_id")
        .annotate(
            **counts, overdue=Count("pk", filter=_overdue_q(today)), total=Count("pk"), **names
        )
        .order_by(
            F("partner__district__name").asc(nulls_last=True),
            F("partner__subdistrict__name").asc(nulls_first=True),
            F("partner__name").asc(nulls_last=True),
        )
    )
    return _plain(rows)


@dataclass
class PartnerTable:
    """Items of one kind per partner organisation and status, with the table's total row."""

    rows: list[Row]
    total: dict[str, int]


COUNT_COLUMNS = (*STATUSES, "overdue", "total")


def _table(rows: list[Row]) -> PartnerTable:
    total = {name: sum(row[name] for row in rows) for name in COUNT_COLUMNS}
    for row in [*rows, total]:
        row["cells"] = [(name, row[name]) for name in COUNT_COLUMNS]
    return PartnerTable(rows=rows, total=total)


def commitments_by_partner(
    *, user: User, year: int | None = None, today: datetime.date | None = None
) -> PartnerTable:
    """Commitments in `user`'s area per partner organisation x status (one aggregate query)."""
    return _table(_by_partner(Commitment, user=user, year=year, today=_today(today)))


def followups_by_partner(
    *, user: User, year: int | None = None, today: datetime.date | None = None
) -> PartnerTable:
    """RTL items in `user`'s area per related partner organisation x status (one query)."""
    return _table(_by_partner(FollowUp, user=user, year=year, today=_today(today)))


# --- Musrenbang proposals by kecamatan ----------------------------------------------------------

OUTCOMES = [value for value, _label in MusrenbangProposal.Outcome.choices]


@dataclass(frozen=True)
class ProposalFilters:
    year: int | None = None
    outcome: str = ""
    subdistrict_id: int | None = None


def _proposals(*, user: User, filters: ProposalFilters) -> QuerySet[MusrenbangProposal]:
    proposals = in_area(MusrenbangProposal.objects.all(), user)
    if filters.year:
        proposals = proposals.filter(meeting__held_on__year=filters.year)
    if filters.outcome:
        proposals = proposals.filter(outcome=filters.outcome)
    if filters.subdistrict_id:
        proposals = proposals.filter(subdistrict_id=filters.subdistrict_id)
    return proposals


def proposal_list(*, user: User, filters: ProposalFilters) -> QuerySet[MusrenbangProposal]:
    """Proposals in `user`'s area, by kecamatan and priority, with what the page shows."""
    return (
        _proposals(user=user, filters=filters)
        .select_related(
            "subdistrict__district", "village", "service", "meeting__puskesmas", "outcome_by"
        )
        .order_by(
            "subdistrict__district__name",
            "subdistrict__code",
            "-meeting__held_on",
            "meeting_id",
            "priority",
            "pk",
        )
    )


def proposal_totals(*, user: User, filters: ProposalFilters) -> tuple[list[Row], dict[str, int]]:
    """Per kecamatan: proposals per outcome, their estimated cost and the funded cost; plus the
    grand total (one aggregate query)."""
    funded = Q(outcome=MusrenbangProposal.Outcome.FUNDED)
    cost = Coalesce(Sum("estimated_cost_idr"), 0, output_field=BigIntegerField())
    rows = _plain(
        _proposals(user=user, filters=filters)
        .values("subdistrict_id", "subdistrict__name", "subdistrict__district__name")
        .annotate(
            **{outcome: Count("pk", filter=Q(outcome=outcome)) for outcome in OUTCOMES},
            total=Count("pk"),
            estimated_idr=cost,
            funded_idr=Coalesce(
                Sum("estimated_cost_idr", filter=funded), 0, output_field=BigIntegerField()
            ),
        )
        .order_by("subdistrict__district__name", "subdistrict__code")
    )
    names = [*OUTCOMES, "total", "estimated_idr", "funded_idr"]
    return rows, {name: sum(row[name] for row in rows) for name in names}
