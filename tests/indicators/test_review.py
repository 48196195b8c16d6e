"""Review at a glance (issue #15): the summary of a submitted report, the list of waiting
reports, approving several at once, and returning with a reason per value."""

import datetime
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators import services
from indicators.models import (
    AgeBand,
    MonthlyReport,
    MonthlyValue,
    Target,
    VillagePopulation,
)
from indicators.selectors.review import return_notes, waiting_reports
from kernel.models import AuditEvent, User

from ..factories import PuskesmasFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1  # a whole past year: every month has ended


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def spm(world):
    return services.monthly_services(YEAR)


def _report(puskesmas, month, spm, *, status="submitted", values=None, skip=()):
    """A report of `puskesmas` for `month` with a value in every cell (1, or `values`'s),
    except the (village index, service index) cells in `skip`."""
    report = MonthlyReport.objects.create(
        puskesmas=puskesmas,
        year=YEAR,
        month=month,
        status=status,
        due_on=datetime.date(YEAR, month, 10),
        submitted_at=timezone.now() if status != "draft" else None,
    )
    villages = services.working_area(puskesmas)
    values = values or {}
    MonthlyValue.objects.bulk_create(
        MonthlyValue(
            report=report,
            village=village,
            service=service,
            value=values.get((vi, si), 1),
            comment=values.get(("c", vi, si), ""),
        )
        for vi, village in enumerate(villages)
        for si, service in enumerate(spm)
        if (vi, si) not in skip
    )
    return report


def _puskesmas(world, name):
    hsu = world["hsu"]
    puskesmas = PuskesmasFactory(subdistrict=hsu["subdistrict"], name=name)
    VillageFactory.create_batch(2, subdistrict=hsu["subdistrict"], puskesmas=puskesmas)
    return puskesmas


def test_the_summary_counts_blanks_errors_warnings_comments_changes_and_outliers(
    world, spm, puskesmas_head, district_user
):
    puskesmas = world["hsu"]["puskesmas"]
    villages = services.working_area(puskesmas)
    elderly = next(i for i, s in enumerate(spm) if s.number == 7)
    # Three months of history around 2 a month: 50 is far from it (9 is not from 3).
    for month in (1, 2, 3):
        _report(puskesmas, month, spm, status="approved", values={(0, 0): 2, (1, elderly): 3})
    VillagePopulation.objects.create(
        village=villages[1], year=YEAR, band=AgeBand.objects.get(code="age60plus"), count=5
    )
    Target.objects.create(
        village=villages[0],
        year=YEAR,
        service=spm[1],
        source="estimate",
        value=4,
        is_of_record=True,
    )
    report = _report(
        puskesmas,
        4,
        spm,
        values={
            (0, 0): 50,  # outlier, no comment
            (0, 1): 3,  # with months 1-3: year to date 6 over the target 4
            ("c", 0, 1): "Catch-up of the neighbouring desa",
            (1, elderly): 9,  # one month above the 5 elderly people: an error
        },
        skip={(1, 2)} | {(vi, 3) for vi in (0, 1)},  # a blank cell; service 4 empty
    )
    summary = waiting_reports(district_user)[0]
    assert summary.report == report
    assert summary.cell_count == 2 * len(spm)
    assert summary.blank_count == 3 and summary.empty_services == [spm[3]]
    assert [(e.village, e.service) for e in summary.errors] == [(villages[1], spm[elderly])]
    kinds = sorted((w.problem.kind, w.has_comment) for w in summary.warnings)
    assert kinds == [("age_group", False), ("history", False), ("target", True)]
    assert summary.uncommented_count == 2 and summary.outlier_count == 1
    assert summary.outliers[0].problem.village == villages[0]
    assert not summary.is_clean and summary.changed_count == 0


def test_values_changed_since_the_last_return_are_listed_with_old_and_new(
    world, spm, puskesmas_head, district_user
):
    report = _report(world["hsu"]["puskesmas"], 5, spm)
    villages = services.working_area(report.puskesmas)
    services.report_return(report=report, by=district_user, reason="Check desa 1")
    cell = (villages[0].pk, spm[0].pk)
    services.report_save(
        report=report,
        cells={cell: services.CellInput(7)},
        version=report.version,
        by=puskesmas_head,
        reason="Register recount",
    )
    MonthlyReport.objects.filter(pk=report.pk).update(status="submitted")
    summary = waiting_reports(district_user)[0]
    assert [(c.village, c.service, c.old_value, c.new_value) for c in summary.changed] == [
        (villages[0], spm[0], 1, 7)
    ]
    assert summary.returned_at is not None and summary.is_clean


def test_waiting_reports_queries_do_not_grow_from_two_to_eight_reports(world, spm, district_user):
    first = _puskesmas(world, "Puskesmas A")
    _report(first, 1, spm)
    _report(first, 2, spm)
    with CaptureQueriesContext(connection) as few:
        assert len(waiting_reports(district_user)) == 2
    for index in range(3):
        other = _puskesmas(world, f"Puskesmas B{index}")
        _report(other, 1, spm)
        _report(other, 2, spm)
    with CaptureQueriesContext(connection) as many:
        assert len(waiting_reports(district_user)) == 8
    assert len(many) <= len(few)


def test_review_list_page_queries_do_not_grow(en, world, spm, district_user):
    en.force_login(district_user)
    url = reverse("indicators:review-list")
    first = _puskesmas(world, "Puskesmas A")
    _report(first, 1, spm)
    _report(first, 2, spm)
    en.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        en.get(url)
    for index in range(3):
        other = _puskesmas(world, f"Puskesmas B{index}")
        _report(other, 1, spm)
        _report(other, 2, spm)
    with CaptureQueriesContext(connection) as many:
        page = en.get(url)
    assert len(page.context["rows"]) == 8
    assert len(many) <= len(few)


def test_the_list_shows_counts_ticks_only_clean_reports_and_filters(en, world, spm, district_user):
    clean = _report(world["hsu"]["puskesmas"], 1, spm)
    other = _puskesmas(world, "Puskesmas Alabio")
    blank = _report(other, 2, spm, skip={(0, 0)})
    _report(world["banjarmasin"]["puskesmas"], 1, spm)  # another district: never listed
    _report(world["hsu"]["puskesmas"], 3, spm, status="approved")  # decided: not waiting
    en.force_login(district_user)
    url = reverse("indicators:review-list")
    page = en.get(url)
    body = page.content.decode()
    assert [s.report for s, __ in page.context["rows"]] == [clean, blank]
    assert f'name="report" value="{clean.pk}"' in body
    assert f'name="report" value="{blank.pk}"' not in body
    assert "Approve selected" in body
    assert [s.report for s, __ in en.get(url, {"month": 2}).context["rows"]] == [blank]
    only = en.get(url, {"puskesmas": other.pk}).context["rows"]
    assert [s.report for s, __ in only] == [blank]
    assert en.get(url, {"month": "x", "puskesmas": "nope"}).status_code == 200


def test_the_list_file_has_the_page_columns(en, world, spm, district_user):
    from openpyxl import load_workbook

    _report(world["hsu"]["puskesmas"], 1, spm, skip={(0, 0)})
    en.force_login(district_user)
    url = reverse("indicators:review-list")
    page = en.get(url)
    export = en.get(url, {"format": "xlsx"})
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == [label for label, __ in page.context["table"].header_cells()]
    assert rows[1][0] == world["hsu"]["puskesmas"].name and rows[1][3] == 1


@pytest.mark.parametrize("role", ["head", "province"])
def test_only_reviewers_open_the_list_and_approve(
    en, world, spm, role, puskesmas_head, province_user
):
    report = _report(world["hsu"]["puskesmas"], 1, spm)
    en.force_login(puskesmas_head if role == "head" else province_user)
    url = reverse("indicators:review-list")
    assert en.get(url).status_code == 403
    posted = en.post(url, {"report": [report.pk], f"version-{report.pk}": report.version})
    assert posted.status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted"


def test_approve_selected_approves_each_clean_report_through_the_audited_service(
    en, world, spm, district_user
):
    first = _report(world["hsu"]["puskesmas"], 1, spm)
    second = _report(_puskesmas(world, "Puskesmas Alabio"), 1, spm)
    en.force_login(district_user)
    url = reverse("indicators:review-list")
    response = en.post(
        url,
        {
            "report": [first.pk, second.pk],
            f"version-{first.pk}": first.version,
            f"version-{second.pk}": second.version,
        },
        follow=True,
    )
    assert "2 reports approved." in response.content.decode()
    for report in (first, second):
        report.refresh_from_db()
        assert report.status == "approved" and report.decided_by == district_user
        events = AuditEvent.objects.filter(object_id=report.pk, action="approved")
        assert events.get().by == district_user


def test_a_report_changed_or_decided_meanwhile_is_skipped_and_said_never_failing_the_batch(
    en, world, spm, district_user
):
    approved_meanwhile = _report(world["hsu"]["puskesmas"], 1, spm)
    changed_meanwhile = _report(world["hsu"]["puskesmas"], 2, spm)
    blank_now = _report(world["hsu"]["puskesmas"], 3, spm)
    fine = _report(world["hsu"]["puskesmas"], 4, spm)
    shown = {r.pk: r.version for r in (approved_meanwhile, changed_meanwhile, blank_now, fine)}
    services.report_approve(report=approved_meanwhile, by=district_user)
    MonthlyReport.objects.filter(pk=changed_meanwhile.pk).update(version=9)
    blank_now.values.filter(service=spm[0]).update(value=None)
    en.force_login(district_user)
    data = {"report": list(shown)} | {f"version-{pk}": v for pk, v in shown.items()}
    body = en.post(reverse("indicators:review-list"), data, follow=True).content.decode()
    assert "1 report approved." in body
    assert body.count("Not approved") == 3
    assert "it is approved now" in body and "it changed since the list was shown" in body
    statuses = dict(MonthlyReport.objects.values_list("pk", "status"))
    assert statuses[fine.pk] == "approved"
    assert statuses[changed_meanwhile.pk] == statuses[blank_now.pk] == "submitted"
    assert (
        AuditEvent.objects.filter(object_id=approved_meanwhile.pk, action="approved").count() == 1
    )


def test_another_districts_report_in_a_bulk_post_is_ignored(
    en, world, spm, district_user, other_district_user
):
    ours = _report(world["hsu"]["puskesmas"], 1, spm)
    theirs = _report(world["banjarmasin"]["puskesmas"], 1, spm)
    en.force_login(district_user)
    data = {
        "report": [ours.pk, theirs.pk, 999999],
        f"version-{ours.pk}": ours.version,
        f"version-{theirs.pk}": theirs.version,
        "version-999999": 1,
    }
    body = en.post(reverse("indicators:review-list"), data, follow=True).content.decode()
    assert "2 selected reports are not in your area: ignored." in body
    assert "Banjarmasin" not in body
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert theirs.status == "submitted" and ours.status == "approved"
    assert not AuditEvent.objects.filter(object_id=theirs.pk, action="approved").exists()


def test_the_entry_page_shows_the_report_at_a_glance_to_the_reviewer_only(
    en, world, spm, district_user, puskesmas_head
):
    report = _report(world["hsu"]["puskesmas"], 1, spm, skip={(0, 0)})
    village = services.working_area(report.puskesmas)[0]
    url = reverse("indicators:report-entry", kwargs={"pk": report.pk})
    en.force_login(district_user)
    body = en.get(url).content.decode()
    assert 'data-testid="review-glance"' in body
    assert f'href="#cell-{village.pk}-{spm[0].pk}"' in body  # the blank cell, linked
    assert f'id="cell-{village.pk}-{spm[0].pk}"' in body  # ... to its place in the grid
    assert "1 blank cell (of 24)" in body
    en.force_login(puskesmas_head)
    assert 'data-testid="review-glance"' not in en.get(url).content.decode()


def test_a_return_keeps_a_reason_per_value_and_the_head_reads_them_above_the_grid(
    en, world, spm, district_user, puskesmas_head
):
    report = _report(world["hsu"]["puskesmas"], 1, spm)
    villages = services.working_area(report.puskesmas)
    en.force_login(district_user)
    en.post(
        reverse("indicators:report-review", kwargs={"pk": report.pk}),
        {
            "action": "return",
            "reason": "Two values to check",
            f"rv-{villages[0].pk}-{spm[0].pk}": "Twice last month's?",
            "rv-village-1": villages[1].pk,
            "rv-service-1": spm[2].pk,
            "rv-reason-1": "Register says 0",
            "rv-reason-2": "",  # an unused row
        },
    )
    report.refresh_from_db()
    assert report.status == "returned"
    event = AuditEvent.objects.get(object_id=report.pk, action="returned")
    assert event.data["values"] == [
        {"village": villages[0].pk, "service": spm[0].pk, "reason": "Twice last month's?"},
        {"village": villages[1].pk, "service": spm[2].pk, "reason": "Register says 0"},
    ]
    notes = return_notes(report)
    assert [(n.village, n.service, n.reason) for n in notes] == [
        (villages[0], spm[0], "Twice last month's?"),
        (villages[1], spm[2], "Register says 0"),
    ]
    en.force_login(puskesmas_head)
    body = en.get(reverse("indicators:report-entry", kwargs={"pk": report.pk})).content.decode()
    assert 'data-testid="return-notes"' in body
    assert "Twice last month&#x27;s?" in body and villages[1].name in body
    assert f'href="#cell-{villages[0].pk}-{spm[0].pk}"' in body


@pytest.mark.parametrize("where", ["other puskesmas", "not a service", "no reason", "no desa"])
def test_a_reason_per_value_must_name_a_cell_of_this_report(world, spm, district_user, where):
    report = _report(world["hsu"]["puskesmas"], 1, spm)
    ours = services.working_area(report.puskesmas)[0]
    foreign = world["banjarmasin"]["villages"][0]
    item = {
        "other puskesmas": {"village": foreign.pk, "service": spm[0].pk, "reason": "x"},
        "not a service": {"village": ours.pk, "service": 999999, "reason": "x"},
        "no reason": {"village": ours.pk, "service": spm[0].pk, "reason": " "},
        "no desa": {"village": "", "service": spm[0].pk, "reason": "x"},
    }[where]
    with pytest.raises(ValidationError):
        services.report_return(report=report, by=district_user, reason="Check", values=[item])
    report.refresh_from_db()
    assert report.status == "submitted"


def test_a_return_without_values_keeps_its_event_as_before(world, spm, district_user):
    report = _report(world["hsu"]["puskesmas"], 1, spm)
    services.report_return(report=report, by=district_user, reason="Check")
    event = AuditEvent.objects.get(object_id=report.pk, action="returned")
    assert "values" not in event.data and return_notes(report) == []


def test_a_planner_without_a_district_sees_no_list(en, world):
    lost = UserFactory(username="lost", role=User.Role.DISTRICT_PLANNER)
    en.force_login(lost)
    assert en.get(reverse("indicators:review-list")).status_code == 403
