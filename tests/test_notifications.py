"""Notifications (issue #15): the service and its area guard, the rules each app declares on
audit events, the daily scans and digest, the e-mail preference, the inbox and the bell."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from indicators import services
from indicators.models import MonthlyReport, MonthlyValue, ReportingYear
from kernel import notifications
from kernel.models import Notification, User
from kernel.selectors.notifications import inbox, latest_unread, unread_count

from .factories import CommitmentFactory, FollowUpFactory, MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
Immediately = User.EmailNotifications.IMMEDIATELY


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _report(world, head, month=1) -> MonthlyReport:
    report = services.report_open(
        puskesmas=world["hsu"]["puskesmas"], year=YEAR, month=month, by=head
    )
    village = world["hsu"]["villages"][0]
    for service in services.monthly_services(YEAR):  # no blank service: submits without asking
        MonthlyValue.objects.create(report=report, village=village, service=service, value=0)
    return report


@pytest.fixture
def submitted(world, puskesmas_head, puskesmas_staff, district_user):
    report = _report(world, puskesmas_head)
    services.report_submit(
        report=report, version=report.version, by=puskesmas_head, allow_blank=True
    )
    return report


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# --- The service ---------------------------------------------------------------------------------


def test_notify_makes_one_notification_per_recipient_in_the_objects_area(
    world, puskesmas_head, puskesmas_staff
):
    report = _report(world, puskesmas_head)
    made = notifications.notify(
        [puskesmas_head, puskesmas_staff], kind="test", title="Hello", url="/reports/", obj=report
    )
    assert len(made) == 2
    row = Notification.objects.get(recipient=puskesmas_head)
    assert (row.title, row.url, row.obj) == ("Hello", "/reports/", report)
    assert (row.puskesmas_id, row.district_id) == (
        world["hsu"]["puskesmas"].pk,
        world["hsu"]["district"].pk,
    )


def test_nothing_is_sent_about_an_object_of_another_area(
    world, puskesmas_head, other_district_user, other_province_user, province_user, admin_user
):
    report = _report(world, puskesmas_head)
    other_head = UserFactory(
        role=User.Role.PUSKESMAS_HEAD, puskesmas=world["banjarmasin"]["puskesmas"]
    )
    made = notifications.notify(
        [other_head, other_district_user, other_province_user, province_user, admin_user],
        kind="test",
        title="Not for you",
        obj=report,
    )
    assert {row.recipient for row in made} == {province_user, admin_user}
    assert not Notification.objects.filter(
        recipient__in=[other_head, other_district_user, other_province_user]
    ).exists()


def test_a_district_object_reaches_its_puskesmas_when_its_model_says_so(
    world, puskesmas_head, other_district_user
):
    """A district's targets have no puskesmas; their area_paths let its puskesmas see them,
    a district forum's RTL item does not (kernel.scoping decides)."""
    from indicators.models import TargetApproval

    approval = TargetApproval.objects.create(district=world["hsu"]["district"], year=YEAR)
    people = [puskesmas_head, other_district_user]
    made = notifications.notify(people, kind="t", title="x", obj=approval)
    assert [row.recipient for row in made] == [puskesmas_head]
    forum = MeetingFactory(kind="forum", puskesmas=None, district=world["hsu"]["district"])
    item = FollowUpFactory(meeting=forum)
    assert notifications.notify(people, kind="t", title="x", obj=item) == []


def test_a_key_tells_each_person_once(world, puskesmas_head, puskesmas_staff):
    first = notifications.notify([puskesmas_head], kind="t", title="x", key="k1")
    again = notifications.notify([puskesmas_head, puskesmas_staff], kind="t", title="x", key="k1")
    assert len(first) == 1 and [row.recipient for row in again] == [puskesmas_staff]
    assert Notification.objects.filter(key="k1").count() == 2


def test_a_link_to_another_host_is_never_kept(world, puskesmas_head):
    for url in ("https://evil.example/x", "//evil.example/x", "/\\evil.example"):
        (row,) = notifications.notify([puskesmas_head], kind="t", title="x", url=url, key=url)
        assert row.url == ""


def test_inactive_people_are_not_told(world, puskesmas_head):
    puskesmas_head.is_active = False
    puskesmas_head.save()
    assert notifications.notify([puskesmas_head], kind="t", title="x") == []


def test_those_who_want_it_get_an_email_at_once_after_the_commit(
    world, puskesmas_head, puskesmas_staff, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=puskesmas_head.pk).update(
        email="kapus@example.org", email_notifications=Immediately
    )
    User.objects.filter(pk=puskesmas_staff.pk).update(email="staf@example.org")  # daily
    people = User.objects.filter(pk__in=[puskesmas_head.pk, puskesmas_staff.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifications.notify(people, kind="t", title="Report returned", url="/reports/1/")
    assert mail.outbox == [] and callbacks  # nothing before the commit
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == ["kapus@example.org"]
    assert message.subject == "Report returned"
    assert "http://127.0.0.1:8000/reports/1/" in message.body
    html = message.alternatives[0][0]
    assert 'href="http://127.0.0.1:8000/reports/1/"' in html
    row = Notification.objects.get(recipient=puskesmas_head)
    assert row.emailed_at is not None
    assert notifications.notifications_email([row.pk]) == 0  # a retry sends nothing again
    assert len(mail.outbox) == 1


def test_the_email_is_in_indonesian_by_default(
    world, puskesmas_head, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=puskesmas_head.pk).update(
        email="kapus@example.org", email_notifications=Immediately
    )
    people = User.objects.filter(pk=puskesmas_head.pk)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            people,
            kind="t",
            title=lambda: translation.gettext("Approved"),
            url="/reports/1/",
        )
    row = Notification.objects.get(recipient=puskesmas_head)
    with translation.override("id"):
        assert row.title == translation.gettext("Approved")
    assert len(mail.outbox) == 1


# --- Rules on audit events -----------------------------------------------------------------------


def test_a_submitted_report_reaches_the_districts_planners_only(
    submitted, district_user, puskesmas_head, other_district_user
):
    (row,) = Notification.objects.filter(kind="report_submitted")
    assert row.recipient == district_user
    assert row.url == reverse("indicators:report-review", args=[submitted.pk])
    assert _kinds(puskesmas_head) == [] and _kinds(other_district_user) == []


def test_a_returned_report_tells_its_puskesmas_the_reason(
    submitted, district_user, puskesmas_head, puskesmas_staff
):
    services.report_return(report=submitted, by=district_user, reason="Desa 2 is missing")
    for person in (puskesmas_head, puskesmas_staff):
        row = Notification.objects.get(recipient=person, kind="report_returned")
        assert "dikembalikan" in row.title and "Desa 2 is missing" in row.body
        assert row.url == reverse("indicators:report-entry", args=[submitted.pk])
        assert row.obj == submitted
    assert "report_returned" not in _kinds(district_user)  # who did it is not told


def test_approved_and_unlocked_reports_tell_their_puskesmas(
    submitted, district_user, puskesmas_head
):
    services.report_approve(report=submitted, by=district_user)
    services.report_unlock(report=submitted, by=district_user, reason="Wrong month entered")
    assert {"report_approved", "report_unlocked"} <= set(_kinds(puskesmas_head))
    row = Notification.objects.get(recipient=puskesmas_head, kind="report_unlocked")
    assert "Wrong month entered" in row.body


def test_a_refused_unlock_request_tells_who_asked(submitted, district_user, puskesmas_staff):
    services.report_approve(report=submitted, by=district_user)
    request = services.unlock_request_create(report=submitted, by=puskesmas_staff, reason="typo")
    services.unlock_request_decide(
        request=request, by=district_user, grant=False, answer="Fix it next month"
    )
    row = Notification.objects.get(kind="unlock_refused")
    assert row.recipient == puskesmas_staff and "Fix it next month" in row.body


def test_a_ruk_returned_or_approved_tells_its_puskesmas(world, district_user, puskesmas_head):
    from planning.models import Plan
    from planning.services import plans

    plan = Plan.objects.create(
        year=YEAR + 1,
        puskesmas=world["hsu"]["puskesmas"],
        district=world["hsu"]["district"],
        created_by=puskesmas_head,
        status=Plan.Status.SUBMITTED,
    )
    plans.plan_return(plan=plan, version=plan.version, reason="Add the budget", by=district_user)
    plan.refresh_from_db()
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.SUBMITTED)
    plan.refresh_from_db()
    plans.plan_approve(plan=plan, version=plan.version, by=district_user)
    assert set(_kinds(puskesmas_head)) == {"ruk_returned", "ruk_approved"}
    returned = Notification.objects.get(recipient=puskesmas_head, kind="ruk_returned")
    assert "Add the budget" in returned.body
    assert returned.url == reverse("planning:plan-detail", args=[plan.pk])


def test_a_failing_rule_never_undoes_the_step(monkeypatch, submitted, district_user):
    def broken(obj, event):
        raise RuntimeError("boom")

    notifications.on_event(
        MonthlyReport, "returned", kind="broken_test_rule", recipients=broken, title="x", url=""
    )
    try:
        services.report_return(report=submitted, by=district_user, reason="Desa 2")
    finally:
        notifications._rules[("indicators.monthlyreport", "returned")] = [
            rule
            for rule in notifications.rules_for(MonthlyReport, "returned")
            if rule.kind != "broken_test_rule"
        ]
    submitted.refresh_from_db()
    assert submitted.status == MonthlyReport.Status.RETURNED
    assert Notification.objects.filter(kind="report_returned").exists()


# --- Daily scans and the digest ------------------------------------------------------------------


def test_a_deadline_in_three_days_tells_the_puskesmas_whose_report_is_not_submitted(
    world, puskesmas_head, district_user
):
    ReportingYear.objects.filter(year=YEAR).update(deadline_day=10)
    today = datetime.date(YEAR, 3, 7)  # February's report is due on 10 March
    banjarmasin_head = UserFactory(
        role=User.Role.PUSKESMAS_HEAD, puskesmas=world["banjarmasin"]["puskesmas"]
    )
    bontang_head = UserFactory(
        role=User.Role.PUSKESMAS_HEAD, puskesmas=world["bontang"]["puskesmas"]
    )
    done = _report(world, puskesmas_head, month=2)
    done.puskesmas = world["bontang"]["puskesmas"]
    MonthlyReport.objects.filter(pk=done.pk).update(
        puskesmas=world["bontang"]["puskesmas"], status=MonthlyReport.Status.SUBMITTED
    )
    notifications.scans_run(today)
    notifications.scans_run(today)  # a second run repeats nothing
    assert _kinds(puskesmas_head) == ["report_due"]
    assert _kinds(banjarmasin_head) == ["report_due"]
    assert _kinds(bontang_head) == []  # submitted already
    row = Notification.objects.get(recipient=puskesmas_head)
    assert (
        "10 Maret" in row.title
    )  # in the recipient's language, Indonesian and row.district_id == world["hsu"]["district"].pk
    assert notifications.scans_run(datetime.date(YEAR, 3, 6))["indicators.report_deadline"] == 0


def test_rtl_items_and_commitments_due_in_three_days_or_overdue_reach_their_meetings_people(
    world, puskesmas_head, district_user
):
    today = datetime.date(YEAR, 6, 1)
    lokmin = MeetingFactory(puskesmas=world["hsu"]["puskesmas"], created_by=puskesmas_head)
    forum = MeetingFactory(
        kind="forum", puskesmas=None, district=world["hsu"]["district"], created_by=district_user
    )
    soon = FollowUpFactory(meeting=lokmin, due_on=today + datetime.timedelta(days=3))
    FollowUpFactory(meeting=lokmin, due_on=today + datetime.timedelta(days=10))  # not yet
    FollowUpFactory(meeting=lokmin, due_on=today - datetime.timedelta(days=10), status="done")
    late = CommitmentFactory(meeting=forum, due_on=today - datetime.timedelta(days=1))
    notifications.scans_run(today)
    notifications.scans_run(today + datetime.timedelta(days=1))  # overdue is told once
    (rtl,) = Notification.objects.filter(recipient=puskesmas_head)
    assert rtl.kind == "rtl_due" and rtl.obj == soon
    assert rtl.url == reverse("workshops:followup-status", args=[soon.pk])
    (commitment,) = Notification.objects.filter(recipient=district_user)
    assert commitment.kind == "commitment_overdue" and commitment.obj == late


def test_the_daily_digest_sends_one_email_per_person_listing_what_is_unsent(
    world, puskesmas_head, puskesmas_staff, district_user
):
    User.objects.filter(pk=puskesmas_head.pk).update(email="kapus@example.org")  # daily
    User.objects.filter(pk=puskesmas_staff.pk).update(
        email="staf@example.org", email_notifications=User.EmailNotifications.NEVER
    )
    User.objects.filter(pk=district_user.pk).update(email="")  # no address
    people = User.objects.filter(pk__in=[puskesmas_head.pk, puskesmas_staff.pk, district_user.pk])
    notifications.notify(people, kind="t", title="First thing", url="/a/")
    notifications.notify(people, kind="t", title="Second thing", url="/b/")
    read = notifications.notify(people, kind="t", title="Read already")
    Notification.objects.filter(pk__in=[r.pk for r in read]).update(read_at=timezone.now())
    assert notifications.digest_send() == 1
    (message,) = mail.outbox
    assert message.to == ["kapus@example.org"]
    assert "First thing" in message.body and "Second thing" in message.body
    assert "Read already" not in message.body
    assert "2" in message.subject
    assert notifications.digest_send() == 0  # each listed once


def test_the_daily_task_runs_the_scans_and_the_digest(world, puskesmas_head):
    from kernel.tasks import notifications_daily

    User.objects.filter(pk=puskesmas_head.pk).update(email="kapus@example.org")
    notifications.notify([puskesmas_head], kind="t", title="Waiting")
    result = notifications_daily.delay().get()
    assert result["digests"] == 1 and "indicators.report_deadline" in result["scans"]
    notifications_daily.delay().get()
    assert len(mail.outbox) == 1


# --- Reads, the inbox and the bell ---------------------------------------------------------------


def test_reads_give_the_unread_count_and_newest_unread(world, puskesmas_head):
    for n in range(7):
        notifications.notify([puskesmas_head], kind="t", title=f"n{n}")
    Notification.objects.filter(title="n0").update(read_at=timezone.now())
    assert unread_count(puskesmas_head) == 6
    assert [row.title for row in latest_unread(puskesmas_head)] == ["n6", "n5", "n4", "n3", "n2"]
    assert (
        inbox(puskesmas_head).count() == 7 and inbox(puskesmas_head, unread_only=True).count() == 6
    )


def test_a_notification_of_an_area_left_behind_is_no_longer_shown(world, puskesmas_head):
    report = _report(world, puskesmas_head)
    notifications.notify([puskesmas_head], kind="t", title="x", obj=report)
    puskesmas_head.puskesmas = world["banjarmasin"]["puskesmas"]
    puskesmas_head.save()
    assert unread_count(puskesmas_head) == 0


def test_the_inbox_marks_unread_and_shares_on_whatsapp(client, world, puskesmas_head):
    (row,) = notifications.notify(
        [puskesmas_head], kind="t", title="Report returned", url="/reports/5/"
    )
    client.force_login(puskesmas_head)
    page = client.get(reverse("kernel:inbox")).content.decode()
    assert "notification-unread" in page and "Report returned" in page
    assert "https://wa.me/?text=Report%20returned%0Ahttp%3A//testserver/reports/5/" in page
    assert 'data-testid="bell-count"' in page
    assert reverse("kernel:notification-open", args=[row.pk]) in page


def test_opening_a_notification_marks_it_read_and_lands_on_its_object(
    client, world, puskesmas_head
):
    (row,) = notifications.notify([puskesmas_head], kind="t", title="x", url="/reports/5/")
    client.force_login(puskesmas_head)
    response = client.get(reverse("kernel:notification-open", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == "/reports/5/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_a_link_that_is_not_local_opens_the_inbox(client, world, puskesmas_head):
    (row,) = notifications.notify([puskesmas_head], kind="t", title="x")
    Notification.objects.filter(pk=row.pk).update(url="https://evil.example/")
    client.force_login(puskesmas_head)
    response = client.get(reverse("kernel:notification-open", args=[row.pk]))
    assert response["Location"] == reverse("kernel:inbox")


def test_nobody_opens_or_marks_anothers_notification(
    client, world, puskesmas_head, puskesmas_staff
):
    (row,) = notifications.notify([puskesmas_head], kind="t", title="x", url="/reports/5/")
    client.force_login(puskesmas_staff)
    assert client.get(reverse("kernel:notification-open", args=[row.pk])).status_code == 404
    assert client.post(reverse("kernel:notification-read", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_one_and_all_read(client, world, puskesmas_head):
    rows = [notifications.notify([puskesmas_head], kind="t", title=f"n{n}")[0] for n in range(3)]
    client.force_login(puskesmas_head)
    response = client.post(
        reverse("kernel:notification-read", args=[rows[0].pk]),
        {"next": reverse("kernel:inbox") + "?unread=1"},
    )
    assert response["Location"] == reverse("kernel:inbox") + "?unread=1"
    assert unread_count(puskesmas_head) == 2
    response = client.post(
        reverse("kernel:notification-read-all"), {"next": "https://evil.example"}
    )
    assert response["Location"] == reverse("kernel:inbox")
    assert unread_count(puskesmas_head) == 0
    assert list(client.get(reverse("kernel:inbox") + "?unread=1").context["rows"]) == []


def test_the_inbox_query_count_does_not_grow(client, world, puskesmas_head):
    client.force_login(puskesmas_head)
    notifications.notify([puskesmas_head], kind="t", title="one", url="/a/")
    url = reverse("kernel:inbox")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        notifications.notify([puskesmas_head], kind="t", title=f"n{n}", url=f"/a/{n}/")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_bell_costs_at_most_one_query(client, world, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("kernel:account")
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    notifications.notify([puskesmas_head], kind="t", title="x")
    with CaptureQueriesContext(connection) as with_one:
        page = client.get(url).content.decode()
    assert 'data-testid="bell-count"' in page
    bell = [q for q in with_one.captured_queries if "kernel_notification" in q["sql"]]
    assert len(bell) == 1 and len(with_one) == len(without)


# --- Preferences ---------------------------------------------------------------------------------


def test_the_preference_defaults_to_the_daily_digest_and_is_saved_as_a_versioned_edit(
    client, world, puskesmas_head
):
    assert puskesmas_head.email_notifications == User.EmailNotifications.DAILY
    client.force_login(puskesmas_head)
    url = reverse("kernel:notification-preferences")
    page = client.get(url).content.decode()
    assert 'name="version"' in page
    version = User.objects.get(pk=puskesmas_head.pk).version
    response = client.post(url, {"email_notifications": "immediately", "version": version})
    assert response.status_code == 302
    puskesmas_head.refresh_from_db()
    assert puskesmas_head.email_notifications == Immediately
    stale = client.post(url, {"email_notifications": "never", "version": version})
    assert stale.status_code == 200  # someone saved since: refused, with who and when
    puskesmas_head.refresh_from_db()
    assert puskesmas_head.email_notifications == Immediately


def test_never_means_no_email(world, puskesmas_head, django_capture_on_commit_callbacks):
    User.objects.filter(pk=puskesmas_head.pk).update(
        email="kapus@example.org", email_notifications=User.EmailNotifications.NEVER
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(User.objects.filter(pk=puskesmas_head.pk), kind="t", title="x")
    assert notifications.digest_send() == 0 and mail.outbox == []
    assert unread_count(puskesmas_head) == 1
