"""Demo data of the community layer's registry part (issue #17), for `manage.py seed_demo`: the
registry details of Hulu Sungai Utara's posyandu (venue, schedule, village head's decree, year
set up, the pustu they work with, ILP for some), and a second posyandu in every other desa of
the two puskesmas whose heads are demo logins (Danau Panggang, Alabio), so a desa shows several.

Idempotent: a second run finds what the first made and saves nothing new (a point is saved
only when a value differs, at the version it read, through the kernel's service)."""

from __future__ import annotations

import datetime

from kernel.models import District, Puskesmas, ServicePoint, User
from kernel.services.organisation import service_point_save

DISTRICT = "63.08"  # Hulu Sungai Utara
MORE_POSYANDU = ("Puskesmas Danau Panggang", "Puskesmas Alabio")
VENUES = ["Balai desa", "Rumah kader", "Gedung PAUD", "Langgar", "Polindes"]
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Sabtu"]
WEEKS = ["pertama", "kedua", "ketiga", "keempat"]


def _details(index: int, pustu: ServicePoint | None) -> dict:
    """Registry values of the `index`th posyandu of a puskesmas: varied, but the same every run."""
    year = 1987 + (index * 7) % 30
    return {
        "venue": VENUES[index % len(VENUES)],
        "schedule": f"{DAYS[index % len(DAYS)]} {WEEKS[index % len(WEEKS)]} tiap bulan",
        "runs_ilp": index % 3 != 2,  # two in three serve every life stage
        "pustu": pustu,
        # One in five has no decree on file yet: the registry shows the gap.
        "decree_number": "" if index % 5 == 4 else f"140/{10 + index}/PEM/{year + 1}",
        "decree_date": None if index % 5 == 4 else datetime.date(year + 1, 1 + index % 12, 10),
        "established_year": year,
    }


def _seed_puskesmas(puskesmas: Puskesmas, *, by: User) -> None:
    villages = list(puskesmas.villages.order_by("code"))
    if puskesmas.name in MORE_POSYANDU:
        for village in villages[::2]:
            name = f"Posyandu {village.name} II"
            if not ServicePoint.objects.filter(
                puskesmas=puskesmas, kind=ServicePoint.Kind.POSYANDU, name=name
            ).exists():
                point = ServicePoint(
                    puskesmas=puskesmas, kind=ServicePoint.Kind.POSYANDU, name=name, village=village
                )
                service_point_save(service_point=point, by=by, version=point.version)
    pustu = list(
        ServicePoint.objects.filter(puskesmas=puskesmas, kind=ServicePoint.Kind.PUSTU).order_by(
            "name"
        )
    )
    by_village = {p.village_id: p for p in pustu}
    posyandu = ServicePoint.objects.filter(
        puskesmas=puskesmas, kind=ServicePoint.Kind.POSYANDU
    ).order_by("village__code", "name")
    for index, point in enumerate(posyandu):
        # The pustu of its own desa, else the puskesmas's nearest by order; none without one.
        linked = by_village.get(point.village_id) or (pustu[index % len(pustu)] if pustu else None)
        values = _details(index, linked)
        same = point.pustu_id == (linked.pk if linked else None) and all(
            getattr(point, field) == value for field, value in values.items() if field != "pustu"
        )
        if same:
            continue
        for field, value in values.items():
            setattr(point, field, value)
        service_point_save(service_point=point, by=by, version=point.version)


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
    for puskesmas in Puskesmas.objects.filter(district=district).order_by("name"):
        _seed_puskesmas(puskesmas, by=planner)
