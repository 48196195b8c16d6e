"""A district's DHIS2 mapping: read it whole (with what is unmapped) and save its parts."""

from __future__ import annotations

from collections.abc import Mapping as Dict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import ReportingYear, SPMService
from indicators.reporting import monthly_services
from kernel.models import District, Puskesmas, User, Village
from kernel.versioning import save_versioned

from ..models import DataElementMapping, Dhis2Profile, OrgUnitMapping
from ..rights import can_edit_mapping

Element = tuple[str, str, str]  # data element, category option combo, attribute option combo


def profile_of(district: District) -> Dhis2Profile:
    """The district's profile, or a new unsaved one with the defaults."""
    profile = Dhis2Profile.objects.filter(district=district).first()
    return profile or Dhis2Profile(district=district, version=0)


def mapping_year() -> int | None:
    """The latest reporting year that has started: its services are the ones mapped."""
    today = timezone.localdate()
    return (
        ReportingYear.objects.filter(year__lte=today.year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


@dataclass
class Mapping:
    """A district's whole mapping as its page shows it, and what it leaves unmapped."""

    district: District
    profile: Dhis2Profile
    year: int | None
    services: list[tuple[SPMService, DataElementMapping | None]] = field(default_factory=list)
    puskesmas: list[tuple[Puskesmas, str]] = field(default_factory=list)
    villages: list[tuple[Village, str]] = field(default_factory=list)

    @property
    def unmapped_services(self) -> list[SPMService]:
        return [service for service, element in self.services if element is None]

    @property
    def unmapped_puskesmas(self) -> list[Puskesmas]:
        return [puskesmas for puskesmas, uid in self.puskesmas if not uid]

    @property
    def unmapped_villages(self) -> list[Village]:
        return [village for village, uid in self.villages if not uid]

    @property
    def by_village(self) -> bool:
        return self.profile.level == Dhis2Profile.Level.VILLAGE

    @property
    def unmapped_org_units(self) -> list[Puskesmas] | list[Village]:
        """The org units the export needs and lacks (desa or puskesmas, by the level)."""
        return self.unmapped_villages if self.by_village else self.unmapped_puskesmas

    def elements(self) -> dict[int, DataElementMapping]:
        return {service.pk: element for service, element in self.services if element}

    def village_units(self) -> dict[int, str]:
        return {village.pk: uid for village, uid in self.villages if uid}

    def puskesmas_units(self) -> dict[int, str]:
        return {puskesmas.pk: uid for puskesmas, uid in self.puskesmas if uid}


def mapping_of(*, district: District, year: int | None = None) -> Mapping:
    """The mapping of `district` for the services of `year` (default: the current reporting
    year), in a constant number of queries."""
    year = year or mapping_year()
    profile = profile_of(district)
    mapping = Mapping(district=district, profile=profile, year=year)
    elements: dict[int, DataElementMapping] = {}
    units_p: dict[int, str] = {}
    units_v: dict[int, str] = {}
    if profile.pk:
        elements = {e.service_id: e for e in profile.elements.all()}
        for puskesmas_id, village_id, uid in profile.org_units.values_list(
            "puskesmas_id", "village_id", "org_unit"
        ):
            if puskesmas_id:
                units_p[puskesmas_id] = uid
            else:
                units_v[village_id] = uid
    services = monthly_services(year) if year else []
    mapping.services = [(service, elements.get(service.pk)) for service in services]
    puskesmas_list = list(Puskesmas.objects.filter(district=district).order_by("name", "pk"))
    mapping.puskesmas = [(p, units_p.get(p.pk, "")) for p in puskesmas_list]
    villages = Village.objects.filter(puskesmas__district=district).select_related("puskesmas")
    mapping.villages = [
        (v, units_v.get(v.pk, "")) for v in villages.order_by("puskesmas__name", "code")
    ]
    return mapping


def _require_editor(user: User, district: District) -> None:
    if not can_edit_mapping(user, district):
        raise PermissionDenied(_("Only the district's planners can change its DHIS2 mapping."))


def _saved_profile(profile: Dhis2Profile, *, by: User, version: int | None) -> Dhis2Profile:
    """Bump the profile's version as the edit of the mapping (StaleEdit over a newer one)."""
    if profile.pk is None:
        if Dhis2Profile.objects.filter(district=profile.district).exists():
            # Someone created it since the page was opened.
            current = Dhis2Profile.objects.get(district=profile.district)
            return save_versioned(current, by=by, version=-1, fields=[])
        return save_versioned(profile, by=by, version=None)
    return save_versioned(profile, by=by, version=version, fields=[])


@transaction.atomic
def profile_save(*, profile: Dhis2Profile, by: User, version: int | None) -> Dhis2Profile:
    """Save the profile's own fields (name, address, level, data set)."""
    _require_editor(by, profile.district)
    if profile.pk is None:
        return _saved_profile(profile, by=by, version=version)
    return save_versioned(
        profile, by=by, version=version, fields=["name", "base_url", "level", "data_set"]
    )


@transaction.atomic
def elements_save(
    *, district: District, by: User, version: int | None, elements: Dict[int, Element]
) -> Dhis2Profile:
    """Replace the data element mapping of the services given (service id -> (data element,
    category option combo, attribute option combo)); an empty data element unmaps it."""
    _require_editor(by, district)
    taken: dict[tuple[str, str], int] = {}
    for service_id, (uid, coc, _aoc) in elements.items():
        if uid and (uid, coc) in taken:
            raise ValidationError(
                _("Data element %(uid)s is mapped to two services; each needs its own.")
                % {"uid": uid + (f" / {coc}" if coc else "")}
            )
        taken[(uid, coc)] = service_id
    profile = _saved_profile(profile_of(district), by=by, version=version)
    profile.elements.filter(service_id__in=list(elements)).delete()
    DataElementMapping.objects.bulk_create(
        DataElementMapping(
            profile=profile,
            service_id=service_id,
            data_element=uid,
            category_option_combo=coc,
            attribute_option_combo=aoc,
        )
        for service_id, (uid, coc, aoc) in elements.items()
        if uid
    )
    return profile


@transaction.atomic
def org_units_save(
    *,
    district: District,
    by: User,
    version: int | None,
    puskesmas: Dict[int, str],
    villages: Dict[int, str],
) -> Dhis2Profile:
    """Replace the org units of the puskesmas and desa given (id -> org unit uid, empty to
    unmap); an org unit stands for one place only."""
    _require_editor(by, district)
    uids = [uid for uid in (*puskesmas.values(), *villages.values()) if uid]
    repeated = sorted({uid for uid in uids if uids.count(uid) > 1})
    if repeated:
        raise ValidationError(
            _("Org unit %(uid)s is given to two places; each needs its own.")
            % {"uid": ", ".join(repeated)}
        )
    profile = _saved_profile(profile_of(district), by=by, version=version)
    profile.org_units.filter(puskesmas_id__in=list(puskesmas)).delete()
    profile.org_units.filter(village_id__in=list(villages)).delete()
    if profile.org_units.filter(org_unit__in=uids).exists():
        raise ValidationError(_("One of these org units is already given to another place."))
    OrgUnitMapping.objects.bulk_create(
        [
            *(
                OrgUnitMapping(profile=profile, puskesmas_id=pk, org_unit=uid)
                for pk, uid in puskesmas.items()
                if uid
            ),
            *(
                OrgUnitMapping(profile=profile, village_id=pk, org_unit=uid)
                for pk, uid in villages.items()
                if uid
            ),
        ]
    )
    return profile
