"""The PKP page at 360 px (issue #18 B1): nothing scrolls sideways."""

from __future__ import annotations

import pytest

from assessments.models import PkpServiceResult
from assessments.services.pkp import pkp_start
from kernel.models import User
from tests.assessments.pkp_fixtures import YEAR
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_the_pkp_page_fits_a_phone(page, live_server, log_in, world):
    head = UserFactory(role=User.Role.PUSKESMAS_HEAD, puskesmas=world["hsu"]["puskesmas"])
    pkp = pkp_start(puskesmas=world["hsu"]["puskesmas"], year=YEAR, by=head)
    PkpServiceResult.objects.filter(assessment=pkp, item__code="GIZI1").update(
        target_group=12345, actual=6789
    )
    log_in(page, head)
    page.goto(f"{live_server.url}/assessments/pkp/{pkp.pk}/")
    page.screenshot(path="/tmp/pkp-phone.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
