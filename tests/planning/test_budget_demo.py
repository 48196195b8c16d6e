"""The demo's part C (issue #16): Hulu Sungai Utara's approved RUKs and Dinkes plan of this year
are scheduled and realised month by month through the last ended month (most done at a cost
near the plan, some not done with a reason), some funded by DBH-CHT, so the budget of the
maternal services is filled; running the demo again changes nothing."""

import datetime

import pytest

from kernel.models import User
from planning.models import Activity, Plan, ScheduleEntry
from planning.selectors import budget as budget_selectors
from planning.services.demo import demo_seed
from tests.factories import PuskesmasFactory, UserFactory

from .conftest import put_achievement

pytestmark = pytest.mark.django_db

THIS_YEAR = datetime.date.today().year
Realisation = ScheduleEntry.Realisation


@pytest.fixture(autouse=True)
def mid_july(monkeypatch):
    monkeypatch.setattr(budget_selectors, "_today", lambda: datetime.date(THIS_YEAR, 7, 15))


@pytest.fixture
def seeded(world, gaps):
    planner = UserFactory(
        username="dinkes.hsu", role=User.Role.DISTRICT_PLANNER, district=world["hsu"]["district"]
    )
    UserFactory(role=User.Role.PUSKESMAS_HEAD, puskesmas=world["hsu"]["puskesmas"])
    for name in ("Puskesmas Danau Panggang", "Puskesmas Alabio", "Puskesmas Babirik"):
        puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name=name)
        UserFactory(role=User.Role.PUSKESMAS_HEAD, puskesmas=puskesmas)
        put_achievement(puskesmas, {2: (100, 30)})
    demo_seed()
    return planner


def test_this_years_plans_are_realised_through_the_last_ended_month(world, seeded):
    plans = Plan.objects.filter(district=world["hsu"]["district"], year=THIS_YEAR)
    assert plans.filter(puskesmas__isnull=False, status=Plan.Status.APPROVED).count() == 4
    assert plans.filter(puskesmas__isnull=True).count() == 1
    entries = ScheduleEntry.objects.filter(activity__plan__in=plans)
    assert entries.filter(activity__plan__puskesmas__isnull=True).exists()  # the Dinkes plan
    assert not entries.filter(month__lte=6, realisation=Realisation.PLANNED).exists()
    assert not entries.filter(month__gte=7).exclude(realisation=Realisation.PLANNED).exists()
    done = entries.filter(realisation=Realisation.DONE)
    not_done = entries.filter(realisation=Realisation.NOT_DONE)
    assert done.count() > 4 * not_done.count() > 0
    assert all(entry.realisation_note for entry in not_done)
    for entry in done:
        assert entry.cost_idr * 85 / 100 - 1000 <= entry.cost_realised_idr <= entry.cost_idr


def test_the_maternal_services_have_a_budget_with_dbh_cht(world, seeded):
    activities = Activity.objects.filter(plan__year=THIS_YEAR)
    assert not activities.filter(service__isnull=True, sub_activity__isnull=True).exists()
    assert activities.filter(funding_source="dbh_cht").exists()
    table = budget_selectors.budget_table(
        user=seeded, district=world["hsu"]["district"], year=THIS_YEAR
    )
    lines = {line.number: line for line in table.lines}
    for number in (1, 2, 3):
        assert lines[number].allocated_idr > 0 and lines[number].realised_idr > 0
        assert 0 < lines[number].percent < 100
    assert lines[2].allocated_by_source.get("dbh_cht")
    assert lines[None].allocated_idr > 0  # the Dinkes plan's monitoring, under its own code
    assert not any(lines[n].realised_by_month[6:] != [0] * 6 for n in lines)


def test_the_demo_runs_twice_without_change(world, seeded):
    state = list(
        ScheduleEntry.objects.order_by("pk").values_list(
            "pk", "realisation", "cost_realised_idr", "version"
        )
    )
    demo_seed()
    again = list(
        ScheduleEntry.objects.order_by("pk").values_list(
            "pk", "realisation", "cost_realised_idr", "version"
        )
    )
    assert again == state


def test_next_years_dinkes_activities_carry_a_service_or_a_code(world, seeded):
    dinkes = Activity.objects.filter(plan__puskesmas__isnull=True)
    assert dinkes.exists()
    assert not dinkes.filter(sub_activity__isnull=True).exists()
