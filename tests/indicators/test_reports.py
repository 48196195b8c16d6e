"""Monthly reports through the pages: entry, checks, workflow, no lost update, audit, scoping."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators import services
from indicators.models import MonthlyReport, MonthlyValue, Target, ValueChange, VillagePopulation

from ..factories import UserFactory, VillageFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def report(world, puskesmas_head):
    return services.report_open(
        puskesmas=world["hsu"]["puskesmas"], year=YEAR, month=1, by=puskesmas_head
    )


@pytest.fixture
def grid(report):
    return services.working_area(report.puskesmas), services.monthly_services(YEAR)


def _post(report, grid, values, **extra):
    villages, spm = grid
    data = {"version": report.version, "action": "save", **extra}
    if data["action"] == "submit":
        # These reports fill a few services: submitting them confirms the blank ones (issue
        # #15 asks first; tests/indicators/test_figures.py covers the question).
        data.setdefault("confirm_blank", "1")
    for (v_index, s_index), value in values.items():
        data[f"v-{villages[v_index].pk}-{spm[s_index].pk}"] = value
    return data


def test_puskesmas_starts_a_month_with_a_post_and_lands_on_the_entry_page(
    en, world, puskesmas_head
):
    en.force_login(puskesmas_head)
    response = en.post(reverse("indicators:report-start"), {"year": YEAR, "month": 1})
    report = MonthlyReport.objects.get(puskesmas=world["hsu"]["puskesmas"], year=YEAR, month=1)
    assert response.url == reverse("indicators:report-entry", kwargs={"pk": report.pk})
    page = en.get(response.url)
    assert page.status_code == 200
    assert "entry-form" in page.content.decode()


def test_saving_keeps_empty_apart_from_zero_and_audits_every_change(
    en, report, grid, puskesmas_head
):
    en.force_login(puskesmas_head)
    url = reverse("indicators:report-entry", kwargs={"pk": report.pk})
    response = en.post(url, _post(report, grid, {(0, 0): "5", (1, 0): "0", (0, 1): ""}))
    assert response.status_code == 302
    values = {(v.village_id, v.service_id): v.value for v in MonthlyValue.objects.all()}
    villages, spm = grid
    assert values[(villages[0].pk, spm[0].pk)] == 5
    assert values[(villages[1].pk, spm[0].pk)] == 0
    assert values.get((villages[0].pk, spm[1].pk)) is None
    changes = ValueChange.objects.filter(report=report)
    # The empty cell was empty before: not a change.
    assert changes.count() == 2 and all(c.changed_by == puskesmas_head for c in changes)
    report.refresh_from_db()
    assert report.version == 2


@pytest.mark.parametrize(
    "typed,expected", [("-3", "negative"), ("2.5", "whole number"), ("abc", "whole number")]
)
def test_hard_errors_refuse_the_save_with_a_message_at_the_cell(
    en, report, grid, puskesmas_head, typed, expected
):
    en.force_login(puskesmas_head)
    url = reverse("indicators:report-entry", kwargs={"pk": report.pk})
    response = en.post(url, _post(report, grid, {(0, 0): "7", (1, 0): typed}))
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body and "entry-problem" in body
    assert f'value="{typed}"' in body  # what was typed comes back, nothing lost
    assert not MonthlyValue.objects.exists()  # not even the good cell


def test_a_desa_outside_the_working_area_is_refused(en, world, report, grid, puskesmas_head):
    en.force_login(puskesmas_head)
    foreign = world["banjarmasin"]["villages"][0]
    data = _post(report, grid, {(0, 0): "1"})
    data[f"v-{foreign.pk}-{grid[1][0].pk}"] = "4"
    response = en.post(reverse("indicators:report-entry", kwargs={"pk": report.pk}), data)
    assert response.status_code == 400
    assert not MonthlyValue.objects.exists()


def test_a_save_over_a_cell_changed_since_is_refused_with_their_value_and_who(
    en, client, report, grid, puskesmas_head, puskesmas_staff
):
    url = reverse("indicators:report-entry", kwargs={"pk": report.pk})
    stale = _post(report, grid, {(0, 0): "9"})
    en.force_login(puskesmas_staff)
    assert en.post(url, _post(report, grid, {(0, 0): "4"})).status_code == 302
    en.force_login(puskesmas_head)
    response = en.post(url, stale)
    assert response.status_code == 400
    body = response.content.decode()
    who = puskesmas_staff.get_full_name() or puskesmas_staff.username
    assert "since you opened them" in body and f"{who} saved 4" in body
    assert 'value="9"' in body  # what was typed is still there
    assert MonthlyValue.objects.get().value == 4


def test_saves_of_different_cells_on_one_version_both_land(
    en, report, grid, puskesmas_head, puskesmas_staff
):
    url = reverse("indicators:report-entry", kwargs={"pk": report.pk})
    mine, theirs = _post(report, grid, {(0, 0): "9"}), _post(report, grid, {(1, 0): "4"})
    en.force_login(puskesmas_staff)
    assert en.post(url, theirs).status_code == 302
    en.force_login(puskesmas_head)
    assert en.post(url, mine).status_code == 302
    assert sorted(MonthlyValue.objects.values_list("value", flat=True)) == [4, 9]


def _page_form(page: str) -> dict:
    """Every field of the entry form as the browser would post it untouched."""
    import re

    fields = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        fields[name] = value
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
        fields[name] = text
    return {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}


def test_the_whole_form_keeps_what_others_saved_in_cells_this_user_did_not_touch(
    en, report, grid, puskesmas_head, puskesmas_staff
):
    """Without JavaScript the whole grid is posted: cells this user left alone carry what the
    page showed (o- fields), so another user's newer value there stays, and no conflict."""
    villages, spm = grid
    url = reverse("indicators:report-entry", kwargs={"pk": report.pk})
    en.force_login(puskesmas_head)
    form = _page_form(en.get(url).content.decode())
    assert form[f"o-{villages[1].pk}-{spm[0].pk}"] == ""
    en.force_login(puskesmas_staff)
    assert en.post(url, _post(report, grid, {(1, 0): "4"})).status_code == 302
    en.force_login(puskesmas_head)
    form[f"v-{villages[0].pk}-{spm[0].pk}"] = "9"
    response = en.post(url, {**form, "action": "save"})
    assert response.status_code == 302
    values = {(v.village_id, v.service_id): v.value for v in MonthlyValue.objects.all()}
    assert values == {(villages[0].pk, spm[0].pk): 9, (villages[1].pk, spm[0].pk): 4}
    # The same cell changed by both: refused, and the page now shows theirs as seen.
    form = _page_form(en.get(url).content.decode())
    en.force_login(puskesmas_staff)
    assert en.post(url, {**form, f"v-{villages[0].pk}-{spm[0].pk}": "5"}).status_code == 302
    en.force_login(puskesmas_head)
    response = en.post(url, {**form, f"v-{villages[0].pk}-{spm[0].pk}": "7"})
    assert response.status_code == 400
    again = _page_form(response.content.decode())
    assert again[f"v-{villages[0].pk}-{spm[0].pk}"] == "7"
    assert again[f"o-{villages[0].pk}-{spm[0].pk}"] == "5"
    # Having seen their value, saving again is a decision, not a lost update.
    assert en.post(url, {**again, "action": "save"}).status_code == 302
    assert MonthlyValue.objects.get(village=villages[0], service=spm[0]).value == 7


def test_warnings_need_a_comment_before_submitting(en, world, report, grid, puskesmas_head):
    villages, spm = grid
    Target.objects.create(
        village=villages[0],
        year=YEAR,
        service=spm[0],
        source="estimate",
        value=10,
        is_of_record=True,
    )
    en.force_login(puskesmas_head)
    url = reverse("indicators:report-entry", kwargs={"pk": report.pk})
    response = en.post(url, _post(report, grid, {(0, 0): "12"}, action="submit"))
    # The value is saved (a warning is not an error) but the report is not submitted.
    assert response.status_code == 400
    assert "over the annual target" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "draft" and MonthlyValue.objects.get().value == 12
    data = _post(report, grid, {(0, 0): "12"}, action="submit")
    data[f"c-{villages[0].pk}-{spm[0].pk}"] = "Catch-up of women from the neighbouring desa"
    assert en.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"


def test_served_more_than_the_age_group_is_a_warning(report, grid, puskesmas_head):
    from indicators.models import AgeBand

    villages, spm = grid
    elderly = next(s for s in spm if s.number == 7)
    VillagePopulation.objects.create(
        village=villages[0], year=YEAR, band=AgeBand.objects.get(code="age60plus"), count=20
    )
    cells = {(villages[0].pk, elderly.pk): services.CellInput(25)}
    warnings = services.report_warnings(report=report, cells=cells)
    assert len(warnings) == 1 and "20" in warnings[0].message


def test_full_workflow_return_resubmit_approve_lock_unlock(
    en, world, report, grid, puskesmas_head, district_user
):
    entry = reverse("indicators:report-entry", kwargs={"pk": report.pk})
    review = reverse("indicators:report-review", kwargs={"pk": report.pk})
    en.force_login(puskesmas_head)
    en.post(entry, _post(report, grid, {(0, 0): "3", (1, 0): "4"}, action="submit"))
    report.refresh_from_db()
    assert report.status == "submitted"

    en.force_login(district_user)
    assert "required" not in en.post(review, {"action": "return", "reason": ""}).url
    report.refresh_from_db()
    assert report.status == "submitted"  # a return needs a reason
    en.post(review, {"action": "return", "reason": "Desa 2 looks too low"})
    report.refresh_from_db()
    assert report.status == "returned"

    en.force_login(puskesmas_head)
    page = en.get(entry).content.decode()
    assert "Desa 2 looks too low" in page
    refused = en.post(entry, _post(report, grid, {(0, 0): "3", (1, 0): "6"}, action="submit"))
    assert "say why" in refused.content.decode()  # changes after submission need a reason
    report.refresh_from_db()
    en.post(
        entry,
        _post(report, grid, {(0, 0): "3", (1, 0): "6"}, action="submit", reason="Register recount"),
    )
    report.refresh_from_db()
    assert report.status == "submitted" and report.changes_since_return == 1

    en.force_login(district_user)
    en.post(review, {"action": "approve"})
    en.post(review, {"action": "lock"})
    report.refresh_from_db()
    assert report.status == "locked" and report.locked_by == district_user

    en.force_login(puskesmas_head)
    locked = en.post(entry, _post(report, grid, {(0, 0): "30"}, reason="typo"))
    assert locked.status_code == 400
    assert MonthlyValue.objects.get(village=grid[0][0], service=grid[1][0]).value == 3

    en.post(
        reverse("indicators:unlock-request-create", kwargs={"pk": report.pk}),
        {"reason": "Late register from Posyandu Melati"},
    )
    en.force_login(district_user)
    unlock = report.unlock_requests.get()
    en.post(
        reverse("indicators:unlock-request-decide", kwargs={"pk": unlock.pk}),
        {"decision": "grant", "answer": "OK, fix it by Friday"},
    )
    report.refresh_from_db()
    assert report.status == "draft"
    history = en.get(reverse("indicators:report-history", kwargs={"pk": report.pk}))
    body = history.content.decode()
    for word in (
        "Submitted",
        "Returned",
        "Approved",
        "Locked",
        "Unlock requested",
        "Unlocked",
        "Register recount",
    ):
        assert word in body


def test_history_file_has_the_page_columns_and_local_times(en, report, grid, puskesmas_head):
    from io import BytesIO

    from openpyxl import load_workbook

    en.force_login(puskesmas_head)
    en.post(
        reverse("indicators:report-entry", kwargs={"pk": report.pk}),
        _post(report, grid, {(0, 0): "4"}),
    )
    url = reverse("indicators:report-history", kwargs={"pk": report.pk})
    page = en.get(url)
    export = en.get(url, {"format": "xlsx"})
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == [label for label, __ in page.context["table"].header_cells()]
    change = ValueChange.objects.get(report=report)
    when = timezone.localtime(change.changed_at).replace(tzinfo=None, microsecond=0)
    assert rows[1][0].replace(microsecond=0) == when and rows[1][5] == 4


def test_puskesmas_cannot_approve_its_own_report(en, report, grid, puskesmas_head):
    en.force_login(puskesmas_head)
    en.post(
        reverse("indicators:report-entry", kwargs={"pk": report.pk}),
        _post(report, grid, {(0, 0): "1"}, action="submit"),
    )
    en.post(reverse("indicators:report-review", kwargs={"pk": report.pk}), {"action": "approve"})
    report.refresh_from_db()
    assert report.status == "submitted"


def test_district_planner_cannot_enter_values(en, report, grid, district_user):
    en.force_login(district_user)
    response = en.post(
        reverse("indicators:report-entry", kwargs={"pk": report.pk}),
        _post(report, grid, {(0, 0): "1"}),
    )
    assert response.status_code == 400
    assert not MonthlyValue.objects.exists()


def test_entry_page_query_count_does_not_grow_with_desa(
    en, world, report, puskesmas_head, django_assert_num_queries
):
    en.force_login(puskesmas_head)
    url = reverse("indicators:report-entry", kwargs={"pk": report.pk})
    with CaptureQueriesContext(connection) as few:
        assert en.get(url).status_code == 200
    VillageFactory.create_batch(
        6, subdistrict=world["hsu"]["subdistrict"], puskesmas=world["hsu"]["puskesmas"]
    )
    with django_assert_num_queries(len(few)):
        en.get(url)


def test_report_list_query_count_does_not_grow(
    en, world, district_user, puskesmas_head, django_assert_num_queries
):
    en.force_login(district_user)
    url = reverse("indicators:report-list")
    services.report_open(puskesmas=world["hsu"]["puskesmas"], year=YEAR, month=1, by=puskesmas_head)
    with CaptureQueriesContext(connection) as few:
        assert en.get(url).status_code == 200
    from ..factories import PuskesmasFactory

    for _ in range(4):
        puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
        head = UserFactory(role="puskesmas_head", puskesmas=puskesmas)
        services.report_open(puskesmas=puskesmas, year=YEAR, month=1, by=head)
    with django_assert_num_queries(len(few)):
        en.get(url)


def test_province_sees_completeness_and_timeliness_of_its_districts(en, world, province_user):
    en.force_login(province_user)
    body = en.get(reverse("indicators:report-list")).content.decode()
    assert "Kabupaten Hulu Sungai Utara" in body and "Kota Banjarmasin" in body
    assert "Kota Bontang" not in body


def test_future_month_cannot_be_started(en, puskesmas_head):
    en.force_login(puskesmas_head)
    en.post(reverse("indicators:report-start"), {"year": YEAR + 1, "month": 12})
    assert not MonthlyReport.objects.exists()


def test_province_opens_approved_reports_but_not_drafts(en, world, report, province_user):
    en.force_login(province_user)
    url = reverse("indicators:report-entry", kwargs={"pk": report.pk})
    assert en.get(url).status_code == 404
    MonthlyReport.objects.filter(pk=report.pk).update(status="approved")
    assert en.get(url).status_code == 200
