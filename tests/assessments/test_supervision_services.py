"""The supervision part's services (issue #18): rights, the checklist's levels only, dates,
cancel reasons, RTL status rules, one-time tokens and versions, audit events."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments.models import (
    Instrument,
    Item,
    SupervisionAction,
    SupervisionScore,
    SupervisionVisit,
)
from assessments.services import supervision as services
from kernel.models import AuditEvent
from kernel.versioning import StaleEdit

from .factories import SupervisionVisitFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _plan(user, puskesmas, **kwargs):
    return services.visit_plan(
        puskesmas=puskesmas,
        planned_on=kwargs.pop("planned_on", TODAY + datetime.timedelta(days=7)),
        team="Kasi Yankes\nPerencana",
        purpose="Supervisi terpadu",
        by=user,
        **kwargs,
    )


def _items(visit):
    return list(
        Item.objects.filter(section__instrument=visit.instrument).order_by(
            "section__order", "order"
        )
    )


def test_the_shipped_checklist():
    checklist = Instrument.for_year(Instrument.Kind.SUPERVISION, 2026)
    assert checklist.code == "supervision" and not checklist.is_verified
    sections = list(checklist.sections.all())
    assert len(sections) == 5
    for section in sections:
        items = list(section.items.all())
        assert 2 <= len(items) <= 4
        for item in items:
            assert [lv.score for lv in item.levels.all()] == [0, 4, 7, 10]
    assert {b.rank: b.min_value for b in checklist.bands.all()} == {
        "good": 8,
        "fair": 6,
        "poor": 0,
    }


def test_a_planner_plans_a_visit_once_per_token(world, district_user):
    token = uuid.uuid4()
    first = _plan(district_user, world["hsu"]["puskesmas"], token=token)
    again = _plan(district_user, world["hsu"]["puskesmas"], token=token)
    assert first.pk == again.pk
    assert SupervisionVisit.objects.count() == 1
    assert first.instrument == Instrument.for_year("supervision", first.planned_on.year)
    assert first.status == "planned" and first.created_by == district_user
    assert AuditEvent.objects.filter(object_id=first.pk, action="created").exists()


def test_only_the_district_plans(world, district_user, other_district_user, puskesmas_head):
    with pytest.raises(PermissionDenied):
        _plan(other_district_user, world["hsu"]["puskesmas"])
    with pytest.raises(PermissionDenied):
        _plan(puskesmas_head, world["hsu"]["puskesmas"])
    with pytest.raises(PermissionDenied):
        _plan(district_user, world["banjarmasin"]["puskesmas"])


def test_admin_plans_anywhere(world, admin_user):
    assert _plan(admin_user, world["bontang"]["puskesmas"]).pk


def test_team_required_and_nul_cleaned(world, district_user):
    with pytest.raises(ValidationError):
        services.visit_plan(
            puskesmas=world["hsu"]["puskesmas"],
            planned_on=TODAY,
            team="  ",
            by=district_user,
        )
    visit = services.visit_plan(
        puskesmas=world["hsu"]["puskesmas"],
        planned_on=TODAY,
        team="Kasi\x00 Yankes",
        purpose="a\x00b",
        by=district_user,
    )
    assert "\x00" not in visit.team and visit.purpose == "ab"


def test_edit_is_versioned(world, district_user):
    visit = _plan(district_user, world["hsu"]["puskesmas"])
    visit.purpose = "Baru"
    services.visit_edit(visit=visit, by=district_user, version=1)
    stale = SupervisionVisit.objects.get(pk=visit.pk)
    stale.purpose = "Lain"
    with pytest.raises(StaleEdit):
        services.visit_edit(visit=stale, by=district_user, version=1)
    assert SupervisionVisit.objects.get(pk=visit.pk).purpose == "Baru"


def test_edit_cannot_move_the_visit_out_of_the_district(world, district_user):
    visit = _plan(district_user, world["hsu"]["puskesmas"])
    visit.puskesmas = world["banjarmasin"]["puskesmas"]
    with pytest.raises(PermissionDenied):
        services.visit_edit(visit=visit, by=district_user, version=1)


def test_cancel_needs_a_reason(world, district_user):
    visit = _plan(district_user, world["hsu"]["puskesmas"])
    with pytest.raises(ValidationError):
        services.visit_cancel(visit=visit, reason=" ", by=district_user)
    services.visit_cancel(visit=visit, reason="Banjir", by=district_user)
    visit.refresh_from_db()
    assert visit.status == "cancelled"
    event = AuditEvent.objects.get(object_id=visit.pk, to_status="cancelled")
    assert event.reason == "Banjir"
    with pytest.raises(ValidationError):  # a cancelled visit is not recorded
        services.visit_record(
            visit=visit,
            visited_on=TODAY,
            findings="",
            scores={},
            by=district_user,
            version=visit.version,
        )


def test_record_scores_only_at_levels_and_computes_the_score(world, district_user):
    visit = _plan(district_user, world["hsu"]["puskesmas"], planned_on=TODAY)
    items = _items(visit)
    with pytest.raises(ValidationError):
        services.visit_record(
            visit=visit,
            visited_on=TODAY,
            findings="x",
            scores={items[0].pk: ("5", "")},
            by=district_user,
            version=visit.version,
        )
    with pytest.raises(ValidationError):
        services.visit_record(
            visit=visit,
            visited_on=TODAY,
            findings="x",
            scores={items[0].pk: ("NaN", "")},
            by=district_user,
            version=visit.version,
        )
    assert not SupervisionScore.objects.exists()
    # All items at 10 except the first at 4: section A (3 items) = 8, others 10 -> 9.6.
    scores = {item.pk: ("10", "") for item in items}
    scores[items[0].pk] = ("4", "RUK tanpa analisis")
    saved = services.visit_record(
        visit=visit,
        visited_on=TODAY,
        findings="Lokmin tidak rutin",
        scores=scores,
        by=district_user,
        version=visit.version,
    )
    assert saved.status == "done" and saved.visited_on == TODAY
    assert SupervisionVisit.objects.get(pk=visit.pk).score == Decimal("9.60")
    assert SupervisionScore.objects.get(visit=visit, item=items[0]).note == "RUK tanpa analisis"
    assert AuditEvent.objects.filter(object_id=visit.pk, to_status="done").exists()


def test_an_item_of_another_checklist_is_refused(world, district_user):
    visit = _plan(district_user, world["hsu"]["puskesmas"], planned_on=TODAY)
    pkp_item = Item.objects.filter(section__instrument__kind="pkp").first()
    with pytest.raises(ValidationError):
        services.visit_record(
            visit=visit,
            visited_on=TODAY,
            findings="",
            scores={pkp_item.pk: ("10", "")},
            by=district_user,
            version=visit.version,
        )


def test_a_visit_in_the_future_is_refused(world, district_user):
    visit = _plan(district_user, world["hsu"]["puskesmas"])
    with pytest.raises(ValidationError):
        services.visit_record(
            visit=visit,
            visited_on=TODAY + datetime.timedelta(days=1),
            findings="",
            scores={},
            by=district_user,
            version=visit.version,
        )


def test_puskesmas_head_cannot_record(world, puskesmas_head):
    visit = SupervisionVisitFactory(puskesmas=world["hsu"]["puskesmas"])
    with pytest.raises(PermissionDenied):
        services.visit_record(
            visit=visit,
            visited_on=TODAY,
            findings="",
            scores={},
            by=puskesmas_head,
            version=visit.version,
        )


def _action(visit, user, **kwargs):
    return services.action_save(
        action=SupervisionAction(
            visit=visit,
            finding="Lokmin tidak rutin",
            action="Jadwalkan lokmin bulanan",
            responsible="Kapus",
            due_on=TODAY + datetime.timedelta(days=30),
        ),
        by=user,
        version=None,
        **kwargs,
    )


def test_actions_by_the_district_status_by_the_head(
    world, district_user, puskesmas_head, other_district_user
):
    visit = SupervisionVisitFactory(puskesmas=world["hsu"]["puskesmas"])
    token = uuid.uuid4()
    action = _action(visit, district_user, token=token)
    assert _action(visit, district_user, token=token).pk == action.pk
    with pytest.raises(PermissionDenied):
        _action(visit, puskesmas_head)
    with pytest.raises(PermissionDenied):
        services.action_status_change(action=action, status="in_progress", by=other_district_user)
    services.action_status_change(action=action, status="in_progress", by=puskesmas_head)
    with pytest.raises(ValidationError):  # done needs evidence
        services.action_status_change(action=action, status="done", by=puskesmas_head)
    services.action_status_change(
        action=action, status="done", note="Notulen lokmin Juli", by=puskesmas_head
    )
    action.refresh_from_db()
    assert (action.status, action.status_note) == ("done", "Notulen lokmin Juli")
    with pytest.raises(ValidationError):  # reopened with a note only
        services.action_status_change(action=action, status="in_progress", by=district_user)
    assert AuditEvent.objects.filter(object_id=action.pk, to_status="done").exists()


def test_dropped_needs_a_reason_and_bad_status_refused(world, district_user):
    visit = SupervisionVisitFactory(puskesmas=world["hsu"]["puskesmas"])
    action = _action(visit, district_user)
    with pytest.raises(ValidationError):
        services.action_status_change(action=action, status="dropped", by=district_user)
    with pytest.raises(ValidationError):
        services.action_status_change(action=action, status="nonsense", by=district_user)
    services.action_status_change(
        action=action, status="dropped", note="Tidak relevan", by=district_user
    )
    assert SupervisionAction.objects.get(pk=action.pk).status == "dropped"


def test_action_edit_versioned(world, district_user):
    visit = SupervisionVisitFactory(puskesmas=world["hsu"]["puskesmas"])
    action = _action(visit, district_user)
    action.responsible = "Bidan koordinator"
    services.action_save(action=action, by=district_user, version=1)
    old = SupervisionAction.objects.get(pk=action.pk)
    old.version = 1
    with pytest.raises(StaleEdit):
        services.action_save(action=old, by=district_user, version=1)
