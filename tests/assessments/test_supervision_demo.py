"""The supervision demo (issue #18 must-have 4): HSU's 2026 visits by dinkes.hsu, run twice,
the same."""

import pytest

from assessments.models import SupervisionAction, SupervisionVisit
from assessments.services import demo_supervision
from kernel.models import User

from ..factories import PuskesmasFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_visits_of_hsu_run_twice(world):
    district = world["hsu"]["district"]
    planner = UserFactory(username="dinkes.hsu", role=User.Role.DISTRICT_PLANNER, district=district)
    for name, *_rest in demo_supervision.DONE:
        PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name=f"Puskesmas {name}")
    for name, *_rest in demo_supervision.PLANNED:
        PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name=f"Puskesmas {name}")
    demo_supervision.demo_seed()
    state = sorted(SupervisionVisit.objects.values_list("puskesmas__name", "status", "score"))
    demo_supervision.demo_seed()
    assert sorted(SupervisionVisit.objects.values_list("puskesmas__name", "status", "score")) == (
        state
    )
    done = SupervisionVisit.objects.filter(status="done")
    assert done.count() == 5 and not done.filter(score__isnull=True).exists()
    assert {"Puskesmas Alabio", "Puskesmas Danau Panggang"} <= set(
        done.values_list("puskesmas__name", flat=True)
    )
    assert SupervisionVisit.objects.filter(status="planned").count() == 2
    assert all(v.created_by == planner for v in SupervisionVisit.objects.all())
    actions = list(SupervisionAction.objects.all())
    assert {a.status for a in actions} == {"planned", "in_progress", "done", "dropped"}
    assert sum(1 for a in actions if a.is_overdue()) == 1
