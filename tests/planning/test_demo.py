"""The planning demo builds RUKs from the puskesmas's gaps and its lokmin's RTL, the Dinkes plan
and one approved, scheduled RUK, through the services; running it twice changes nothing."""

import pytest

from kernel.models import User
from planning.models import Activity, Plan, ScheduleEntry
from planning.services.demo import demo_seed
from tests.factories import FollowUpFactory, MeetingFactory, PuskesmasFactory, UserFactory

from .conftest import PLAN_YEAR, put_achievement

pytestmark = pytest.mark.django_db


def test_demo_builds_ruks_from_gaps_and_rtl_and_is_idempotent(world, gaps):
    UserFactory(
        username="dinkes.hsu", role=User.Role.DISTRICT_PLANNER, district=world["hsu"]["district"]
    )
    hsu_head = UserFactory(role=User.Role.PUSKESMAS_HEAD, puskesmas=world["hsu"]["puskesmas"])
    danau = PuskesmasFactory(
        subdistrict=world["hsu"]["subdistrict"], name="Puskesmas Danau Panggang"
    )
    danau_head = UserFactory(role=User.Role.PUSKESMAS_HEAD, puskesmas=danau)
    put_achievement(danau, {2: (100, 30)})
    meeting = MeetingFactory(puskesmas=danau, created_by=danau_head)
    item = FollowUpFactory(meeting=meeting)

    demo_seed()
    counts = (Plan.objects.count(), Activity.objects.count(), ScheduleEntry.objects.count())
    demo_seed()
    assert (Plan.objects.count(), Activity.objects.count(), ScheduleEntry.objects.count()) == counts

    hsu_ruk = Plan.objects.get(puskesmas=world["hsu"]["puskesmas"], year=PLAN_YEAR)
    gap_services = set(
        hsu_ruk.activities.filter(origin=Activity.Origin.GAP).values_list(
            "service__number", flat=True
        )
    )
    assert gap_services == {1, 4}
    assert hsu_ruk.created_by == hsu_head
    danau_ruk = Plan.objects.get(puskesmas=danau, year=PLAN_YEAR)
    assert danau_ruk.status == Plan.Status.DRAFT  # left open for its head's demo
    assert danau_ruk.activities.filter(origin=Activity.Origin.RTL, follow_up=item).exists()
    this_year = Plan.objects.get(puskesmas=danau, year=PLAN_YEAR - 1)
    assert this_year.status == Plan.Status.APPROVED
    assert ScheduleEntry.objects.filter(activity__plan=this_year).exists()
    dinkes = Plan.objects.get(
        puskesmas__isnull=True, district=world["hsu"]["district"], year=PLAN_YEAR
    )
    assert dinkes.activities.filter(sub_activity__code="1.02.02.2.02.0008").exists()
