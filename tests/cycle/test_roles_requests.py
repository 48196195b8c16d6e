"""Data requests to other agencies (issue #16 must-have 5): asked -> promised (by a date) ->
received (on a date) -> used (for what), with impossible dates refused, versions, audit and
rights."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cycle.models import DataRequest
from cycle.selectors.roles import data_request_counts, data_requests
from cycle.services.roles import (
    data_request_advance,
    data_request_delete,
    data_request_save,
    next_statuses,
)
from kernel.models import AuditEvent
from kernel.versioning import StaleEdit

from .roles_world import (
    TODAY,
    YEAR,
    days,
    make_request,
    roles_world_fixture,  # noqa: F401  (the `roles_world` fixture)
    service,
)

pytestmark = pytest.mark.django_db


def _advance(request, status, by, **values):
    return data_request_advance(
        data_request=request, status=status, by=by, version=request.version, **values
    )


def test_a_request_goes_from_asked_to_used_and_each_step_is_audited(roles_world, district_user):
    w = roles_world
    request = make_request(
        w["district"], district_user, partner=w["dinsos"], agency="", service=service(1),
        meeting=w["forum"], asked_on=days(-30),
    )  # fmt: skip
    assert (request.status, request.version, request.agency_name) == (
        "asked",
        1,
        "Dinas Sosial HSU",
    )

    request = _advance(request, "promised", district_user, promised_by=days(-20))
    request = _advance(request, "promised", district_user, promised_by=days(-10))  # new promise
    request = _advance(request, "received", district_user, received_on=days(-2))
    request = _advance(request, "used", district_user, used_for="  Sasaran JKN-PBI layanan 1 ")

    request.refresh_from_db()
    assert (request.status, request.promised_by, request.received_on, request.used_for) == (
        "used",
        days(-10),
        days(-2),
        "Sasaran JKN-PBI layanan 1",
    )
    assert request.version == 5
    steps = AuditEvent.objects.filter(
        content_type__model="datarequest", object_id=request.pk
    ).order_by("pk")
    assert [(e.from_status, e.to_status) for e in steps] == [
        ("", "asked"), ("asked", "promised"), ("promised", "promised"),
        ("promised", "received"), ("received", "used"),
    ]  # fmt: skip
    assert next_statuses(request) == ()


def test_data_may_arrive_without_a_promise(roles_world, district_user):
    request = make_request(roles_world["district"], district_user)
    request = _advance(request, "received", district_user, received_on=TODAY)
    assert request.status == "received" and request.promised_by is None


@pytest.mark.parametrize(
    ("status", "values", "field"),
    [
        ("promised", {"promised_by": days(-31)}, "promised_by"),  # before it was asked
        ("promised", {}, "promised_by"),
        ("received", {"received_on": days(-31)}, "received_on"),  # received before asked
        ("received", {"received_on": days(1)}, "received_on"),  # in the future
        ("received", {}, "received_on"),
        ("used", {"used_for": "x"}, "status"),  # not received yet
        ("asked", {}, "status"),
        ("closed", {}, "status"),
    ],
)
def test_impossible_dates_and_moves_are_refused(roles_world, district_user, status, values, field):
    request = make_request(roles_world["district"], district_user, asked_on=days(-30))

    with pytest.raises(ValidationError) as refused:
        _advance(request, status, district_user, **values)

    assert field in refused.value.message_dict
    request.refresh_from_db()
    assert (request.status, request.version) == ("asked", 1)


def test_used_needs_what_for(roles_world, district_user):
    request = make_request(roles_world["district"], district_user)
    request = _advance(request, "received", district_user, received_on=TODAY)
    with pytest.raises(ValidationError) as refused:
        _advance(request, "used", district_user, used_for="   ")
    assert "used_for" in refused.value.message_dict


def test_a_status_change_from_a_stale_page_is_refused(roles_world, district_user):
    request = make_request(roles_world["district"], district_user)
    stale = DataRequest.objects.get(pk=request.pk)
    _advance(request, "promised", district_user, promised_by=TODAY)

    with pytest.raises(ValidationError):
        data_request_advance(
            data_request=stale, status="promised", promised_by=days(5), by=district_user,
            version=1,
        )  # fmt: skip

    assert DataRequest.objects.get(pk=request.pk).promised_by == TODAY


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"asked_on": days(1)}, "asked_on"),
        ({"asked_on": None}, "asked_on"),
        ({"agency": ""}, "agency"),
        ({"data": "  "}, "data"),
        ({"year": 2200}, "year"),
    ],
)
def test_a_request_asked_in_the_future_or_without_agency_or_data_is_refused(
    roles_world, district_user, values, field
):
    with pytest.raises(ValidationError) as refused:
        make_request(roles_world["district"], district_user, **values)
    assert field in refused.value.message_dict
    assert not DataRequest.objects.exists()


def test_another_districts_partner_service_or_meeting_is_refused(roles_world, district_user):
    from indicators.models import SPMService

    w = roles_world
    provincial = SPMService.objects.filter(level="province").first()
    for values, field in [
        ({"partner": w["other_partner"]}, "partner"),
        ({"meeting": w["other_forum"]}, "meeting"),
        ({"service": provincial}, "service"),
    ]:
        with pytest.raises(ValidationError) as refused:
            make_request(w["district"], district_user, **values)
        assert field in refused.value.message_dict


def test_an_edit_cannot_move_the_asking_after_the_arrival(roles_world, district_user):
    request = make_request(roles_world["district"], district_user, asked_on=days(-30))
    request = _advance(request, "received", district_user, received_on=days(-20))
    request.asked_on = days(-10)

    with pytest.raises(ValidationError) as refused:
        data_request_save(data_request=request, by=district_user, version=request.version)

    assert "asked_on" in refused.value.message_dict


def test_an_edit_keeps_the_status_and_refuses_a_stale_save(roles_world, district_user):
    request = make_request(roles_world["district"], district_user)
    request = _advance(request, "promised", district_user, promised_by=TODAY)
    mine = DataRequest.objects.get(pk=request.pk)
    theirs = DataRequest.objects.get(pk=request.pk)
    theirs.data = "DTSEN desil 1-5"
    data_request_save(data_request=theirs, by=district_user, version=2)

    mine.data = "DTSEN semua desil"
    with pytest.raises(StaleEdit):
        data_request_save(data_request=mine, by=district_user, version=2)

    saved = DataRequest.objects.get(pk=request.pk)
    assert (saved.data, saved.status, saved.version) == ("DTSEN desil 1-5", "promised", 3)


def test_a_create_form_posted_twice_creates_once(roles_world, district_user):
    token = uuid.uuid4()
    for _ in range(2):
        data_request_save(
            data_request=DataRequest(
                district=roles_world["district"], year=YEAR, agency="Disdik",
                data="Siswa kelas 1", asked_on=TODAY,
            ),
            by=district_user,
            token=token,
        )  # fmt: skip
    assert DataRequest.objects.count() == 1


@pytest.mark.parametrize("who", ["province_user", "puskesmas_head", "other_district_user"])
def test_only_the_districts_planners_write_requests(roles_world, district_user, who, request):
    user = request.getfixturevalue(who)
    data_request = make_request(roles_world["district"], district_user)
    with pytest.raises(PermissionDenied):
        make_request(roles_world["district"], user, data="Lain")
    with pytest.raises(PermissionDenied):
        _advance(data_request, "promised", user, promised_by=TODAY)
    with pytest.raises(PermissionDenied):
        data_request_delete(data_request=data_request, by=user)
    assert DataRequest.objects.get().status == "asked"


def test_delete_is_audited(roles_world, district_user):
    data_request = make_request(roles_world["district"], district_user)
    pk = data_request.pk
    data_request_delete(data_request=data_request, by=district_user)
    assert not DataRequest.objects.exists()
    assert AuditEvent.objects.filter(object_id=pk, action="deleted").count() == 1


def test_the_list_marks_promised_dates_passed_and_counts_each_status(
    roles_world, district_user, province_user, other_district_user
):
    w = roles_world
    late = make_request(w["district"], district_user, data="A", asked_on=days(-30))
    _advance(late, "promised", district_user, promised_by=days(-1))
    due_today = make_request(w["district"], district_user, data="B", asked_on=days(-30))
    _advance(due_today, "promised", district_user, promised_by=TODAY)
    make_request(w["district"], district_user, data="C", asked_on=days(-3))
    make_request(w["district"], district_user, data="D", year=YEAR - 1)

    rows = list(data_requests(user=district_user, district=w["district"], year=YEAR))
    counts = data_request_counts(user=district_user, district=w["district"], year=YEAR)

    assert [(r.data, r.is_overdue) for r in rows] == [("A", True), ("B", False), ("C", False)]
    assert rows[0].is_late(TODAY) and not rows[1].is_late(TODAY)
    assert counts == {
        "total": 3, "overdue": 1, "asked": 1, "promised": 2, "received": 0, "used": 0
    }  # fmt: skip
    assert len(data_requests(user=province_user, district=w["district"], year=YEAR)) == 3
    assert not data_requests(user=other_district_user, district=w["district"], year=YEAR)
