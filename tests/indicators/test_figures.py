"""Figures that never mislead (issue #15, must-have 1): one test per rule.

"Today" is pinned to 3 December 2025 (the demo's day in the issue): October's report was due on
10 November, November's is due on 10 December, so 10 months are due and November is not yet.
"""

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from indicators import selectors, services
from indicators.models import MonthlyReport, MonthlyValue, ReportingYear, Target
from indicators.selectors.dashboards import year_to_date
from workshops.models import Commitment, FollowUp
from workshops.selectors.followups import OpenItems

pytestmark = pytest.mark.django_db

YEAR = 2025
TODAY = datetime.date(YEAR, 12, 3)
_real_localdate = timezone.localdate


@contextmanager
def on(day: datetime.date):
    """Run as if today were `day` (timezone.localdate() without arguments)."""

    def localdate(value=None, timezone=None):
        return day if value is None else _real_localdate(value, timezone)

    with mock.patch("django.utils.timezone.localdate", side_effect=localdate):
        yield


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def spm(world):
    return services.monthly_services(YEAR)


def _report(puskesmas, month, status, values=None, submitted_on=None):
    setup = ReportingYear.objects.get(year=YEAR)
    due = setup.due_on(month)
    submitted = None
    if status != "draft":
        day = submitted_on or due - datetime.timedelta(days=5)
        submitted = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 10))
    report = MonthlyReport.objects.create(
        puskesmas=puskesmas,
        year=YEAR,
        month=month,
        status=status,
        due_on=due,
        first_submitted_at=submitted,
        submitted_at=submitted,
    )
    for (village, service), value in (values or {}).items():
        MonthlyValue.objects.create(report=report, village=village, service=service, value=value)
    return report


def _target(village, service, value):
    Target.objects.create(
        village=village, year=YEAR, service=service, source="estimate", value=value,
        is_of_record=True,
    )  # fmt: skip


@pytest.fixture
def on_pace(world, spm):
    """HSU's puskesmas: each desa serves 10 a month of a target of 120 for the first service
    (exactly on pace); January to October approved, November submitted, not yet approved."""
    hsu = world["hsu"]
    v1, v2 = hsu["villages"]
    for village in (v1, v2):
        _target(village, spm[0], 120)
    for month in range(1, 11):
        _report(hsu["puskesmas"], month, "approved", {(v1, spm[0]): 10, (v2, spm[0]): 10})
    _report(
        hsu["puskesmas"],
        11,
        "submitted",
        {(v1, spm[0]): 10},
        submitted_on=datetime.date(YEAR, 12, 2),
    )
    return hsu


# --- 1. Completeness and timeliness count only months due ----------------------------------------


def test_months_due_and_is_due_are_one_rule_by_the_deadline():
    setup = ReportingYear.objects.get(year=YEAR)
    assert setup.months_due(TODAY) == 10
    assert setup.months_due(datetime.date(YEAR, 12, 10)) == 10  # due on the 10th: not passed
    assert setup.months_due(datetime.date(YEAR, 12, 11)) == 11
    assert setup.months_due(datetime.date(YEAR + 1, 1, 11)) == 12
    november = MonthlyReport(year=YEAR, month=11, due_on=setup.due_on(11))
    october = MonthlyReport(year=YEAR, month=10, due_on=setup.due_on(10))
    assert not november.is_due(TODAY) and october.is_due(TODAY)


def test_district_dashboard_counts_only_due_months_and_says_not_yet_due(en, on_pace, district_user):
    with on(TODAY):
        services.quarter_aggregate(year=YEAR, quarter=4)
        en.force_login(district_user)
        response = en.get(reverse("indicators:dashboard"), {"year": YEAR, "quarter": 4})
    line = response.context["dash"].puskesmas[0]
    # October only: November (approved or not) is not due until 10 December.
    assert (line.rate.expected, line.rate.approved) == (1, 1)
    html = response.content.decode()
    assert "100% <span" in html and "(1 of 1)" in html and "50%" not in html
    assert "Not yet due, so not counted:" in html and "November 2025, December 2025" in html
    assert "Reports approved of reports due" in html


def test_a_quarter_with_no_month_due_shows_not_yet_due_instead_of_a_percentage(
    en, on_pace, district_user, province_user
):
    with on(datetime.date(YEAR, 10, 5)):  # Q4 has begun; none of its months is due
        services.quarter_aggregate(year=YEAR, quarter=4)
        en.force_login(district_user)
        html = en.get(reverse("indicators:dashboard"), {"year": YEAR, "quarter": 4}).content
        assert b'data-testid="not-yet-due">not yet due' in html
        en.force_login(province_user)
        listed = en.get(reverse("indicators:report-list"), {"year": YEAR})
    # The province's report list: due = puskesmas x months due (8 on 5 October), never 12.
    hsu = next(r for r in listed.context["districts"] if r["district"].code == "63.08")
    assert hsu["expected"] == 8 and hsu["approved"] == 8


def test_report_matrix_and_quarterly_report_mark_months_not_yet_due(en, on_pace, district_user):
    with on(TODAY):
        services.quarter_aggregate(year=YEAR, quarter=4)
        en.force_login(district_user)
        listed = en.get(reverse("indicators:report-list"), {"year": YEAR})
        report = selectors.quarterly_report(
            user=district_user, district=on_pace["district"], year=YEAR, quarter=4, today=TODAY
        )
    assert [m for m, due in listed.context["month_numbers"] if not due] == [11, 12]
    assert 'title="not yet due">11*' in listed.content.decode()
    assert [d.month for d in report.months_not_due] == [11, 12]
    assert (report.rate.expected, report.rate.approved) == (1, 1)


# --- 2. One pace: the months reported through ----------------------------------------------------


def test_pace_is_the_same_on_the_dashboard_and_in_the_feedback(on_pace, puskesmas_head):
    october = MonthlyReport.objects.get(puskesmas=on_pace["puskesmas"], month=10)
    with on(TODAY):
        dash = selectors.dashboard_puskesmas(
            user=puskesmas_head, puskesmas=on_pace["puskesmas"], year=YEAR, quarter=4
        )
        feedback = selectors.feedback_get(report=october, today=TODAY)
    # 11 months have ended, but November is not due and has no approved data: 10 months.
    assert dash.period.months == 10 and feedback.pace_months == 10
    assert dash.period.pace == feedback.pace
    assert str(feedback.pace) == "83.33"


def test_desa_on_pace_are_not_below_pace_because_of_a_month_without_data(on_pace, puskesmas_head):
    with on(TODAY):
        dash = selectors.dashboard_puskesmas(
            user=puskesmas_head, puskesmas=on_pace["puskesmas"], year=YEAR, quarter=4
        )
        pack = year_to_date(user=puskesmas_head, area=on_pace["puskesmas"], year=YEAR, month=11)
    first = dash.services[0]
    assert [f.is_below_pace for __, f in first.villages] == [False, False]
    assert first.villages_below_pace == 0
    # A meeting pack through November is held against the same 10 months.
    assert pack.period.months == 10 and pack.period.last_month == 11
    assert not pack.services[0].figure.is_below_pace


def test_a_month_approved_before_its_deadline_counts_in_the_pace(on_pace, puskesmas_head):
    MonthlyReport.objects.filter(puskesmas=on_pace["puskesmas"], month=11).update(status="approved")
    with on(TODAY):
        dash = selectors.dashboard_puskesmas(
            user=puskesmas_head, puskesmas=on_pace["puskesmas"], year=YEAR, quarter=4
        )
    assert dash.period.months == 11 and dash.period.months_due == 10


# --- 3. No submission before the month ends ------------------------------------------------------


def test_a_month_cannot_be_submitted_before_it_ends_unless_the_year_allows_it(
    world, spm, puskesmas_head
):
    translation.activate("en")
    v1 = world["hsu"]["villages"][0]
    december = _report(world["hsu"]["puskesmas"], 12, "draft", {(v1, spm[0]): 4})
    with pytest.raises(ValidationError, match="December 2025 has not ended yet"):
        services.report_submit(
            report=december, version=december.version, by=puskesmas_head, allow_blank=True,
            today=TODAY,
        )  # fmt: skip
    ReportingYear.objects.filter(year=YEAR).update(allow_early_submission=True)
    december.refresh_from_db()
    services.report_submit(
        report=december, version=december.version, by=puskesmas_head, allow_blank=True,
        today=TODAY,
    )  # fmt: skip
    december.refresh_from_db()
    assert december.status == "submitted"


def test_the_entry_page_disables_submit_with_the_reason_before_the_month_ends(
    en, world, spm, puskesmas_head
):
    december = _report(world["hsu"]["puskesmas"], 12, "draft")
    en.force_login(puskesmas_head)
    with on(TODAY):
        html = en.get(reverse("indicators:report-entry", args=[december.pk])).content.decode()
    assert 'disabled aria-describedby="submit-refusal"' in html
    assert "its report can be submitted from 1 January 2026" in html
    assert 'name="action" value="submit"' not in html


def test_the_current_month_may_be_started_a_month_not_begun_may_not(world, puskesmas_head):
    translation.activate("en")
    puskesmas = world["hsu"]["puskesmas"]
    report = services.report_open(
        puskesmas=puskesmas, year=YEAR, month=12, by=puskesmas_head, today=TODAY
    )
    assert report.status == "draft"
    with pytest.raises(ValidationError, match="before it has started"):
        services.report_open(
            puskesmas=puskesmas, year=YEAR + 1, month=1, by=puskesmas_head, today=TODAY
        )


# --- 4. Blank services ask for confirmation ------------------------------------------------------


def test_submitting_with_blank_services_asks_and_says_how_many(en, world, spm, puskesmas_head):
    v1, v2 = world["hsu"]["villages"]
    october = _report(world["hsu"]["puskesmas"], 10, "draft")
    url = reverse("indicators:report-entry", args=[october.pk])
    values = {f"v-{v1.pk}-{s.pk}": "5" for s in spm[:3]}
    en.force_login(puskesmas_head)
    asked = en.post(url, {"version": october.version, "action": "submit", **values})
    assert asked.status_code == 200
    html = asked.content.decode()
    assert "9 of 12 services have no value for any desa. Submit anyway?" in html
    assert '<input type="hidden" name="confirm_blank" value="1">' in html
    october.refresh_from_db()
    assert october.status == "draft" and october.values.filter(value=5).count() == 3  # saved
    confirmed = en.post(
        url, {"version": october.version, "action": "submit", "confirm_blank": "1", **values}
    )
    assert confirmed.status_code == 302
    october.refresh_from_db()
    assert october.status == "submitted"


def test_the_service_refuses_blank_services_unless_allowed(world, spm, puskesmas_head):
    v1, v2 = world["hsu"]["villages"]
    values = {(village, service): 1 for village in (v1, v2) for service in spm}
    full = _report(world["hsu"]["puskesmas"], 9, "draft", values)
    services.report_submit(report=full, version=full.version, by=puskesmas_head, today=TODAY)
    part = _report(world["hsu"]["puskesmas"], 10, "draft", {(v1, spm[0]): 0})  # 0 is a value
    with pytest.raises(services.BlankServices) as refused:
        services.report_submit(report=part, version=part.version, by=puskesmas_head, today=TODAY)
    assert (refused.value.blank, refused.value.total) == (11, 12)


# --- 5. Unlock: the planner is warned, the puskesmas is told who and why -------------------------


def test_unlock_warns_the_planner_and_tells_the_puskesmas_who_when_and_why(
    en, world, spm, district_user, puskesmas_head
):
    district_user.first_name = "Rina"
    district_user.save()
    september = _report(world["hsu"]["puskesmas"], 9, "approved", {})
    entry = reverse("indicators:report-entry", args=[september.pk])
    en.force_login(district_user)
    with on(TODAY):
        html = en.get(entry).content.decode()
    assert (
        "September 2025 leaves the achievement of Q3, Q4 2025 (year to date) and Q3&#x27;s "
        "completeness and timeliness of Puskesmas Hsu until it is approved again."
    ) in html
    services.report_unlock(report=september, by=district_user, reason="Desa A recounted")
    en.force_login(puskesmas_head)
    page = en.get(entry).content.decode()
    assert "Unlocked by Rina" in page and "“Desa A recounted”" in page
    listed = en.get(reverse("indicators:report-list"), {"year": YEAR}).content.decode()
    assert 'data-testid="unlocked">Unlocked by Rina' in listed and "Desa A recounted" in listed


def test_the_report_list_reads_unlocks_in_one_query_whatever_their_number(
    en, world, district_user, puskesmas_head, django_assert_num_queries
):
    puskesmas = world["hsu"]["puskesmas"]
    en.force_login(puskesmas_head)
    url = reverse("indicators:report-list")

    def unlocked(month):
        report = _report(puskesmas, month, "approved")
        services.report_unlock(report=report, by=district_user, reason=f"Month {month}")

    unlocked(1)
    with CaptureQueriesContext(connection) as few:
        en.get(url, {"year": YEAR})
    for month in range(2, 8):
        unlocked(month)
    with django_assert_num_queries(len(few)):
        en.get(url, {"year": YEAR})


# --- 6. No target ---------------------------------------------------------------------------------


def test_a_service_without_a_target_says_no_target_everywhere(en, world, spm, puskesmas_head):
    v1, v2 = world["hsu"]["villages"]
    for village in (v1, v2):
        _target(village, spm[5], 0)  # TB: a target of 0 is no target
    october = _report(world["hsu"]["puskesmas"], 10, "approved", {(v1, spm[5]): 88})
    en.force_login(puskesmas_head)
    with on(TODAY):
        services.quarter_aggregate(year=YEAR, quarter=4)
        dash = en.get(reverse("indicators:dashboard"), {"year": YEAR, "quarter": 4})
        feedback = en.get(reverse("indicators:feedback-detail", args=[october.pk]))
    line = next(x for x in dash.context["dash"].services if x.service == spm[5])
    assert not line.figure.has_target and not line.figure.is_below_pace
    assert all(not f.has_target for __, f in line.villages)
    html = dash.content.decode()
    assert "no target" in html
    row = feedback.content.decode().split(f'data-service="{spm[5].code}"')[1].split("</tr>")[0]
    assert "no target" in row and "%" not in row
    MonthlyReport.objects.filter(pk=october.pk).update(status="draft")
    entry = en.get(reverse("indicators:report-entry", args=[october.pk])).content.decode()
    assert "/ 0" not in entry and "88 /" not in entry and "no target" in entry


# --- 7. Every count says what it counts -----------------------------------------------------------


def test_the_puskesmas_sees_its_submitted_reports_as_waiting_for_the_district(
    en, world, district_user, puskesmas_head
):
    _report(world["hsu"]["puskesmas"], 10, "submitted")
    en.force_login(puskesmas_head)
    html = en.get(reverse("indicators:report-list"), {"year": YEAR}).content.decode()
    assert "Submitted, waiting for the district" in html
    assert "Waiting for your approval" not in html
    en.force_login(district_user)
    html = en.get(reverse("indicators:report-list"), {"year": YEAR}).content.decode()
    assert "Waiting for your approval" in html


def test_open_items_count_only_items_neither_done_nor_dropped():
    items = OpenItems(
        follow_ups=[FollowUp(status="done"), FollowUp(status="planned")],
        commitments=[Commitment(status="dropped"), Commitment(status="in_progress")],
    )
    assert items.count == 2 and items.closed_count == 2
