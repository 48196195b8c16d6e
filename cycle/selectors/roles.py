"""Reads of who does what across agencies (issue #16 must-have 5): the role matrix of a district
and year, the roles a forum's commitments suggest, the data requests to other agencies and an
overview per district. Everything starts from `kernel.scoping.in_area`, and each read costs a
fixed number of queries whatever the number of roles, items or requests.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from indicators.models import ReportingYear, SPMService
from kernel.models import District, PartnerOrganisation, User
from kernel.scoping import in_area
from workshops.models import Commitment, FollowUp, Meeting, Tracked

from ..models import DataRequest, RoleAssignment

Role = RoleAssignment.Role
Status = Tracked.Status
COMMITMENT, RTL = "commitment", "rtl"

# An item's state on the matrix: done, overdue (still open after its due date), open (planned
# or in progress, not yet due) or dropped.
DONE, OVERDUE, OPEN, DROPPED = "done", "overdue", "open", "dropped"


def role_services(year: int) -> list[SPMService]:
    """The district SPM services of `year`'s edition (that of the latest year set up at or before
    it), in number order; none when no year is set up that early. One query."""
    edition = ReportingYear.objects.filter(year__lte=year).order_by("-year").values("edition")[:1]
    return list(
        SPMService.objects.filter(level=SPMService.Level.DISTRICT, edition__in=edition).order_by(
            "number"
        )
    )


# --- The matrix ---------------------------------------------------------------------------------


def _state(item: Commitment | FollowUp, today: datetime.date) -> str:
    if item.status == Status.DONE:
        return DONE
    if item.status == Status.DROPPED:
        return DROPPED
    return OVERDUE if item.due_on < today else OPEN


@dataclass(frozen=True)
class LinkedItem:
    """A commitment or RTL item that carries a role, with its status today."""

    kind: str  # COMMITMENT or RTL
    pk: int
    text: str
    who: str
    due_on: datetime.date
    status: str
    status_label: str
    state: str
    meeting_pk: int
    meeting_title: str
    meeting_held_on: datetime.date

    @property
    def url(self) -> str:
        name = (
            "workshops:commitment-status"
            if self.kind == COMMITMENT
            else "workshops:followup-status"
        )
        return reverse(name, args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.state == OVERDUE

    @property
    def badge(self) -> str:
        """The CSS class of the item's status badge."""
        return {
            DONE: "text-bg-success",
            OVERDUE: "text-bg-danger",
            DROPPED: "text-bg-light border",
        }.get(
            self.state,
            "text-bg-primary" if self.status == Status.IN_PROGRESS else "text-bg-secondary",
        )


def _linked(item: Commitment | FollowUp, kind: str, today: datetime.date) -> LinkedItem:
    meeting = item.meeting
    if isinstance(item, Commitment):
        text, who = item.description, item.party
    else:
        text, who = item.activity, item.responsible
    return LinkedItem(
        kind=kind,
        pk=item.pk,
        text=text,
        who=who,
        due_on=item.due_on,
        status=item.status,
        status_label=str(item.get_status_display()),
        state=_state(item, today),
        meeting_pk=meeting.pk,
        meeting_title=meeting.title,
        meeting_held_on=meeting.held_on,
    )


@dataclass
class RoleLine:
    """One agency's role in one service, with the commitments and RTL items that carry it."""

    role: RoleAssignment
    items: list[LinkedItem]

    @property
    def agency(self) -> str:
        return self.role.agency_name

    @property
    def short_agency(self) -> str:
        """The partner's short name (Dinsos, DP2KB) where it has one: the matrix is narrow."""
        partner = self.role.partner if self.role.partner_id else None
        return (partner.short_name if partner else "") or self.role.agency_name

    @property
    def overdue_count(self) -> int:
        return sum(1 for item in self.items if item.state == OVERDUE)

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.state == DONE)

    @property
    def open_count(self) -> int:
        return sum(1 for item in self.items if item.state in (OPEN, OVERDUE))


@dataclass
class RoleCell:
    role: str  # a Role value
    label: str
    lines: list[RoleLine]


@dataclass
class RoleRow:
    """One service of the matrix: its roles by Role value (each a list of agencies' lines)."""

    service: SPMService
    roles: dict[str, list[RoleLine]]

    @property
    def cells(self) -> list[RoleCell]:
        return [RoleCell(value, str(label), self.roles[value]) for value, label in Role.choices]

    @property
    def lines(self) -> list[RoleLine]:
        return [line for value in Role.values for line in self.roles[value]]

    @property
    def role_count(self) -> int:
        return len(self.lines)

    @property
    def overdue_count(self) -> int:
        return sum(line.overdue_count for line in self.lines)


@dataclass
class RoleMatrix:
    district: District
    year: int
    services: list[SPMService]
    rows: list[RoleRow]
    # Roles whose service is not one of the year's (an edition changed since): still shown.
    other_lines: list[RoleLine] = field(default_factory=list)

    @property
    def roles(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in Role.choices]

    @property
    def rows_by_service(self) -> dict[int, RoleRow]:
        return {row.service.pk: row for row in self.rows}

    @property
    def lines(self) -> list[RoleLine]:
        """Every role, service by service in number order, then by Role."""
        return [line for row in self.rows for line in row.lines] + self.other_lines

    @property
    def role_count(self) -> int:
        return len(self.lines)

    @property
    def overdue_count(self) -> int:
        return sum(line.overdue_count for line in self.lines)

    @property
    def item_count(self) -> int:
        return sum(len(line.items) for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines


def _roles(*, user: User, district: District, year: int) -> QuerySet[RoleAssignment]:
    commitments = in_area(Commitment.objects.select_related("meeting"), user)
    follow_ups = in_area(FollowUp.objects.select_related("meeting"), user)
    return (
        in_area(RoleAssignment.objects.filter(district=district, year=year), user)
        .select_related("partner", "service", "meeting", "district")
        .prefetch_related(
            Prefetch("commitments", queryset=commitments.order_by("due_on", "pk")),
            Prefetch("follow_ups", queryset=follow_ups.order_by("due_on", "pk")),
        )
        .order_by("service__number", "role", "partner__name", "agency", "pk")
    )


def role_lines(roles, *, today: datetime.date | None = None) -> list[RoleLine]:
    """Roles (with commitments and follow_ups prefetched) as lines with their items' states."""
    today = today or timezone.localdate()
    return [
        RoleLine(
            role=role,
            items=[
                *(_linked(item, COMMITMENT, today) for item in role.commitments.all()),
                *(_linked(item, RTL, today) for item in role.follow_ups.all()),
            ],
        )
        for role in roles
    ]


def role_matrix(
    *, user: User, district: District, year: int, today: datetime.date | None = None
) -> RoleMatrix:
    """The district's role matrix for `year`: the year's district SPM services in number order,
    each with its agencies per role (provides data, delivers, funds, mobilises) and the
    commitments and RTL items linked to each role with their state today. Scoped (roles and items
    through in_area); four queries whatever the data."""
    services = role_services(year)
    rows = {
        service.pk: RoleRow(service, {value: [] for value in Role.values}) for service in services
    }
    other = []
    for line in role_lines(_roles(user=user, district=district, year=year), today=today):
        row = rows.get(line.role.service_id)
        if row is None:
            other.append(line)
        else:
            row.roles[line.role.role].append(line)
    return RoleMatrix(
        district=district, year=year, services=services, rows=list(rows.values()), other_lines=other
    )


# --- Candidates for linking, forums to start from -------------------------------------------------


def district_meetings(*, user: User, district: District) -> QuerySet[Meeting]:
    """Meetings held by the district or one of its puskesmas (a lokmin also names its district),
    inside the user's area."""
    return in_area(Meeting.objects.filter(district=district), user).exclude(
        kind=Meeting.Kind.PROVINCE_MEETING
    )


def link_candidates(
    *, user: User, role: RoleAssignment
) -> tuple[QuerySet[Commitment], QuerySet[FollowUp]]:
    """Commitments and RTL items a role may be linked to: those of the district's meetings held
    in the role's year or the year before (a forum late in the year agrees next year's work),
    and any already linked. Scoped."""
    years = Q(meeting__held_on__year__in=[role.year - 1, role.year])
    commitments = in_area(
        Commitment.objects.filter(meeting__district_id=role.district_id), user
    ).exclude(meeting__kind=Meeting.Kind.PROVINCE_MEETING)
    follow_ups = in_area(
        FollowUp.objects.filter(meeting__district_id=role.district_id), user
    ).exclude(meeting__kind=Meeting.Kind.PROVINCE_MEETING)
    linked_c = Q(pk__in=role.commitments.values("pk")) if role.pk else Q(pk__in=[])
    linked_f = Q(pk__in=role.follow_ups.values("pk")) if role.pk else Q(pk__in=[])
    order = ("-meeting__held_on", "meeting_id", "due_on", "pk")
    return (
        commitments.filter(years | linked_c).select_related("meeting").order_by(*order),
        follow_ups.filter(years | linked_f).select_related("meeting").order_by(*order),
    )


def forums_of_year(*, user: User, district: District, year: int) -> list[Meeting]:
    """The district's cross-sector meetings (forums and quarterly lokmin) held in `year` or the
    year before, that recorded commitments, newest first, with their commitment counts."""
    return list(
        district_meetings(user=user, district=district)
        .filter(kind__in=Meeting.CROSS_SECTOR_KINDS, held_on__year__in=[year - 1, year])
        .annotate(commitment_count=Count("commitments"))
        .filter(commitment_count__gt=0)
        .select_related("puskesmas")
        .order_by("-held_on", "-pk")
    )


# --- Proposals from a forum's commitments --------------------------------------------------------

# A first guess of the role a commitment carries, from its words (Indonesian or English), then
# from the partner's sector; the planner confirms or changes it before anything is saved.
_ROLE_WORDS = [
    (Role.DATA, r"\bdata\b|pemadanan|memadankan|\bnik\b|akta|dtks|dtsen|register|sasaran"),
    (Role.FUNDS, r"anggaran|\bdana\b|iuran|membiayai|biaya|pembiayaan|\bapbd\b|budget|fund"),
    (
        Role.MOBILISES,
        r"menggerakkan|mendampingi|pendampingan|sosialisasi|penyuluhan|kader|mobilis|"
        r"kampanye|bimbingan",
    ),
]
_SECTOR_ROLE: dict[str, str] = {
    PartnerOrganisation.Sector.PLANNING: Role.FUNDS,
    PartnerOrganisation.Sector.SOCIAL: Role.DATA,
    PartnerOrganisation.Sector.CIVIL_REGISTRY: Role.DATA,
    PartnerOrganisation.Sector.REGIONAL_SECRETARIAT: Role.DATA,
    PartnerOrganisation.Sector.PKK: Role.MOBILISES,
    PartnerOrganisation.Sector.SUBDISTRICT_GOVERNMENT: Role.MOBILISES,
    PartnerOrganisation.Sector.VILLAGE_GOVERNMENT: Role.MOBILISES,
    PartnerOrganisation.Sector.RELIGIOUS: Role.MOBILISES,
    PartnerOrganisation.Sector.COMMUNITY: Role.MOBILISES,
}


def guess_role(text: str, sector: str = "") -> str:
    """The role a commitment's words suggest (a suggestion only)."""
    lowered = (text or "").lower()
    for role, pattern in _ROLE_WORDS:
        if re.search(pattern, lowered):
            return role
    return _SECTOR_ROLE.get(sector, Role.DELIVERS)


@dataclass(frozen=True)
class Proposal:
    """A role a forum's commitment suggests: its agency, what it does, a guessed role."""

    commitment: Commitment
    partner: PartnerOrganisation | None
    agency: str
    description: str
    role: str
    is_taken: bool  # already linked to a role of this district and year

    @property
    def item(self) -> LinkedItem:
        return _linked(self.commitment, COMMITMENT, timezone.localdate())


def role_proposals(*, user: User, meeting: Meeting, year: int) -> list[Proposal]:
    """The roles `meeting`'s commitments suggest for its district's `year`, in the order they
    were agreed; those already linked to a role of that year are marked taken. Scoped; one
    query."""
    taken = RoleAssignment.objects.filter(
        district=meeting.district, year=year, commitments=OuterRef("pk")
    )
    commitments = (
        in_area(Commitment.objects.filter(meeting=meeting), user)
        .select_related("partner", "meeting")
        .annotate(is_taken=Exists(taken))
        .order_by("pk")
    )
    proposals = []
    for commitment in commitments:
        partner = commitment.partner
        # A partner of another district (a lokmin may name a kecamatan partner of its own) is
        # kept only when it belongs to the meeting's district.
        if partner is not None and partner.district_id != meeting.district_id:
            partner = None
        sector = partner.sector if partner else commitment.sector
        proposals.append(
            Proposal(
                commitment=commitment,
                partner=partner,
                agency=partner.name if partner else commitment.party,
                description=commitment.description,
                role=guess_role(commitment.description, sector),
                is_taken=commitment.is_taken,
            )
        )
    return proposals


# --- Data requests ------------------------------------------------------------------------------


def data_requests(
    *, user: User, district: District, year: int, today: datetime.date | None = None
) -> QuerySet[DataRequest]:
    """The district's data requests of `year` to other agencies, oldest asked first, each with
    `is_overdue` (promised by a date that has passed, not received). Scoped; one query."""
    today = today or timezone.localdate()
    late = Q(status=DataRequest.Status.PROMISED, promised_by__lt=today)
    return (
        in_area(DataRequest.objects.filter(district=district, year=year), user)
        .select_related("partner", "service", "meeting", "district", "updated_by")
        .annotate(
            is_overdue=Case(
                When(late, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by("asked_on", "pk")
    )


def data_request_counts(
    *, user: User, district: District, year: int, today: datetime.date | None = None
) -> dict[str, int]:
    """How many of the year's data requests are at each status, overdue, and in all; one query."""
    today = today or timezone.localdate()
    statuses = DataRequest.Status
    counts = in_area(DataRequest.objects.filter(district=district, year=year), user).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(status=statuses.PROMISED, promised_by__lt=today)),
        **{value: Count("pk", filter=Q(status=value)) for value in statuses.values},
    )
    return {key: value or 0 for key, value in counts.items()}


# --- Overview of the districts a user sees --------------------------------------------------------


def _count(queryset: QuerySet, group: str) -> Coalesce:
    """How many distinct rows of `queryset` (filtered on an OuterRef district) there are."""
    counted = (
        queryset.order_by().values(group).annotate(n=Count("pk", distinct=True)).values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def role_overview(
    *, user: User, year: int, today: datetime.date | None = None
) -> QuerySet[District]:
    """The districts the user sees, each with its `role_count`, `overdue_count` (open
    commitments and RTL items linked to its roles, past their due date), `request_count` and
    `late_request_count` for `year`. One query."""
    today = today or timezone.localdate()
    district = OuterRef("pk")
    open_late = Q(status__in=Tracked.OPEN_STATUSES, due_on__lt=today)
    of_roles = {"spm_roles__district": district, "spm_roles__year": year}
    requests = DataRequest.objects.filter(district=district, year=year)
    late_requests = requests.filter(status=DataRequest.Status.PROMISED, promised_by__lt=today)
    return (
        in_area(District.objects.all(), user)
        .select_related("province")
        .annotate(
            role_count=_count(
                RoleAssignment.objects.filter(district=district, year=year), "district"
            ),
            overdue_commitments=_count(
                Commitment.objects.filter(open_late, **of_roles), "spm_roles__district"
            ),
            overdue_follow_ups=_count(
                FollowUp.objects.filter(open_late, **of_roles), "spm_roles__district"
            ),
            request_count=_count(requests, "district"),
            late_request_count=_count(late_requests, "district"),
        )
        .order_by("province__code", "code")
    )
