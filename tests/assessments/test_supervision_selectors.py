"""The supervision part's reads (issue #18): scoped, a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import SupervisionAction, SupervisionVisit
from assessments.selectors.supervision import (
    district_supervision_summary,
    visits_for_puskesmas,
)

from ..factories import PuskesmasFactory
from .factories import SupervisionVisitFactory

pytestmark = pytest.mark.django_db
Status = SupervisionVisit.Status


def _action(visit, *, status="planned", due_on=datetime.date(2026, 7, 1)):
    return SupervisionAction.objects.create(
        visit=visit,
        finding="Lokmin tidak rutin",
        action="Jadwalkan lokmin",
        due_on=due_on,
        status=status,
    )


def _visits(puskesmas, n, *, year=2026):
    made = []
    for i in range(n):
        visit = SupervisionVisitFactory(
            puskesmas=puskesmas,
            planned_on=datetime.date(year, 3, 1 + i),
            visited_on=datetime.date(year, 3, 1 + i),
            status=Status.DONE,
            score=Decimal("7.50"),
        )
        _action(visit)
        _action(visit, status="done")
        made.append(visit)
    return made


def test_visits_for_puskesmas_by_date_with_open_actions_flagged(world, district_user):
    puskesmas = world["hsu"]["puskesmas"]
    later = SupervisionVisitFactory(puskesmas=puskesmas, planned_on=datetime.date(2026, 9, 1))
    earlier = SupervisionVisitFactory(
        puskesmas=puskesmas,
        planned_on=datetime.date(2026, 2, 1),
        visited_on=datetime.date(2026, 2, 3),
        status=Status.DONE,
    )
    SupervisionVisitFactory(puskesmas=puskesmas, planned_on=datetime.date(2025, 9, 1))
    open_one = _action(earlier, due_on=datetime.date(2020, 1, 1))
    _action(earlier, status="done")

    visits = visits_for_puskesmas(user=district_user, puskesmas=puskesmas, year=2026)

    assert [v.pk for v in visits] == [earlier.pk, later.pk]
    assert [a.pk for a in visits[0].open_actions] == [open_one.pk]
    assert [a.pk for a in visits[0].overdue_actions] == [open_one.pk]
    assert len(visits[0].actions.all()) == 2
    assert visits[1].open_actions == []


def test_another_district_never_sees_the_visits(world, other_district_user, puskesmas_head):
    hsu = world["hsu"]["puskesmas"]
    _visits(hsu, 2)
    assert visits_for_puskesmas(user=other_district_user, puskesmas=hsu, year=2026) == []
    summary = district_supervision_summary(
        user=other_district_user, district=world["hsu"]["district"], year=2026
    )
    assert (summary.done, summary.open_actions, summary.not_visited) == (0, 0, [])


def test_a_puskesmas_sees_only_its_own_visits(world, puskesmas_head):
    own = world["hsu"]["puskesmas"]
    neighbour = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
    _visits(own, 1)
    _visits(neighbour, 1)
    assert len(visits_for_puskesmas(user=puskesmas_head, puskesmas=own, year=2026)) == 1
    assert visits_for_puskesmas(user=puskesmas_head, puskesmas=neighbour, year=2026) == []
    summary = district_supervision_summary(
        user=puskesmas_head, district=world["hsu"]["district"], year=2026
    )
    assert summary.done == 1
    assert summary.not_visited == []


def test_district_summary(world, district_user):
    district = world["hsu"]["district"]
    visited = world["hsu"]["puskesmas"]
    never = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name="Puskesmas Zzz")
    planned_only = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name="Puskesmas Yyy")
    done = SupervisionVisitFactory(
        puskesmas=visited,
        planned_on=datetime.date(2026, 3, 1),
        visited_on=datetime.date(2026, 3, 2),
        status=Status.DONE,
        score=Decimal("8.00"),
    )
    SupervisionVisitFactory(
        puskesmas=visited,
        planned_on=datetime.date(2026, 4, 1),
        visited_on=datetime.date(2026, 4, 2),
        status=Status.DONE,
        score=Decimal("6.25"),
    )
    SupervisionVisitFactory(puskesmas=planned_only, planned_on=datetime.date(2026, 11, 1))
    SupervisionVisitFactory(
        puskesmas=never, planned_on=datetime.date(2026, 5, 1), status=Status.CANCELLED
    )
    # Another year and another district do not count.
    SupervisionVisitFactory(
        puskesmas=never,
        planned_on=datetime.date(2025, 5, 1),
        visited_on=datetime.date(2025, 5, 1),
        status=Status.DONE,
    )
    _visits(world["banjarmasin"]["puskesmas"], 1)
    past = timezone.localdate() - datetime.timedelta(days=3)
    _action(done, due_on=past)
    _action(done, status="in_progress", due_on=timezone.localdate() + datetime.timedelta(days=9))
    _action(done, status="dropped", due_on=past)

    summary = district_supervision_summary(user=district_user, district=district, year=2026)

    assert (summary.planned, summary.done, summary.cancelled) == (1, 2, 1)
    assert (summary.open_actions, summary.overdue_actions) == (2, 1)
    assert summary.mean_score == Decimal("7.13")
    assert [p.pk for p in summary.not_visited] == [planned_only.pk, never.pk]


def _count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_visits(world, district_user):
    puskesmas = world["hsu"]["puskesmas"]
    district = world["hsu"]["district"]
    _visits(puskesmas, 1)

    def both():
        visits = visits_for_puskesmas(user=district_user, puskesmas=puskesmas, year=2026)
        [list(v.actions.all()) for v in visits]
        district_supervision_summary(user=district_user, district=district, year=2026)

    few = _count(both)
    _visits(puskesmas, 6)
    for n in range(3):
        PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name=f"Puskesmas N{n}")
    assert _count(both) == few
    assert few <= 6
