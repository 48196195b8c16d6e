"""`make run` seeds the demo every time it starts: a second seed edits what the first made, at
the versions it reads, and never trips over its own earlier saves (issue #12)."""

import pytest

from kernel.models import HealthOfficeUnit, PartnerOrganisation, Puskesmas, ServicePoint
from kernel.services.demo import demo_seed

pytestmark = pytest.mark.django_db


def test_the_organisation_demo_seeds_twice_and_changes_nothing_the_second_time(spm_catalogue):
    demo_seed(password="demo-test-2026")
    models = (Puskesmas, ServicePoint, PartnerOrganisation, HealthOfficeUnit)
    counts = [model.objects.count() for model in models]
    demo_seed(password="demo-test-2026")
    assert [model.objects.count() for model in models] == counts
    assert counts[0] > 0 and counts[1] > 0
