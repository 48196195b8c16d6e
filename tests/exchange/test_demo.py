"""The DHIS2 demo mapping of Hulu Sungai Utara: made through the services, idempotent."""

from __future__ import annotations

import pytest

from exchange.models import DataElementMapping, Dhis2Profile, OrgUnitMapping
from exchange.services import mapping_of
from exchange.services.demo import demo_seed
from kernel.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_maps_hsu_but_one_desa_and_runs_twice(world):
    district = world["hsu"]["district"]
    UserFactory(username="dinkes.hsu", role=User.Role.DISTRICT_PLANNER, district=district)
    demo_seed()
    demo_seed()
    profile = Dhis2Profile.objects.get(district=district)
    assert profile.version == 3  # created, data elements, org units: the second run wrote nothing
    mapping = mapping_of(district=district)
    assert mapping.unmapped_services == []
    assert len(mapping.unmapped_villages) == 1
    assert DataElementMapping.objects.count() == len(mapping.services)
    assert OrgUnitMapping.objects.count() == 2  # one desa and the puskesmas
