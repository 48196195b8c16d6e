"""Budget allocated and realised (issue #16, the e-SPM report's part C): allocation from the
approved RUKs and the Dinkes plan by SPM service (or budget code) and funding source, realised by
month from the schedule, difference and %; the same numbers on the pages, in the .xlsx and from
the indicators.budget providers; scoped (another district 404, a province reads approved plans
only); a fixed number of queries."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from indicators import budget as indicators_budget
from kernel.models import User
from planning import selectors, services
from planning.forms import ActivityForm
from planning.models import Activity, BudgetSubActivity
from planning.selectors import budget as budget_selectors
from tests.factories import PuskesmasFactory, UserFactory

from .conftest import add_activity, form_data, spm_service

pytestmark = pytest.mark.django_db

THIS_YEAR = datetime.date.today().year
TODAY = datetime.date(THIS_YEAR, 7, 15)
M = 1_000_000


@pytest.fixture(autouse=True)
def mid_july(monkeypatch):
    monkeypatch.setattr(budget_selectors, "_today", lambda: TODAY)


def approve(plan, head, planner):
    plan.refresh_from_db()
    services.plan_submit(plan=plan, version=plan.version, by=head)
    plan.refresh_from_db()
    services.plan_approve(plan=plan, version=plan.version, by=planner)
    plan.refresh_from_db()


def realise(entry, by, cost, done=True):
    return services.realisation_record(
        entry=entry,
        realisation="done" if done else "not_done",
        cost_realised_idr=cost,
        note="" if done else "Hujan deras, jalan putus",
        version=entry.version,
        by=by,
    )


def service(number):
    return spm_service(number, THIS_YEAR)


def code(number):
    return BudgetSubActivity.objects.get(code=f"1.02.02.2.02.{number:04d}")


@pytest.fixture
def budgets(world, puskesmas_head, district_user):
    """This year in Hulu Sungai Utara:
    - Puskesmas Hsu's approved RUK: SPM 1 BOK 12 M (realised 3 M in March, 2 M in May), SPM 2
      DBH-CHT 6 M (not done in April: cost 0), budget code .0003 without a service, JKN 4 M
      (realised 1 M in June), no service nor code, Dana Desa 2 M;
    - the Dinkes plan: SPM 1 APBD 50 M (realised 10 M in February), SPM 8 DAK fisik 100 M;
    - a second puskesmas's RUK, submitted only: SPM 1 BOK 99 M (realised nothing: not counted);
    - Banjarmasin's approved RUK: SPM 1 BOK 77 M."""
    ruk = services.plan_create(year=THIS_YEAR, by=puskesmas_head)
    anc = add_activity(ruk, puskesmas_head, budget_idr=Decimal(12 * M), service=service(1))
    birth = add_activity(
        ruk,
        puskesmas_head,
        budget_idr=Decimal(6 * M),
        funding_source="dbh_cht",
        service=service(2),
        name="Rumah tunggu kelahiran",
    )
    newborn = add_activity(
        ruk,
        puskesmas_head,
        budget_idr=Decimal(4 * M),
        funding_source="jkn",
        sub_activity=code(3),
        name="Kunjungan neonatal",
    )
    add_activity(
        ruk, puskesmas_head, budget_idr=Decimal(2 * M), funding_source="dana_desa", name="Lokmin"
    )
    approve(ruk, puskesmas_head, district_user)
    for month, cost in ((3, 3 * M), (5, 2 * M)):
        entry = services.schedule_add(activity=anc, month=month, cost_idr=3 * M, by=puskesmas_head)
        realise(entry, puskesmas_head, cost)
    entry = services.schedule_add(activity=birth, month=4, cost_idr=M, by=puskesmas_head)
    realise(entry, puskesmas_head, None, done=False)
    entry = services.schedule_add(activity=newborn, month=6, cost_idr=M, by=puskesmas_head)
    realise(entry, puskesmas_head, M)
    services.schedule_add(activity=newborn, month=7, cost_idr=M, by=puskesmas_head)  # unreported

    dinkes = services.plan_create(year=THIS_YEAR, by=district_user)
    tor = add_activity(
        dinkes,
        district_user,
        budget_idr=Decimal(50 * M),
        funding_source="apbd",
        service=service(1),
    )
    add_activity(
        dinkes,
        district_user,
        budget_idr=Decimal(100 * M),
        funding_source="dak_fisik",
        service=service(8),
    )
    entry = services.schedule_add(activity=tor, month=2, cost_idr=10 * M, by=district_user)
    realise(entry, district_user, 10 * M)

    second = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name="Puskesmas Kedua")
    second_head = UserFactory(role=User.Role.PUSKESMAS_HEAD, puskesmas=second)
    submitted = services.plan_create(year=THIS_YEAR, by=second_head)
    add_activity(submitted, second_head, budget_idr=Decimal(99 * M), service=service(1))
    submitted.refresh_from_db()
    services.plan_submit(plan=submitted, version=submitted.version, by=second_head)

    other_head = UserFactory(
        role=User.Role.PUSKESMAS_HEAD, puskesmas=world["banjarmasin"]["puskesmas"]
    )
    other_planner = UserFactory(
        role=User.Role.DISTRICT_PLANNER, district=world["banjarmasin"]["district"]
    )
    other = services.plan_create(year=THIS_YEAR, by=other_head)
    add_activity(other, other_head, budget_idr=Decimal(77 * M), service=service(1))
    approve(other, other_head, other_planner)
    return {"ruk": ruk, "dinkes": dinkes, "second": second}


def table_of(user, world, **kwargs):
    return selectors.budget.budget_table(
        user=user, district=world["hsu"]["district"], year=THIS_YEAR, **kwargs
    )


def by_number(table):
    return {line.number: line for line in table.lines}


# --- The numbers ---------------------------------------------------------------------------------


def test_allocation_by_service_and_source_counts_approved_ruks_and_the_dinkes_plan(
    world, budgets, district_user
):
    table = table_of(district_user, world)
    lines = by_number(table)
    assert [line.number for line in table.lines] == [*range(1, 13), None]
    assert lines[1].allocated_by_source == {"bok": 12 * M, "apbd": 50 * M}
    assert lines[1].allocated_idr == 62 * M  # not the submitted RUK's 99 M nor Banjarmasin's
    assert lines[2].allocated_by_source == {"dbh_cht": 6 * M}
    assert lines[3].allocated_by_source == {"jkn": 4 * M}  # by its budget code alone
    assert lines[8].allocated_by_source == {"dak_fisik": 100 * M}
    assert lines[None].allocated_by_source == {"dana_desa": 2 * M}
    assert lines[4].allocated_idr == 0 and lines[4].percent is None
    assert lines[1].sub_activity_code == "1.02.02.2.02.0001"
    assert lines[1].service == service(1)
    assert table.totals.allocated_idr == 174 * M
    assert table.spm_totals.allocated_idr == 172 * M
    assert [code for code, _ in table.sources] == [
        "apbd",
        "dak_fisik",
        "bok",
        "jkn",
        "dana_desa",
        "dbh_cht",
    ]


def test_realisation_by_month_difference_and_percent(world, budgets, district_user):
    table = table_of(district_user, world)
    anc = by_number(table)[1]
    assert anc.realised_by_month == [0, 10 * M, 3 * M, 0, 2 * M, *[0] * 7]
    assert anc.realised_idr == 15 * M
    assert anc.difference_idr == 47 * M
    assert anc.percent == Decimal("24.19")  # 15 / 62
    assert by_number(table)[2].realised_idr == 0  # not done: cost 0
    assert by_number(table)[3].realised_by_month[5] == M  # June; July not yet reported
    assert table.totals.realised_idr == 16 * M
    assert table.totals.percent == Decimal("9.20")  # 16 / 174
    assert [m.cumulative_idr for m in table.months][:6] == [
        0,
        10 * M,
        13 * M,
        13 * M,
        15 * M,
        16 * M,
    ]
    through_march = table_of(district_user, world, through_month=3)
    assert by_number(through_march)[1].realised_idr == 13 * M
    assert by_number(through_march)[1].realised_by_month[4] == 2 * M  # the months stay whole
    assert through_march.totals.realised_idr == 13 * M


def test_a_puskesmas_reads_its_own_ruk(world, budgets, puskesmas_head):
    table = table_of(puskesmas_head, world, puskesmas=world["hsu"]["puskesmas"])
    lines = by_number(table)
    assert lines[1].allocated_by_source == {"bok": 12 * M}
    assert lines[1].realised_idr == 5 * M
    assert lines[8].allocated_idr == 0
    # Through the district, a puskesmas user still reads only what its area holds.
    assert table_of(puskesmas_head, world).totals.allocated_idr == 24 * M


def test_the_providers_give_the_tables_numbers(world, budgets, district_user, puskesmas_head):
    hsu = world["hsu"]["district"]
    for through in (3, 12):
        table = table_of(district_user, world, through_month=through)
        given = indicators_budget.budget_by_service(
            user=district_user, year=THIS_YEAR, through_month=through, district=hsu
        )
        expected = {
            line.service.pk: (line.allocated_idr, line.realised_idr)
            for line in table.spm_lines
            if line.allocated_idr or line.realised_idr
        }
        assert {pk: (b.allocated_idr, b.realised_idr) for pk, b in given.items()} == expected
        assert given[service(1).pk].percent == by_number(table)[1].percent
        assert service(4).pk not in given  # neither allocated nor realised
        districts = indicators_budget.budget_by_district(
            user=district_user, year=THIS_YEAR, through_month=through, district_ids=[hsu.pk]
        )
        assert districts[hsu.pk].allocated_idr == table.spm_totals.allocated_idr
        assert districts[hsu.pk].realised_idr == table.spm_totals.realised_idr
    own = indicators_budget.budget_by_service(
        user=puskesmas_head,
        year=THIS_YEAR,
        through_month=12,
        puskesmas=world["hsu"]["puskesmas"],
    )
    assert own[service(1).pk].allocated_idr == 12 * M


def test_a_province_reads_the_same_approved_numbers_and_only_its_districts(
    world, budgets, province_user, other_province_user, district_user
):
    ids = [world["hsu"]["district"].pk, world["banjarmasin"]["district"].pk]
    province = indicators_budget.budget_by_district(
        user=province_user, year=THIS_YEAR, through_month=12, district_ids=ids
    )
    assert province[world["hsu"]["district"].pk].allocated_idr == 172 * M
    assert province[world["banjarmasin"]["district"].pk].allocated_idr == 77 * M
    assert table_of(province_user, world).totals.realised_idr == 16 * M
    assert (
        indicators_budget.budget_by_district(
            user=other_province_user, year=THIS_YEAR, through_month=12, district_ids=ids
        )
        == {}
    )


# --- The pages -----------------------------------------------------------------------------------


def test_the_district_page_shows_services_sources_months_and_plans(
    client, world, budgets, district_user
):
    client.force_login(district_user)
    url = reverse("planning:budget-district", args=[world["hsu"]["district"].pk])
    response = client.get(url, {"year": THIS_YEAR})
    assert response.status_code == 200
    text = response.content.decode()
    assert "DBH-CHT (tobacco excise share)" in text
    assert 'data-testid="allocated-total">174,000,000<' in text
    assert 'data-testid="realised-total">16,000,000<' in text
    plans = {row.name: row for row in response.context["plans"]}
    assert plans["Puskesmas Hsu"].allocated_idr == 24 * M
    assert plans["Puskesmas Hsu"].realised_idr == 6 * M
    assert not plans["Puskesmas Kedua"].is_counted
    assert plans[f"Dinkes {world['hsu']['district'].name}"].realised_idr == 10 * M
    assert reverse("planning:realisation", args=[budgets["ruk"].pk]) in text


def test_the_home_shows_each_their_own_budget(
    client, world, budgets, district_user, puskesmas_head
):
    client.force_login(district_user)
    response = client.get(reverse("planning:budget"), {"year": THIS_YEAR})
    assert response.status_code == 200
    assert response.context["district"] == world["hsu"]["district"]
    assert response.context["totals"].allocated_idr == 174 * M
    client.force_login(puskesmas_head)
    response = client.get(reverse("planning:budget"), {"year": THIS_YEAR})
    assert response.status_code == 200
    assert response.context["puskesmas"] == world["hsu"]["puskesmas"]
    assert response.context["totals"].allocated_idr == 24 * M
    own = reverse("planning:budget-puskesmas", args=[world["hsu"]["puskesmas"].pk])
    district_url = reverse("planning:budget-district", args=[world["hsu"]["district"].pk])
    assert client.get(district_url, {"year": THIS_YEAR}).url == f"{own}?year={THIS_YEAR}"


def test_the_province_compares_its_districts(client, world, budgets, province_user):
    client.force_login(province_user)
    response = client.get(reverse("planning:budget"), {"year": THIS_YEAR})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Kota Banjarmasin" in text and "Kota Bontang" not in text
    assert "172,000,000" in text and "77,000,000" in text
    export = client.get(reverse("planning:budget"), {"year": THIS_YEAR, "format": "xlsx"})
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == "Kabupaten Hulu Sungai Utara" and rows[1][2] == 172 * M


def test_the_export_holds_the_pages_table(client, world, budgets, district_user):
    client.force_login(district_user)
    url = reverse("planning:budget-district", args=[world["hsu"]["district"].pk])
    response = client.get(url, {"year": THIS_YEAR, "through": 6, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'budget-63.08-{THIS_YEAR}.xlsx"')
    workbook = load_workbook(BytesIO(response.content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    headers = rows[0]
    assert headers[:3] == ("No.", "Sub-activity code", "SPM service")
    assert "DBH-CHT (tobacco excise share)" in headers
    assert headers[-3:] == ("Realised (Rp)", "Difference (Rp)", "Realised (%)")
    first = dict(zip(headers, rows[1], strict=True))
    assert first["No."] == 1 and first["Sub-activity code"] == "1.02.02.2.02.0001"
    assert first["APBD"] == 50 * M and first["Allocated (Rp)"] == 62 * M
    assert first["Realised Feb (Rp)"] == 10 * M
    assert first["Realised (Rp)"] == 15 * M and first["Difference (Rp)"] == 47 * M
    total = dict(zip(headers, rows[-1], strict=True))
    assert total["SPM service"] == "Total" and total["Allocated (Rp)"] == 174 * M
    assert len(rows) == 1 + 13 + 1
    by_plan = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert by_plan[0][0] == "Plan" and len(by_plan) == 4  # Dinkes and two puskesmas


def test_another_district_gets_404(
    client, world, budgets, other_district_user, other_province_user
):
    for outsider in (other_district_user, other_province_user):
        client.force_login(outsider)
        for name, obj in (
            ("planning:budget-district", world["hsu"]["district"]),
            ("planning:budget-puskesmas", world["hsu"]["puskesmas"]),
        ):
            assert client.get(reverse(name, args=[obj.pk])).status_code == 404


def test_a_province_reads_approved_plans_only(client, world, budgets, province_user):
    client.force_login(province_user)
    second = reverse("planning:budget-puskesmas", args=[budgets["second"].pk])
    response = client.get(second, {"year": THIS_YEAR})
    assert response.status_code == 200
    assert response.context["totals"].allocated_idr == 0  # submitted, not approved
    assert response.context["plan"] is None


def test_bad_query_values_fall_back(client, world, budgets, district_user):
    client.force_login(district_user)
    url = reverse("planning:budget-district", args=[world["hsu"]["district"].pk])
    for params in ({"year": "abc", "through": "13"}, {"year": "1999", "through": "-1"}):
        response = client.get(url, params)
        assert response.status_code == 200
        assert response.context["year"] == THIS_YEAR and response.context["through"] == 12


def test_the_pages_queries_do_not_grow_with_the_plans(
    client, world, budgets, district_user, puskesmas_head
):
    district_url = reverse("planning:budget-district", args=[world["hsu"]["district"].pk])
    own_url = reverse("planning:budget-puskesmas", args=[world["hsu"]["puskesmas"].pk])
    client.force_login(district_user)
    with CaptureQueriesContext(connection) as few:
        client.get(district_url, {"year": THIS_YEAR})
    client.force_login(puskesmas_head)
    with CaptureQueriesContext(connection) as few_own:
        client.get(own_url, {"year": THIS_YEAR})
    for index in range(4):
        more = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name=f"Puskesmas {index}")
        head = UserFactory(role=User.Role.PUSKESMAS_HEAD, puskesmas=more)
        plan = services.plan_create(year=THIS_YEAR, by=head)
        activity = add_activity(plan, head, budget_idr=Decimal(M), service=service(4 + index))
        approve(plan, head, district_user)
        realise(services.schedule_add(activity=activity, month=1, by=head), head, 1000)
    activity = add_activity(
        budgets["dinkes"], district_user, budget_idr=Decimal(M), service=service(12)
    )
    realise(services.schedule_add(activity=activity, month=5, by=district_user), district_user, 5)
    client.force_login(district_user)
    with CaptureQueriesContext(connection) as many:
        response = client.get(district_url, {"year": THIS_YEAR})
    assert response.context["totals"].allocated_idr == 179 * M
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    client.force_login(puskesmas_head)
    with CaptureQueriesContext(connection) as many_own:
        client.get(own_url, {"year": THIS_YEAR})
    assert len(many_own) == len(few_own)


def test_the_table_costs_three_queries(world, budgets, district_user, django_assert_num_queries):
    with django_assert_num_queries(3):
        table_of(district_user, world)


def test_an_empty_year_says_where_the_numbers_come_from(client, world, district_user):
    client.force_login(district_user)
    url = reverse("planning:budget-district", args=[world["hsu"]["district"].pk])
    response = client.get(url, {"year": THIS_YEAR})
    assert response.status_code == 200
    assert 'data-testid="budget-empty"' in response.content.decode()


# --- DBH-CHT wherever a funding source is chosen -------------------------------------------------


def test_dbh_cht_is_offered_and_accepted_by_the_activity_form(client, ruk, puskesmas_head):
    form = ActivityForm(plan=ruk)
    assert ("dbh_cht", "DBH-CHT (tobacco excise share)") in form.fields["funding_source"].choices
    client.force_login(puskesmas_head)
    page = client.get(reverse("planning:activity-create", args=[ruk.pk]))
    assert 'value="dbh_cht"' in page.content.decode()
    response = client.post(
        reverse("planning:activity-create", args=[ruk.pk]), form_data(funding_source="dbh_cht")
    )
    assert response.status_code == 302
    assert Activity.objects.get(plan=ruk).funding_source == "dbh_cht"


@pytest.mark.parametrize("typed", ["DBH-CHT (tobacco excise share)", "dbh_cht"])
def test_dbh_cht_is_listed_and_accepted_by_the_ruk_excel_import(
    client, ruk, puskesmas_head, post_import, typed
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.planning.test_ruk_excel import NEW_ROW, content, done, template

    client.force_login(puskesmas_head)
    workbook = template(client, ruk)
    cells = {
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    }
    assert "DBH-CHT (tobacco excise share)" in cells  # in the template's list of sources
    row = list(NEW_ROW)
    row[13] = typed
    workbook["RUK"].append(row)
    url = reverse("planning:ruk-import", args=[ruk.pk])
    done(post_import(url, {"file": SimpleUploadedFile("ruk.xlsx", content(workbook))}))
    assert Activity.objects.get(plan=ruk).funding_source == "dbh_cht"


@pytest.mark.parametrize(
    "params",
    [
        {"year": "99999999999999999999", "through": "99999999999999999999"},
        {"year": "-1", "through": "abc", "format": "xlsx"},
        {"year": "\u202e", "through": "1e9", "month": "%00"},
        {"month": "99999999999999999999", "format": "pdf"},
    ],
)
def test_the_pages_answer_garbage_without_a_server_error(
    client, world, budgets, district_user, province_user, puskesmas_head, params
):
    pages = [
        reverse("planning:budget"),
        reverse("planning:budget-district", args=[world["hsu"]["district"].pk]),
        reverse("planning:budget-puskesmas", args=[world["hsu"]["puskesmas"].pk]),
        reverse("planning:realisation", args=[budgets["ruk"].pk]),
    ]
    for user in (district_user, province_user, puskesmas_head):
        client.force_login(user)
        for url in pages:
            response = client.get(url, params)
            assert response.status_code in (200, 302), (url, user, response.status_code)
