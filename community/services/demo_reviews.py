"""Demo data of the community layer's reviews part (issue #17), for `manage.py seed_demo`: this
year's reviews of Hulu Sungai Utara's posyandu giving every stratum (Pratama, Madya, Purnama,
Mandiri) in a mix of statuses (most approved, one submitted, one returned with its reason,
a few drafts), and a few desa siaga aktif reviews. Written through the review services, so
the stored strata are those the criteria give. Idempotent: a review already there is kept.
"""

from __future__ import annotations

from django.utils import timezone

from kernel.models import District, Puskesmas, ServicePoint, User, Village

from ..models import PosyanduReview, VillageReview
from . import reviews as services

DISTRICT = "63.08"  # Hulu Sungai Utara
PER_PUSKESMAS = 5  # posyandu reviewed per puskesmas; the rest are left to open
VILLAGES = 3  # desa siaga aktif reviews of the first puskesmas

# Figures giving each stratum with the edition of 2011 (community migration 0002).
POSYANDU_FIGURES = {
    # 4 active cadres: "Madya: 4 active cadres, needs 5".
    "pratama": {
        "sessions_held": 9,
        "active_cadres": 4,
        "weighing_coverage": "42.5",
        "kia_coverage": "45",
        "kb_coverage": "40",
        "immunisation_coverage": "55",
        "extra_programmes": 0,
        "fund_coverage": "5",
    },
    "madya": {
        "sessions_held": 10,
        "active_cadres": 5,
        "weighing_coverage": "48",
        "kia_coverage": "62",
        "kb_coverage": "55",
        "immunisation_coverage": "71",
        "extra_programmes": 0,
        "fund_coverage": "18",
    },
    "purnama": {
        "sessions_held": 12,
        "active_cadres": 6,
        "weighing_coverage": "68",
        "kia_coverage": "74",
        "kb_coverage": "61",
        "immunisation_coverage": "83",
        "extra_programmes": 2,
        "fund_coverage": "34",
    },
    "mandiri": {
        "sessions_held": 12,
        "active_cadres": 8,
        "weighing_coverage": "81",
        "kia_coverage": "86",
        "kb_coverage": "72",
        "immunisation_coverage": "92",
        "extra_programmes": 3,
        "fund_coverage": "63",
    },
}
PROFILES = list(POSYANDU_FIGURES)
# The first puskesmas's reviews, in order: (stratum, status); the others' are approved but for
# the last one of each (a draft).
FIRST = [
    ("mandiri", "approved"),
    ("madya", "submitted"),
    ("purnama", "returned"),
    ("pratama", "draft"),
    ("purnama", "approved"),
]
RETURN_REASON = (
    "Cakupan penimbangan 68% tidak sesuai laporan bulanan (rata-rata 59%). Mohon dicek lagi."
)
VILLAGE_FIGURES = [
    # The first desa's posyandu is active (Mandiri above): a Madya desa; then Pratama, none.
    (
        {
            "forum_meetings": 3,
            "active_cadres": 4,
            "daily_access": True,
            "village_funding": True,
            "community_activities": 5,
            "phbs_households": "48",
        },
        "approved",
    ),
    (
        {
            "forum_meetings": 1,
            "active_cadres": 2,
            "daily_access": True,
            "village_funding": True,
            "community_activities": 2,
            "phbs_households": "35",
        },
        "approved",
    ),
    (
        {
            "forum_meetings": 0,
            "active_cadres": 2,
            "daily_access": False,
            "village_funding": True,
            "community_activities": 1,
            "phbs_households": "30",
        },
        "draft",
    ),
]


def _member(puskesmas: Puskesmas) -> User | None:
    return (
        User.objects.filter(
            puskesmas=puskesmas,
            is_active=True,
            role__in=[User.Role.PUSKESMAS_HEAD, User.Role.PUSKESMAS_STAFF],
        )
        .order_by("role", "pk")
        .first()
    )


def _to_status(review, status: str, *, by: User, planner: User, reason: str = "") -> None:
    if status == "draft":
        return
    services.review_submit(review=review, by=by, version=review.version)
    if status == "approved":
        services.review_approve(review=review, by=planner, version=review.version)
    elif status == "returned":
        services.review_return(review=review, by=planner, reason=reason, version=review.version)


def seed() -> None:
    district = District.objects.filter(code=DISTRICT).first()
    if district is None:
        return
    planner = (
        User.objects.filter(district=district, role=User.Role.DISTRICT_PLANNER, is_active=True)
        .order_by("pk")
        .first()
    )
    if planner is None:
        return
    year = timezone.localdate().year
    puskesmas_list = list(Puskesmas.objects.filter(district=district).order_by("name"))
    # Danau Panggang first: its head and staff are the demo's puskesmas logins.
    puskesmas_list.sort(key=lambda p: p.name != "Puskesmas Danau Panggang")
    for index, puskesmas in enumerate(puskesmas_list):
        member = _member(puskesmas)
        if member is None:
            continue
        points = list(
            ServicePoint.objects.filter(
                puskesmas=puskesmas, kind=ServicePoint.Kind.POSYANDU, is_active=True
            ).order_by("village__name", "name")[:PER_PUSKESMAS]
        )
        for number, point in enumerate(points):
            if PosyanduReview.objects.filter(service_point=point, year=year).exists():
                continue
            if index == 0:
                stratum, status = FIRST[number % len(FIRST)]
            else:
                stratum = PROFILES[(index + number) % len(PROFILES)]
                status = "draft" if number == len(points) - 1 else "approved"
            review = services.posyandu_review_open(service_point=point, year=year, by=member)
            services.review_save(
                review=review, values=POSYANDU_FIGURES[stratum], version=review.version, by=member
            )
            _to_status(review, status, by=member, planner=planner, reason=RETURN_REASON)
        if index == 0:
            _seed_villages(puskesmas, year=year, by=member, planner=planner)


def _seed_villages(puskesmas: Puskesmas, *, year: int, by: User, planner: User) -> None:
    villages = list(Village.objects.filter(puskesmas=puskesmas).order_by("name")[:VILLAGES])
    for village, (figures, status) in zip(villages, VILLAGE_FIGURES, strict=False):
        if VillageReview.objects.filter(village=village, year=year).exists():
            continue
        review = services.village_review_open(village=village, year=year, by=by)
        services.review_save(review=review, values=figures, version=review.version, by=by)
        _to_status(review, status, by=by, planner=planner)
