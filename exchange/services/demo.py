"""The DHIS2 part of the demo world: a mapping for Hulu Sungai Utara (63.08), so its planner
exports a month from `make run`; one desa is left unmapped to show the unmapped list.

Ids are made from the codes (stable from run to run), through the mapping services.
"""

from __future__ import annotations

import hashlib

from django.db import transaction

from kernel.models import District, User

from .mapping import elements_save, mapping_of, org_units_save, profile_of, profile_save

DEMO_DISTRICT, DEMO_PLANNER = "63.08", "dinkes.hsu"


def demo_uid(kind: str, code: str) -> str:
    """An 11-character DHIS2-style id, the same for the same code on every run."""
    return kind[0].upper() + hashlib.sha1(f"{kind}:{code}".encode()).hexdigest()[:10]


@transaction.atomic
def demo_seed() -> None:
    """The Hulu Sungai Utara DHIS2 mapping; idempotent (a second run changes nothing)."""
    district = District.objects.filter(code=DEMO_DISTRICT).first()
    planner = User.objects.filter(username=DEMO_PLANNER).first()
    if district is None or planner is None:
        return
    profile = profile_of(district)
    if profile.pk is None:
        profile.name = "DHIS2 Dinkes HSU"
        profile.base_url = "https://dhis2.example.org/"
        profile.data_set = demo_uid("dataset", DEMO_DISTRICT)
        profile = profile_save(profile=profile, by=planner, version=None)
    mapping = mapping_of(district=district)
    if not mapping.elements():
        profile = elements_save(
            district=district,
            by=planner,
            version=profile.version,
            elements={s.pk: (demo_uid("element", s.code), "", "") for s, _e in mapping.services},
        )
    if not mapping.village_units():
        villages = {v.pk: demo_uid("ou", v.code) for v, _uid in mapping.villages}
        if villages:  # one desa left unmapped: the page lists it
            villages[mapping.villages[-1][0].pk] = ""
        org_units_save(
            district=district,
            by=planner,
            version=profile.version,
            puskesmas={p.pk: demo_uid("ou", p.code) for p, _uid in mapping.puskesmas},
            villages=villages,
        )
