"""Demo data of the PKP (issue #18, must-have 5), for `manage.py seed_demo`: Hulu Sungai
Utara's PKP of 2026 — most puskesmas approved and ranked (a spread of good, fair and poor), two
submitted and waiting for the district (one of them Puskesmas Alabio), one returned with its
reason, Puskesmas Danau Panggang in draft as filled from Simpul's data — and of 2025, all
approved, for the year-on-year comparison. Written through the PKP services by the puskesmas
heads (kapus.<name>) and the district planner (dinkes.hsu), so the stored scores and ranks are
those the edition's bands give. Idempotent: a PKP past draft is kept as it is."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kernel.models import District, Puskesmas, User
from kernel.services.demo import head_username

from ..models import PkpAssessment, PkpScore, PkpServiceResult
from . import pkp as pkp_services
from . import pkp_review as review

DISTRICT = "63.08"  # Hulu Sungai Utara
PLANNER = "dinkes.hsu"
YEAR, LAST_YEAR = 2026, 2025
Status = PkpAssessment.Status


# Profiles: the share of each service target reached and the level chosen per management item
# (index into the item's levels, from the top: 0 the highest).
@dataclass(frozen=True)
class Profile:
    reach: Decimal
    levels: tuple[int, ...]


PROFILES = {
    "good": Profile(Decimal("0.97"), (0, 0, 0, 1)),
    "fair": Profile(Decimal("0.86"), (1, 1, 0, 2)),
    "poor": Profile(Decimal("0.66"), (2, 2, 1, 3)),
}
SPREAD = ["good", "fair", "poor", "good", "fair", "fair", "poor", "good", "fair", "poor"]
# 2026: Alabio and one more wait for the district, one is returned, Danau Panggang in draft.
SUBMITTED = ("Puskesmas Alabio", "Puskesmas Babirik")
RETURNED = "Puskesmas Sungai Pandan"
DRAFT = "Puskesmas Danau Panggang"
RETURN_REASON = (
    "Bukti butir lokakarya mini belum dilampirkan (notulen dan daftar hadir). Sasaran imunisasi "
    "dasar lengkap berbeda dengan data SPM bulanan: mohon dicek dan kirim ulang."
)
FEEDBACK = {
    "good": (
        "Kinerja puskesmas baik. Pertahankan cakupan pelayanan KIA dan imunisasi; dokumentasikan "
        "praktik baik lokakarya mini agar dapat dicontoh puskesmas lain."
    ),
    "fair": (
        "Kinerja cukup. Perkuat pemantauan bulanan cakupan yang masih di bawah target dan "
        "tindak lanjuti RTL lokakarya mini secara tertulis. Dinkes siap mendampingi."
    ),
    "poor": (
        "Kinerja kurang. Susun rencana perbaikan untuk kegiatan yang jauh di bawah target, "
        "lengkapi dokumen manajemen (SOP, notulen, analisis data) dan jadwalkan pembinaan "
        "bersama Dinkes pada triwulan pertama."
    ),
}
VERIFY_REASON = "Dokumen pendukung tidak lengkap saat verifikasi; nilai diturunkan satu tingkat."


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _reached(result: PkpServiceResult, reach: Decimal) -> tuple[int, int] | None:
    target = result.item.target_pct
    if target is None:
        return None
    group = result.target_group or 500
    actual = (Decimal(group) * target / 100 * reach).quantize(Decimal("1"), ROUND_HALF_UP)
    return group, min(group, int(actual))


def _fill(pkp: PkpAssessment, profile: str, head: User) -> None:
    """The puskesmas's own figures and scores after `profile`: written in two bulk updates and
    scored once by the service's `recompute` (the demo's speed: one save per item through the
    services took about a minute for the district; the submit and the review steps below go
    through the services)."""
    settings = PROFILES[profile]
    results = list(PkpServiceResult.objects.filter(assessment=pkp).select_related("item"))
    changed = []
    for result in results:
        figures = _reached(result, settings.reach)
        if figures is None:
            continue
        result.target_group, result.actual = figures
        result.from_data = False
        if settings.reach < 1 and not result.problem:
            result.problem = "Cakupan belum mencapai target tahunan."
            result.cause = "Kunjungan sasaran ke posyandu rendah."
            result.rtl = "Kunjungan rumah oleh bidan desa dan kader setiap bulan."
        changed.append(result)
    PkpServiceResult.objects.bulk_update(
        changed, ["target_group", "actual", "from_data", "problem", "cause", "rtl"]
    )
    scores = list(
        PkpScore.objects.filter(assessment=pkp)
        .select_related("item")
        .prefetch_related("item__levels")
    )
    for n, score in enumerate(scores):
        levels = sorted((level.score for level in score.item.levels.all()), reverse=True)
        if not levels:
            continue
        pick = settings.levels[n % len(settings.levels)]
        score.self_score = levels[min(pick, len(levels) - 1)]
        score.self_note = score.self_note or "Dokumen tersedia di ruang manajemen puskesmas."
        score.from_data = False
    PkpScore.objects.bulk_update(scores, ["self_score", "self_note", "from_data"])
    pkp_services.recompute(pkp)


def _submit(pkp: PkpAssessment, head: User) -> None:
    pkp.refresh_from_db()
    pkp_services.pkp_submit(assessment=pkp, by=head, version=pkp.version)


def _approve(pkp: PkpAssessment, profile: str, planner: User) -> None:
    """The district lowers one item with a reason, writes the feedback and approves."""
    first = PkpScore.objects.filter(assessment=pkp).select_related("item").first()
    if first is not None and first.self_score:
        lower = first.item.levels.filter(score__lt=first.self_score).order_by("-score").first()
        if lower is not None:
            review.verify_item(
                score=first,
                by=planner,
                version=first.version,
                verified_score=lower.score,
                reason=VERIFY_REASON,
            )
    pkp.refresh_from_db()
    review.save_feedback(
        assessment=pkp, by=planner, version=pkp.version, feedback=FEEDBACK[profile]
    )
    pkp.refresh_from_db()
    review.pkp_approve(assessment=pkp, by=planner, version=pkp.version)


def _seed_one(
    unit: Puskesmas, *, year: int, profile: str, target: str, head: User, planner: User
) -> None:
    pkp = pkp_services.pkp_start(puskesmas=unit, year=year, by=head)
    if pkp.status != Status.DRAFT or target == Status.DRAFT:
        return  # already seeded (or a draft as filled from data)
    _fill(pkp, profile, head)
    _submit(pkp, head)
    pkp.refresh_from_db()
    if target == Status.RETURNED:
        review.pkp_return(assessment=pkp, by=planner, reason=RETURN_REASON, version=pkp.version)
    elif target == Status.APPROVED:
        _approve(pkp, profile, planner)


def demo_seed() -> None:
    district = District.objects.filter(code=DISTRICT).first()
    planner = _user(PLANNER)
    if district is None or planner is None:
        return
    units = list(Puskesmas.objects.filter(district=district).order_by("name"))
    ranked = 0  # the approved ones take the profiles in turn: a spread of ranks
    for n, unit in enumerate(units):
        head = _user(head_username(unit.name))
        if head is None:
            continue
        # Last year: all approved, with another profile than this year's.
        last = SPREAD[(n + 1) % len(SPREAD)]
        _seed_one(
            unit, year=LAST_YEAR, profile=last, target=Status.APPROVED, head=head, planner=planner
        )
        profile = "fair"
        if unit.name == DRAFT:
            target = Status.DRAFT
        elif unit.name in SUBMITTED:
            target = Status.SUBMITTED
        elif unit.name == RETURNED:
            target = Status.RETURNED
        else:
            target = Status.APPROVED
            profile = SPREAD[ranked % len(SPREAD)]
            ranked += 1
        _seed_one(unit, year=YEAR, profile=profile, target=target, head=head, planner=planner)
