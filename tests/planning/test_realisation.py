"""Realisation (issue #16, part C): month by month, the puskesmas says whether each scheduled
activity of its approved RUK was done and what it cost (the district for its Dinkes plan).
Months not started are refused; done needs a cost in whole rupiah, not done a reason; a cost
passing the activity's budget, negative, fractional, huge or not a number saves nothing; a save
over someone else's newer one is refused with who and both values; every save is audited; an
entry goes back to "not yet reported" while the year is open."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kernel.models import AuditEvent, User
from kernel.versioning import StaleEdit
from planning import services
from planning.models import ScheduleEntry
from planning.selectors import budget as budget_selectors
from tests.factories import UserFactory

from .conftest import add_activity, spm_service

pytestmark = pytest.mark.django_db

THIS_YEAR = datetime.date.today().year
# Mid-July of the plan's year: January to July have started, August to December have not.
TODAY = datetime.date(THIS_YEAR, 7, 15)
Realisation = ScheduleEntry.Realisation


@pytest.fixture(autouse=True)
def mid_july(monkeypatch):
    monkeypatch.setattr(budget_selectors, "_today", lambda: TODAY)


def approve(plan, head, planner):
    plan.refresh_from_db()
    services.plan_submit(plan=plan, version=plan.version, by=head)
    plan.refresh_from_db()
    services.plan_approve(plan=plan, version=plan.version, by=planner)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def rpk(world, puskesmas_head, district_user):
    """This year's approved RUK of the HSU puskesmas: ANC classes (SPM 1, BOK, Rp 12,000,000)
    scheduled in March (Rp 3,000,000) and August (Rp 3,000,000)."""
    plan = services.plan_create(year=THIS_YEAR, by=puskesmas_head)
    activity = add_activity(
        plan, puskesmas_head, budget_idr=Decimal(12_000_000), service=spm_service(1, THIS_YEAR)
    )
    approve(plan, puskesmas_head, district_user)
    march = services.schedule_add(
        activity=activity, month=3, cost_idr=3_000_000, volume="2 kali", by=puskesmas_head
    )
    august = services.schedule_add(
        activity=activity, month=8, cost_idr=3_000_000, by=puskesmas_head
    )
    return {"plan": plan, "activity": activity, "march": march, "august": august}


def events(entry):
    """The audit events about `entry`."""
    kind = ContentType.objects.get_for_model(ScheduleEntry)
    return AuditEvent.objects.filter(content_type=kind, object_id=entry.pk).order_by("pk")


def page(client, plan, month=None):
    url = reverse("planning:realisation", args=[plan.pk])
    return client.get(url, {"month": month} if month else {})


def post(client, entry, **fields):
    data = {f"e{entry.pk}-{name}": value for name, value in fields.items()}
    data.setdefault(f"e{entry.pk}-version", entry.version)
    return client.post(reverse("planning:realisation-save", args=[entry.pk]), data)


# --- Recording -----------------------------------------------------------------------------------


def test_staff_marks_a_month_done_with_its_cost_audited_and_versioned(client, rpk, puskesmas_staff):
    client.force_login(puskesmas_staff)
    march = rpk["march"]
    shown = page(client, rpk["plan"], 3)
    assert shown.status_code == 200
    assert [e.pk for e in shown.context["data"].entries] == [march.pk]
    response = post(
        client, march, realisation="done", cost_realised_idr="2.750.000", realisation_note="2 kelas"
    )
    assert response.status_code == 302
    assert response.url.endswith(f"?month=3#entry-{march.pk}")
    march.refresh_from_db()
    assert march.realisation == Realisation.DONE
    assert march.cost_realised_idr == Decimal(2_750_000)
    assert (march.realised_by, march.version) == (puskesmas_staff, 2)
    assert march.realised_at is not None
    event = events(march).get()
    assert (event.from_status, event.to_status, event.by) == ("planned", "done", puskesmas_staff)
    assert event.data["cost_realised_idr"] == "2750000"
    assert event.puskesmas_id == rpk["plan"].puskesmas_id
    assert march.history.first().realisation == "done"
    after = page(client, rpk["plan"], 3)
    assert after.context["data"].current.realised_idr == Decimal(2_750_000)
    assert "2 kelas" in after.content.decode()


def test_not_done_needs_a_reason_and_costs_nothing_unless_said(client, rpk, puskesmas_head):
    client.force_login(puskesmas_head)
    march = rpk["march"]
    response = post(client, march, realisation="not_done", cost_realised_idr="")
    assert response.status_code == 200
    assert "Say why the activity was not done." in response.content.decode()
    march.refresh_from_db()
    assert march.realisation == Realisation.PLANNED and march.version == 1
    response = post(
        client, march, realisation="not_done", realisation_note="Bidan desa sedang pelatihan"
    )
    assert response.status_code == 302
    march.refresh_from_db()
    assert march.realisation == Realisation.NOT_DONE and march.cost_realised_idr == 0
    event = events(march).get()
    assert event.reason == "Bidan desa sedang pelatihan"


def test_done_needs_the_cost(client, rpk, puskesmas_head):
    client.force_login(puskesmas_head)
    response = post(client, rpk["march"], realisation="done", cost_realised_idr="")
    assert "Enter the cost realised in whole rupiah (0 if it cost nothing)." in (
        response.content.decode()
    )
    with pytest.raises(ValidationError) as error:
        services.realisation_record(
            entry=rpk["march"],
            realisation="done",
            cost_realised_idr=None,
            note="",
            version=1,
            by=puskesmas_head,
        )
    assert "cost_realised_idr" in error.value.message_dict


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-100", "The amount cannot be negative."),
        ("1,5", "Enter a whole amount in rupiah"),
        ("satu juta", "Enter a whole amount in rupiah"),
        ("9" * 16, "at most 15 digits"),
        ("13.000.000", "more than its budget of Rp 12,000,000"),
    ],
)
def test_bad_costs_are_refused_on_the_page_and_save_nothing(
    client, rpk, puskesmas_head, typed, message
):
    client.force_login(puskesmas_head)
    response = post(client, rpk["march"], realisation="done", cost_realised_idr=typed)
    assert response.status_code == 200
    assert message in response.content.decode()
    rpk["march"].refresh_from_db()
    assert rpk["march"].realisation == Realisation.PLANNED
    assert not events(rpk["march"]).exists()


@pytest.mark.parametrize(
    ("cost", "message"),
    [
        (-1, "cannot be negative"),
        (Decimal("1500.5"), "whole rupiah"),
        ("abc", "as a number of rupiah"),
        ("NaN", "as a number of rupiah"),
        (float("inf"), "as a number of rupiah"),
        (True, "as a number of rupiah"),
        (Decimal(10) ** 15, "at most 15 digits"),
        (Decimal(12_000_001), "more than its budget"),
    ],
)
def test_the_service_refuses_bad_costs_with_a_clear_message(rpk, puskesmas_head, cost, message):
    with pytest.raises(ValidationError, match=message):
        services.realisation_record(
            entry=rpk["march"],
            realisation="done",
            cost_realised_idr=cost,
            note="",
            version=1,
            by=puskesmas_head,
        )
    assert ScheduleEntry.objects.get(pk=rpk["march"].pk).version == 1


def test_grouped_text_costs_are_read_as_typed(rpk, puskesmas_head):
    entry = services.realisation_record(
        entry=rpk["march"],
        realisation="done",
        cost_realised_idr="Rp 1.500.000",
        note="",
        version=1,
        by=puskesmas_head,
    )
    assert entry.cost_realised_idr == Decimal(1_500_000)


def test_the_months_together_may_not_pass_the_activitys_budget(client, rpk, puskesmas_head):
    services.realisation_record(
        entry=rpk["march"],
        realisation="done",
        cost_realised_idr=10_000_000,
        note="",
        version=1,
        by=puskesmas_head,
    )
    july = services.schedule_add(activity=rpk["activity"], month=7, by=puskesmas_head)
    with pytest.raises(ValidationError, match="total Rp 13,000,000, more than its budget"):
        services.realisation_record(
            entry=july,
            realisation="done",
            cost_realised_idr=3_000_000,
            note="",
            version=1,
            by=puskesmas_head,
        )
    # Correcting the same month is checked against the others only.
    rpk["march"].refresh_from_db()
    services.realisation_record(
        entry=rpk["march"],
        realisation="done",
        cost_realised_idr=12_000_000,
        note="",
        version=rpk["march"].version,
        by=puskesmas_head,
    )


def test_a_note_too_long_or_a_choice_outside_the_two_is_refused(rpk, puskesmas_head):
    with pytest.raises(ValidationError, match="300 characters"):
        services.realisation_record(
            entry=rpk["march"],
            realisation="not_done",
            cost_realised_idr=None,
            note="x" * 301,
            version=1,
            by=puskesmas_head,
        )
    with pytest.raises(ValidationError, match="done or not done"):
        services.realisation_record(
            entry=rpk["march"],
            realisation="planned",
            cost_realised_idr=0,
            note="",
            version=1,
            by=puskesmas_head,
        )


# --- Months and the year -------------------------------------------------------------------------


def test_a_future_month_is_refused_and_shown_without_a_form(client, rpk, puskesmas_head):
    client.force_login(puskesmas_head)
    august = rpk["august"]
    shown = page(client, rpk["plan"], 8)
    assert 'data-testid="not-started"' in shown.content.decode()
    assert not shown.context["can_realise"]
    assert 'data-testid="realisation-form"' not in shown.content.decode()
    response = post(client, august, realisation="done", cost_realised_idr="1000")
    assert response.status_code == 200
    assert "has not started yet" in response.content.decode()
    with pytest.raises(ValidationError, match="August .* has not started yet"):
        services.realisation_record(
            entry=august,
            realisation="done",
            cost_realised_idr=1000,
            note="",
            version=1,
            by=puskesmas_head,
        )
    august.refresh_from_db()
    assert august.realisation == Realisation.PLANNED


def test_the_page_opens_on_the_last_ended_month(client, rpk, puskesmas_head):
    client.force_login(puskesmas_head)
    assert page(client, rpk["plan"]).context["data"].month == 6
    for bad in ("13", "0", "juni", "%00"):
        assert page(client, rpk["plan"], bad).context["data"].month == 6


def test_undo_goes_back_to_not_yet_reported_while_the_year_is_open(
    client, rpk, puskesmas_head, monkeypatch
):
    march = services.realisation_record(
        entry=rpk["march"],
        realisation="done",
        cost_realised_idr=2_000_000,
        note="",
        version=1,
        by=puskesmas_head,
    )
    client.force_login(puskesmas_head)
    assert "Back to not yet reported" in page(client, rpk["plan"], 3).content.decode()
    url = reverse("planning:realisation-undo", args=[march.pk])
    assert client.post(url, {"version": march.version}).status_code == 302
    march.refresh_from_db()
    assert (march.realisation, march.cost_realised_idr, march.version) == ("planned", None, 3)
    event = events(march).last()
    assert (event.from_status, event.to_status) == ("done", "planned")
    # Once the year has closed (its December report is due), an entry is corrected, not undone.
    march = services.realisation_record(
        entry=march,
        realisation="done",
        cost_realised_idr=2_000_000,
        note="",
        version=march.version,
        by=puskesmas_head,
    )
    monkeypatch.setattr(budget_selectors, "_today", lambda: datetime.date(THIS_YEAR + 1, 3, 1))
    assert "Back to not yet reported" not in page(client, rpk["plan"], 3).content.decode()
    response = client.post(url, {"version": march.version}, follow=True)
    assert "closed on" in response.content.decode()
    march.refresh_from_db()
    assert march.realisation == Realisation.DONE
    services.realisation_record(
        entry=march,
        realisation="done",
        cost_realised_idr=2_100_000,
        note="koreksi",
        version=march.version,
        by=puskesmas_head,
    )


# --- Versions ------------------------------------------------------------------------------------


def test_a_stale_save_is_refused_with_who_and_both_values(
    client, rpk, puskesmas_head, puskesmas_staff
):
    march = rpk["march"]
    services.realisation_record(
        entry=ScheduleEntry.objects.get(pk=march.pk),
        realisation="done",
        cost_realised_idr=2_500_000,
        note="",
        version=1,
        by=puskesmas_staff,
    )
    client.force_login(puskesmas_head)
    # The head's page was opened at version 1, before the staff's save.
    response = post(client, march, realisation="done", cost_realised_idr="2.000.000", version=1)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="stale-edit"' in text
    who = puskesmas_staff.get_full_name() or puskesmas_staff.username
    assert f"Saved meanwhile by {who}" in text
    assert "2500000" in text and "2000000" in text  # theirs and yours
    march.refresh_from_db()
    assert march.cost_realised_idr == Decimal(2_500_000) and march.version == 2
    with pytest.raises(StaleEdit) as refused:
        services.realisation_record(
            entry=march,
            realisation="not_done",
            cost_realised_idr=None,
            note="batal",
            version=1,
            by=puskesmas_head,
        )
    assert refused.value.who == who
    # The refused form now carries the new version: saving again, knowingly, goes over it.
    form = response.context["cards"][0][1]
    assert form.data[f"e{march.pk}-version"] == "2"
    assert post(client, march, realisation="done", cost_realised_idr="2.000.000").status_code == 302
    march.refresh_from_db()
    assert march.cost_realised_idr == Decimal(2_000_000) and march.version == 3


# --- Who -----------------------------------------------------------------------------------------


def test_the_district_reads_a_ruks_realisation_but_does_not_enter_it(client, rpk, district_user):
    client.force_login(district_user)
    shown = page(client, rpk["plan"], 3)
    assert shown.status_code == 200 and not shown.context["can_realise"]
    assert post(client, rpk["march"], realisation="done", cost_realised_idr="1").status_code == 403
    with pytest.raises(PermissionDenied):
        services.realisation_record(
            entry=rpk["march"],
            realisation="done",
            cost_realised_idr=1,
            note="",
            version=1,
            by=district_user,
        )


def test_a_reopened_ruk_is_not_realised(client, rpk, puskesmas_head, district_user):
    plan = rpk["plan"]
    services.plan_return(plan=plan, version=plan.version, reason="Revisi", by=district_user)
    client.force_login(puskesmas_head)
    assert not page(client, plan, 3).context["can_realise"]
    with pytest.raises(ValidationError, match="approved RUK"):
        services.realisation_record(
            entry=rpk["march"],
            realisation="done",
            cost_realised_idr=1,
            note="",
            version=1,
            by=puskesmas_head,
        )


def test_another_area_gets_404(client, world, rpk, other_district_user):
    outsider_head = UserFactory(
        role=User.Role.PUSKESMAS_HEAD, puskesmas=world["banjarmasin"]["puskesmas"]
    )
    for outsider in (other_district_user, outsider_head):
        client.force_login(outsider)
        assert page(client, rpk["plan"], 3).status_code == 404
        assert post(
            client, rpk["march"], realisation="done", cost_realised_idr="1"
        ).status_code == (404)
        url = reverse("planning:realisation-undo", args=[rpk["march"].pk])
        assert client.post(url, {"version": 1}).status_code == 404


def test_a_province_reads_approved_ruks_only(
    client, rpk, province_user, puskesmas_head, district_user
):
    client.force_login(province_user)
    shown = page(client, rpk["plan"], 3)
    assert shown.status_code == 200 and not shown.context["can_realise"]
    plan = rpk["plan"]
    services.plan_return(plan=plan, version=plan.version, reason="Revisi", by=district_user)
    assert page(client, plan, 3).status_code == 404


def test_the_district_realises_its_dinkes_plan(client, world, district_user, puskesmas_head):
    plan = services.plan_create(year=THIS_YEAR, by=district_user)
    activity = add_activity(
        plan,
        district_user,
        budget_idr=Decimal(50_000_000),
        funding_source="dbh_cht",
        service=spm_service(2, THIS_YEAR),
    )
    entry = services.schedule_add(activity=activity, month=4, cost_idr=10_000_000, by=district_user)
    client.force_login(district_user)
    assert page(client, plan, 4).context["can_realise"]
    assert post(client, entry, realisation="done", cost_realised_idr="9.800.000").status_code == 302
    entry.refresh_from_db()
    assert entry.cost_realised_idr == Decimal(9_800_000)
    assert entry.realised_by == district_user
    with pytest.raises(PermissionDenied):
        services.realisation_record(
            entry=entry,
            realisation="done",
            cost_realised_idr=1,
            note="",
            version=entry.version,
            by=puskesmas_head,
        )


def test_a_draft_ruk_has_no_realisation_yet(client, world, puskesmas_head):
    plan = services.plan_create(year=THIS_YEAR, by=puskesmas_head)
    client.force_login(puskesmas_head)
    shown = page(client, plan)
    assert shown.status_code == 200 and not shown.context["has_rpk"]
    assert "once the district approves the RUK" in shown.content.decode()


def test_the_rpk_page_links_to_the_realisation(client, rpk, puskesmas_head):
    client.force_login(puskesmas_head)
    response = client.get(reverse("planning:rpk-detail", args=[rpk["plan"].pk]))
    assert reverse("planning:realisation", args=[rpk["plan"].pk]) in response.content.decode()


def test_the_page_queries_do_not_grow_with_the_entries(client, rpk, puskesmas_head):
    client.force_login(puskesmas_head)
    activity = rpk["activity"]
    with CaptureQueriesContext(connection) as few:
        assert page(client, rpk["plan"], 3).status_code == 200
    for index in range(8):
        more = add_activity_approved(rpk["plan"], puskesmas_head, index)
        entry = services.schedule_add(activity=more, month=3, cost_idr=1000, by=puskesmas_head)
        services.realisation_record(
            entry=entry,
            realisation="done",
            cost_realised_idr=900,
            note="",
            version=1,
            by=UserFactory(role=User.Role.PUSKESMAS_STAFF, puskesmas=activity.plan.puskesmas),
        )
    with CaptureQueriesContext(connection) as many:
        response = page(client, rpk["plan"], 3)
    assert len(response.context["data"].entries) == 9
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def add_activity_approved(plan, by, index):
    """Another activity in an approved plan (tests only: approved plans take no new
    activities through the services)."""
    from planning.models import Activity

    return Activity.objects.create(
        plan=plan,
        effort="P2P",
        name=f"Kegiatan {index}",
        responsible="Petugas",
        funding_source="bok",
        budget_idr=Decimal(10_000),
        created_by=by,
        updated_by=by,
    )
