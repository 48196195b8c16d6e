"""Reads for the pages after a meeting: photos, the joint agreement, an item's status history.

Every read starts from `in_area`; each page needs a fixed number of queries, however many photos,
commitments, signatories or status changes there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from kernel.models import User
from kernel.scoping import in_area

from ..models import Commitment, FollowUp, Meeting, Participant, Photo, StatusUpdate


def photo_list(*, user: User, meeting: Meeting) -> QuerySet[Photo]:
    """The meeting's photos in upload order, with who uploaded them."""
    return (
        in_area(Photo.objects.all(), user)
        .filter(meeting=meeting)
        .select_related("uploaded_by")
        .order_by("pk")
    )


def attended_count(*, user: User, meeting: Meeting) -> int:
    """How many people attended the meeting (for its minutes)."""
    return in_area(Participant.objects.all(), user).filter(meeting=meeting, attended=True).count()


# --- Joint agreement ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signatory:
    """One signature block: who signs, as what, for which organisation."""

    name: str
    position: str
    organisation: str


@dataclass
class PartyCommitments:
    party: str
    commitments: list[Commitment] = field(default_factory=list)


@dataclass
class Agreement:
    """The kesepakatan bersama of a meeting: its text, what each party commits to, who signs."""

    meeting: Meeting
    parties: list[PartyCommitments]
    signatories: list[Signatory]

    @property
    def commitments(self) -> list[Commitment]:
        return [c for party in self.parties for c in party.commitments]

    @property
    def signature_rows(self) -> list[tuple[Signatory, Signatory | None]]:
        """Signatories two by two, as the blocks are laid out on paper."""
        people = self.signatories
        return [
            (people[i], people[i + 1] if i + 1 < len(people) else None)
            for i in range(0, len(people), 2)
        ]

    @property
    def place(self) -> str:
        """Where it is signed: the kecamatan of a puskesmas meeting, else the meeting's place."""
        puskesmas = self.meeting.puskesmas
        if puskesmas is not None and puskesmas.subdistrict_id:
            return puskesmas.subdistrict.name
        return self.meeting.place


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _group_by_party(commitments: list[Commitment]) -> list[PartyCommitments]:
    groups: dict[str, PartyCommitments] = {}
    for commitment in commitments:
        party = commitment.party.strip() or (commitment.partner.name if commitment.partner else "")
        groups.setdefault(_key(party), PartyCommitments(party=party)).commitments.append(commitment)
    return list(groups.values())


def _signatories(
    participants: list[Participant], parties: list[PartyCommitments]
) -> list[Signatory]:
    """Each participant who signs, then each party's signatories not already among them; a party
    with no named signatory and no signing participant still gets a block (named by hand)."""
    blocks = [Signatory(p.name, p.position, p.organisation) for p in participants]
    names = {_key(p.name) for p in participants}
    organisations = {_key(p.organisation) for p in participants if p.organisation.strip()}
    for group in parties:
        named = [c for c in group.commitments if c.signatory_name.strip()]
        for commitment in named:
            name = commitment.signatory_name.strip()
            if _key(name) not in names:
                names.add(_key(name))
                blocks.append(Signatory(name, commitment.signatory_position, group.party))
        if not named and _key(group.party) not in organisations:
            organisations.add(_key(group.party))
            blocks.append(Signatory("", "", group.party))
    return blocks


def agreement_get(*, user: User, meeting: Meeting) -> Agreement:
    """The meeting's joint agreement: commitments grouped by party (by due date), and a signature
    block per signing participant and per commitment signatory (two queries)."""
    commitments = list(
        in_area(Commitment.objects.all(), user)
        .filter(meeting=meeting)
        .select_related("partner")
        .order_by("due_on", "pk")
    )
    participants = list(
        in_area(Participant.objects.all(), user)
        .filter(meeting=meeting, signs_agreement=True)
        .order_by("order", "pk")
    )
    parties = _group_by_party(commitments)
    return Agreement(
        meeting=meeting, parties=parties, signatories=_signatories(participants, parties)
    )


# --- Status of RTL items and commitments --------------------------------------------------------


def item_history(*, item: FollowUp | Commitment) -> QuerySet[StatusUpdate]:
    """The item's status changes, oldest first, with who made them and in which meeting."""
    return item.updates.select_related("by", "reviewed_in").order_by("at", "pk")


def status_updates_in_area(user: User) -> QuerySet[StatusUpdate]:
    """Status changes of the RTL items and commitments in `user`'s area (a StatusUpdate reaches
    its area through its item)."""
    return StatusUpdate.objects.filter(
        Q(follow_up__in=in_area(FollowUp.objects.all(), user).values("pk"))
        | Q(commitment__in=in_area(Commitment.objects.all(), user).values("pk"))
    )
