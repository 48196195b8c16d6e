"""What a meeting produces, read for its pages and exports: problems ranked by priority with their
fishbone, RTL items, commitments and Musrenbang proposals. Every list starts from `in_area`.

Also the choices a meeting offers (SPM services of its year, its desa, partners and kecamatan):
`*_of_meeting` give what the meeting's own area holds (services check input against them), and
the form choices narrow them further with `in_area` for the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import Rank, RowNumber

from indicators.models import ReportingYear, SPMEdition, SPMService
from kernel.models import PartnerOrganisation, ServicePoint, Subdistrict, User, Village
from kernel.scoping import get_in_area_or_404, in_area, in_given_area

from ..models import Commitment, FollowUp, Meeting, MusrenbangProposal, Problem, RootCause
from ..priority import METHODS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# --- Scores ---------------------------------------------------------------------------------------


def stored_scores(scores: Mapping | None, method: str) -> dict[str, int]:
    """A problem's scores for one method.

    `Problem.scores` keeps one entry per method, `{"usg": {"u": 4, "s": 5, "g": 3}, "carl": {...}}`,
    so switching a meeting's method and back keeps what was entered (the criteria codes of the
    methods overlap, so they cannot share one flat mapping). A flat mapping of numbers (written
    by hand or by an older seeder) is read as the scores of the method it fits.
    """
    scores = scores or {}
    nested = scores.get(method)
    if isinstance(nested, Mapping):
        return dict(nested)
    flat = {k: v for k, v in scores.items() if not isinstance(v, Mapping)}
    codes = {c.code for c in METHODS[method].criteria}
    return flat if flat and set(flat) == codes else {}


# --- Choices of a meeting -------------------------------------------------------------------------


def spm_services_of_meeting(meeting: Meeting) -> QuerySet[SPMService]:
    """The SPM services of the catalogue in force in the meeting's year (district-level services,
    and provincial ones too for a provincial meeting)."""
    edition_id = (
        ReportingYear.objects.filter(year=meeting.year).values_list("edition_id", flat=True).first()
    )
    if edition_id is None:
        edition_id = (
            SPMEdition.objects.filter(first_year__lte=meeting.year)
            .filter(Q(last_year__isnull=True) | Q(last_year__gte=meeting.year))
            .values_list("pk", flat=True)
            .first()
        )
    services = SPMService.objects.filter(edition_id=edition_id)
    if meeting.level != "province":
        services = services.filter(level=SPMService.Level.DISTRICT)
    return services.order_by("level", "number")


def villages_of_meeting(meeting: Meeting) -> QuerySet[Village]:
    """Desa a problem may name: a puskesmas's working area, or the district's villages."""
    if meeting.level == "province":
        return Village.objects.none()
    return in_given_area(Village.objects.all(), meeting.owner)


def service_points_of_meeting(meeting: Meeting) -> QuerySet[ServicePoint]:
    """Posyandu and other UKBM a problem or RTL item may name (issue #17): a puskesmas's own, or
    those of the district's puskesmas; none for a provincial meeting."""
    if meeting.level == "province":
        return ServicePoint.objects.none()
    ukbm = ServicePoint.objects.filter(kind__in=ServicePoint.UKBM_KINDS)
    return in_given_area(ukbm, meeting.owner)


def partners_of_meeting(meeting: Meeting) -> QuerySet[PartnerOrganisation]:
    """Partner organisations of the meeting's area: for a puskesmas lokmin the district-level
    partners and those of its own kecamatan; for a district or province all of theirs."""
    if meeting.level == "puskesmas":
        # A lokmin belongs to a puskesmas, and so to its district (Meeting.clean, set_area).
        assert meeting.puskesmas is not None and meeting.district is not None
        return in_given_area(PartnerOrganisation.objects.all(), meeting.district).filter(
            Q(subdistrict__isnull=True) | Q(subdistrict_id=meeting.puskesmas.subdistrict_id)
        )
    return in_given_area(PartnerOrganisation.objects.all(), meeting.owner)


def subdistricts_of_meeting(meeting: Meeting) -> QuerySet[Subdistrict]:
    """Kecamatan a proposal may go to: a puskesmas's own, or those of the district (province)."""
    if meeting.level == "puskesmas":
        assert meeting.puskesmas is not None  # a lokmin belongs to a puskesmas (Meeting.clean)
        return Subdistrict.objects.filter(pk=meeting.puskesmas.subdistrict_id)
    return in_given_area(Subdistrict.objects.all(), meeting.owner)


# --- Problems and root causes ---------------------------------------------------------------------


@dataclass
class Bone:
    """One category of the fishbone with its causes, and where the SVG draws them."""

    category: str
    label: StrOrPromise
    causes: list[RootCause]
    x1: int = 0
    y1: int = 0
    x2: int = 0
    y2: int = 0
    label_y: int = 0
    lines: list[tuple[int, int, str, str]] = field(default_factory=list)  # x, y, short, full


@dataclass
class Fishbone:
    bones: list[Bone]
    head_lines: list[tuple[int, str]]  # y, text
    width: int = 960
    height: int = 0
    spine_y: int = 0
    head_y: int = 0
    head_height: int = 0

    @property
    def cause_count(self) -> int:
        return sum(len(bone.causes) for bone in self.bones)


_ROW = 18
_SLANT = 60
_ATTACH = (250, 480, 710)
_CAUSE_CHARS = 28


def _wrap(text: str, width: int, lines: int) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return out


def _short(text: str) -> str:
    return text if len(text) <= _CAUSE_CHARS else text[: _CAUSE_CHARS - 1] + "…"


def fishbone(problem: Problem, causes: list[RootCause]) -> Fishbone:
    """The problem's causes in the six categories, with the geometry of a server-drawn SVG: three
    bones above the spine, three below, the problem at the head (no database access)."""
    bones = [
        Bone(value, label, [c for c in causes if c.category == value])
        for value, label in RootCause.Category.choices
    ]
    top, bottom = bones[:3], bones[3:]
    top_rows = max(2, *(len(b.causes) for b in top))
    bottom_rows = max(2, *(len(b.causes) for b in bottom))
    top_y = 30
    spine_y = top_y + _ROW * (top_rows + 1)
    bottom_y = spine_y + _ROW * (bottom_rows + 1)
    for half, end_y, sign in ((top, top_y, -1), (bottom, bottom_y, 1)):
        for bone, attach in zip(half, _ATTACH, strict=True):
            bone.x1, bone.y1, bone.x2, bone.y2 = attach - _SLANT, end_y, attach, spine_y
            bone.label_y = end_y - 10 if sign < 0 else end_y + 18
            for index, cause in enumerate(bone.causes):
                y = end_y - sign * _ROW * (index + 1)
                x = attach - round(_SLANT * abs(y - spine_y) / abs(end_y - spine_y)) - 6
                bone.lines.append((x, y + 4, _short(cause.description), cause.description))
    lines = _wrap(problem.statement, 26, 5)
    head_height = 16 * len(lines) + 12
    head_y = spine_y - head_height // 2
    return Fishbone(
        bones=bones,
        head_lines=[(head_y + 20 + 16 * index, line) for index, line in enumerate(lines)],
        height=bottom_y + 30,
        spine_y=spine_y,
        head_y=head_y,
        head_height=head_height,
    )


def _with_method_scores(problem: Problem, method: str) -> None:
    """Give the problem `method_scores`, its scores for `method`, as the problem pages read
    them: an attribute of this read, not a field, so django-stubs does not know it."""
    setattr(problem, "method_scores", stored_scores(problem.scores, method))  # noqa: B010


def problem_list(*, user: User, meeting: Meeting) -> list[Problem]:
    """The meeting's problems ranked by priority score (ties share a rank, unscored problems
    last, unranked), each with its number (order of entry), scores for the meeting's method and
    causes; scoped; three queries whatever the count."""
    ranked = F("priority_score").desc(nulls_last=True)
    rows = (
        in_area(Problem.objects.filter(meeting=meeting), user)
        .select_related("service", "village", "service_point")
        .prefetch_related("causes")
        .annotate(
            number=Window(RowNumber(), order_by=[F("order").asc(), F("pk").asc()]),
            rank=Window(Rank(), order_by=ranked),
        )
        .order_by(ranked, "order", "pk")
    )
    problems: list[Problem] = []
    for problem in rows:
        problem.rank = problem.rank if problem.priority_score is not None else None
        _with_method_scores(problem, meeting.priority_method)
        problems.append(problem)
    return problems


def problem_get(*, user: User, pk: int) -> Problem:
    """One problem with its meeting, service, desa and causes; 404 outside the user's area."""
    queryset = Problem.objects.select_related(
        "meeting__puskesmas",
        "meeting__district",
        "meeting__province",
        "service",
        "village",
        "service_point",
    ).prefetch_related("causes")
    problem = get_in_area_or_404(queryset, user, pk=pk)
    _with_method_scores(problem, problem.meeting.priority_method)
    return problem


def problem_number(problem: Problem) -> int:
    """The problem's number in its meeting (order of entry), as the scoring form shows it."""
    return (
        Problem.objects.filter(meeting_id=problem.meeting_id)
        .filter(Q(order__lt=problem.order) | Q(order=problem.order, pk__lt=problem.pk))
        .count()
        + 1
    )


# --- RTL, commitments, proposals ------------------------------------------------------------------


def follow_up_list(*, user: User, meeting: Meeting) -> QuerySet[FollowUp]:
    """The meeting's RTL items in due-date order with problem, cause and partner; scoped."""
    return (
        in_area(FollowUp.objects.filter(meeting=meeting), user)
        .select_related("problem", "root_cause", "partner", "service_point")
        .order_by("due_on", "pk")
    )


def commitment_list(*, user: User, meeting: Meeting) -> QuerySet[Commitment]:
    """The meeting's commitments grouped by party (then due date), with partners; scoped."""
    return (
        in_area(Commitment.objects.filter(meeting=meeting), user)
        .select_related("partner")
        .order_by("party", "due_on", "pk")
    )


def meeting_proposal_list(*, user: User, meeting: Meeting) -> QuerySet[MusrenbangProposal]:
    """The meeting's Musrenbang proposals by kecamatan and priority, with desa and service;
    scoped."""
    return (
        in_area(MusrenbangProposal.objects.filter(meeting=meeting), user)
        .select_related("subdistrict", "village", "service")
        .order_by("subdistrict__code", "priority", "pk")
    )
