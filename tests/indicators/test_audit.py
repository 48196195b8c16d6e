"""One review workflow (issue #12): the transition helper, the one audit log and its history
selector, and the migration that folded the old event tables into it."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from indicators import services
from indicators.models import MonthlyReport, MonthlyValue
from kernel import audit
from kernel.models import AuditEvent
from kernel.selectors import audit_history

from ..factories import UserFactory

YEAR = timezone.localdate().year
Status = MonthlyReport.Status


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, the source language."""
    with translation.override("en"):
        yield


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def _report(world, head, month=1) -> MonthlyReport:
    report = services.report_open(
        puskesmas=world["hsu"]["puskesmas"], year=YEAR, month=month, by=head
    )
    village = world["hsu"]["villages"][0]
    service = services.monthly_services(YEAR)[0]
    MonthlyValue.objects.create(report=report, village=village, service=service, value=3)
    return report


@pytest.fixture
def submitted(world, puskesmas_head):
    report = _report(world, puskesmas_head)
    services.report_submit(
        report=report, version=report.version, by=puskesmas_head, allow_blank=True
    )
    return report


# --- The transition helper -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_transition_moves_from_an_allowed_state_and_records_one_event(
    submitted, district_user, world
):
    version = submitted.version
    before = timezone.now()
    audit.transition(
        submitted,
        by=district_user,
        source=[Status.SUBMITTED],
        target=Status.APPROVED,
        action=AuditEvent.Action.APPROVED,
        fields={"decided_by": district_user},
    )
    assert submitted.status == Status.APPROVED and submitted.version == version + 1
    assert submitted.decided_by == district_user and submitted.updated_by == district_user
    event = submitted.events.get(action="approved")
    assert (event.by, event.from_status, event.to_status) == (
        district_user,
        "submitted",
        "approved",
    )
    assert event.at >= before and event.data == {"version": version + 1}
    hsu = world["hsu"]
    assert (event.province, event.district, event.puskesmas) == (
        world["kalsel"],
        hsu["district"],
        hsu["puskesmas"],
    )
    assert set(submitted.events.values_list("action", flat=True)) == {
        "created",
        "submitted",
        "approved",
    }


@pytest.mark.django_db
def test_a_transition_from_another_state_is_refused_saying_the_state_now(
    world, puskesmas_head, district_user
):
    report = _report(world, puskesmas_head)  # a draft
    with pytest.raises(ValidationError) as refused:
        audit.transition(
            report,
            by=district_user,
            source=[Status.SUBMITTED],
            target=Status.APPROVED,
            action=AuditEvent.Action.APPROVED,
        )
    assert refused.value.code == "refused"
    report.refresh_from_db()
    assert report.status == Status.DRAFT and report.version == 1
    assert not report.events.filter(action="approved").exists()


@pytest.mark.django_db
def test_a_stale_version_is_refused_as_changed_since_opened(submitted, district_user):
    with pytest.raises(ValidationError) as refused:
        audit.transition(
            submitted,
            by=district_user,
            source=[Status.SUBMITTED],
            target=Status.APPROVED,
            action=AuditEvent.Action.APPROVED,
            version=submitted.version - 1,
        )
    assert refused.value.code == "stale"
    assert "changed since you opened it" in refused.value.messages[0]
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


@pytest.mark.django_db
def test_a_required_reason_is_required_and_kept(submitted, district_user):
    kwargs = {
        "by": district_user,
        "source": [Status.SUBMITTED],
        "target": Status.RETURNED,
        "action": AuditEvent.Action.RETURNED,
        "reason_required": True,
    }
    with pytest.raises(ValidationError) as refused:
        audit.transition(submitted, reason="  ", **kwargs)
    assert refused.value.code == "reason"
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert not submitted.events.filter(action="returned").exists()
    audit.transition(submitted, reason=" Desa 2 is missing ", **kwargs)
    assert submitted.events.get(action="returned").reason == "Desa 2 is missing"


@pytest.mark.django_db
def test_two_reviewers_approving_at_once_one_wins_the_other_is_told(
    submitted, district_user, world
):
    """The second reviewer opened the same submitted report before the first approved it."""
    second = UserFactory(
        username="dinkes2", role=district_user.role, district=world["hsu"]["district"]
    )
    seen_by_second = MonthlyReport.objects.get(pk=submitted.pk)
    services.report_approve(report=submitted, by=district_user)
    with pytest.raises(ValidationError) as refused:
        services.report_approve(report=seen_by_second, by=second)
    assert "approved" in refused.value.messages[0]
    assert list(submitted.events.filter(action="approved").values_list("by", flat=True)) == [
        district_user.pk
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_on_postgresql_one_wins(world, puskesmas_head, district_user):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no race to lose")
    report = _report(world, puskesmas_head)
    services.report_submit(
        report=report, version=report.version, by=puskesmas_head, allow_blank=True
    )
    barrier, results = threading.Barrier(3), []

    def approve():
        translation.activate("en")
        try:
            mine = MonthlyReport.objects.get(pk=report.pk)
            barrier.wait()
            services.report_approve(report=mine, by=district_user)
            results.append("approved")
        except ValidationError as error:
            results.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve) for __ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("approved") == 1, results
    assert all("approved" in r for r in results)
    assert report.events.filter(action="approved").count() == 1


# --- The history selector and pages -------------------------------------------------------------


@pytest.mark.django_db
def test_history_selector_is_scoped_to_the_users_area(
    submitted, district_user, other_district_user, province_user, other_province_user
):
    assert audit_history(obj=submitted, user=district_user).count() == 2
    assert audit_history(obj=submitted, user=province_user).count() == 2
    assert audit_history(obj=submitted, user=other_district_user).count() == 0
    assert audit_history(obj=submitted, user=other_province_user).count() == 0
    newest = audit_history(obj=submitted, user=district_user).first()
    assert newest.action == "submitted"


@pytest.mark.django_db
def test_report_history_page_shows_the_log_and_is_404_elsewhere(
    en, submitted, district_user, other_district_user
):
    services.report_return(report=submitted, by=district_user, reason="Desa 2 is missing")
    url = reverse("indicators:report-history", kwargs={"pk": submitted.pk})
    en.force_login(district_user)
    page = en.get(url).content.decode()
    assert "Returned" in page and "Desa 2 is missing" in page
    en.force_login(other_district_user)
    assert en.get(url).status_code == 404


@pytest.mark.django_db
def test_report_history_query_count_does_not_grow_with_events(en, submitted, district_user):
    url = reverse("indicators:report-history", kwargs={"pk": submitted.pk})
    en.force_login(district_user)
    en.get(url)
    with CaptureQueriesContext(connection) as few:
        en.get(url)
    for n in range(10):
        audit.record(submitted, action=AuditEvent.Action.SAVED, by=district_user, reason=f"#{n}")
    with CaptureQueriesContext(connection) as many:
        page = en.get(url).content.decode()
    assert "#9" in page
    assert len(many) == len(few)


@pytest.mark.django_db
def test_target_page_shows_who_approved_and_reopened_and_why(en, world, district_user):
    from indicators.models import TargetApproval

    approval = TargetApproval.objects.create(
        district=world["hsu"]["district"], year=YEAR, status="approved"
    )
    audit.transition(
        approval,
        by=district_user,
        source=["approved"],
        target="open",
        action=AuditEvent.Action.REOPENED,
        reason="Dukcapil sent new figures",
        reason_required=True,
    )
    en.force_login(district_user)
    page = en.get(reverse("indicators:target-list"), {"year": YEAR}).content.decode()
    assert "Reopened" in page and "Dukcapil sent new figures" in page


# --- The migration that folded the old event tables -------------------------------------------


BEFORE = [("indicators", "0013_audit_events"), ("planning", "0003_history_of_activities")]


@pytest.mark.django_db(transaction=True)
def test_migration_carries_every_old_event_into_the_audit_log(
    rolls_migrations_back, world, district_user, puskesmas_head
):
    from django.db.migrations.executor import MigrationExecutor

    from planning.models import Plan

    report = MonthlyReport.objects.create(
        puskesmas=world["hsu"]["puskesmas"], year=YEAR, month=1, due_on=timezone.localdate()
    )
    plan = Plan.objects.create(
        district=world["hsu"]["district"],
        puskesmas=world["hsu"]["puskesmas"],
        year=YEAR + 1,
        created_by=puskesmas_head,
    )
    district = world["hsu"]["district"]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        at = timezone.now().replace(microsecond=0) - timezone.timedelta(days=3)
        old.get_model("indicators", "ReportEvent").objects.create(
            report_id=report.pk, action="returned", comment="Desa 2", by_id=district_user.pk, at=at
        )
        TargetApprovalEvent = old.get_model("indicators", "TargetApprovalEvent")
        reopened = TargetApprovalEvent.objects.create(
            district_id=district.pk,
            year=YEAR,
            action="reopened",
            reason="New figures",
            by_id=district_user.pk,
        )
        TargetApprovalEvent.objects.filter(pk=reopened.pk).update(at=at)
        PlanEvent = old.get_model("planning", "PlanEvent")
        returned = PlanEvent.objects.create(
            plan_id=plan.pk, action="returned", note="Too costly", by_id=district_user.pk
        )
        PlanEvent.objects.filter(pk=returned.pk).update(at=at)
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaves)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    from indicators.models import TargetApproval

    rows = {
        e.content_type.model: e
        for e in AuditEvent.objects.select_related("content_type").filter(by=district_user)
    }
    assert set(rows) == {"monthlyreport", "targetapproval", "plan"}
    for event in rows.values():
        assert event.at == at and event.by == district_user
        assert event.district == district and event.province == world["kalsel"]
    assert (rows["monthlyreport"].object_id, rows["monthlyreport"].reason) == (report.pk, "Desa 2")
    assert rows["monthlyreport"].to_status == "returned"
    assert rows["monthlyreport"].puskesmas == world["hsu"]["puskesmas"]
    assert (rows["plan"].object_id, rows["plan"].reason) == (plan.pk, "Too costly")
    approval = TargetApproval.objects.get(pk=rows["targetapproval"].object_id)
    assert (approval.district, approval.year, approval.status) == (district, YEAR, "open")
    assert rows["targetapproval"].reason == "New figures"
