"""District totals by funding source, by plan, by SPM service and by budget code add up, are
summed by the database with a constant number of queries, and export to Excel; the SPM gaps with
no planned activity are listed."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kernel.models import User
from planning import selectors, services
from tests.factories import PuskesmasFactory, UserFactory

from .conftest import PLAN_YEAR, add_activity, put_achievement, spm_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def budgets(world, ruk, dinkes_plan, puskesmas_head, district_user):
    """RUK: 10 M BOK (service 1), 5 M APBD (service 4), 2 M Dana Desa (no service);
    Dinkes: 100 M DAK fisik (service 8), 20 M APBD (no code)."""
    add_activity(ruk, puskesmas_head, budget_idr=Decimal(10_000_000), service=spm_service(1))
    add_activity(
        ruk,
        puskesmas_head,
        budget_idr=Decimal(5_000_000),
        funding_source="apbd",
        service=spm_service(4),
    )
    add_activity(ruk, puskesmas_head, budget_idr=Decimal(2_000_000), funding_source="dana_desa")
    add_activity(
        dinkes_plan,
        district_user,
        budget_idr=Decimal(100_000_000),
        funding_source="dak_fisik",
        service=spm_service(8),
    )
    add_activity(dinkes_plan, district_user, budget_idr=Decimal(20_000_000), funding_source="apbd")


def test_totals_add_up_across_every_breakdown(world, budgets, district_user):
    totals = selectors.plan_totals(user=district_user, year=PLAN_YEAR)
    by_source = {line.code: line.total for line in totals.by_source}
    assert by_source == {
        "bok": 10_000_000,
        "apbd": 25_000_000,
        "dak_fisik": 100_000_000,
        "dana_desa": 2_000_000,
    }
    assert [line.code for line in totals.by_source] == ["apbd", "dak_fisik", "bok", "dana_desa"]
    assert totals.total == 137_000_000 and totals.count == 5
    assert sum(line.total for line in totals.owners) == totals.total
    assert sum(line.total for line in totals.by_service) == totals.total
    assert sum(line.total for line in totals.by_sub_activity) == totals.total
    for column, source in enumerate(totals.sources):
        assert sum(line.cells[column] or 0 for line in totals.owners) == source.total
    dinkes, puskesmas = totals.owners  # the Dinkes plan first
    assert dinkes.is_dinkes and dinkes.total == 120_000_000
    assert puskesmas.name == world["hsu"]["puskesmas"].name and puskesmas.total == 17_000_000
    codes = {line.code: line for line in totals.by_sub_activity}
    assert codes["1.02.02.2.02.0008"].dinkes == 100_000_000
    assert codes["1.02.02.2.02.0001"].puskesmas == 10_000_000
    assert codes[""].total == 22_000_000  # no code: Dana Desa activity and Dinkes monitoring


def test_approved_only_counts_approved_ruks_and_the_dinkes_plan(budgets, ruk, district_user):
    totals = selectors.plan_totals(user=district_user, year=PLAN_YEAR, approved_only=True)
    assert totals.total == 120_000_000  # the RUK is still a draft
    ruk.refresh_from_db()
    services.plan_submit(plan=ruk, version=ruk.version, by=ruk.created_by)
    ruk.refresh_from_db()
    services.plan_approve(plan=ruk, version=ruk.version, by=district_user)
    totals = selectors.plan_totals(user=district_user, year=PLAN_YEAR, approved_only=True)
    assert totals.total == 137_000_000


def test_other_districts_budgets_are_not_counted(
    world, budgets, other_district_user, province_user
):
    head = UserFactory(role=User.Role.PUSKESMAS_HEAD, puskesmas=world["banjarmasin"]["puskesmas"])
    add_activity(services.plan_create(year=PLAN_YEAR, by=head), head, budget_idr=Decimal(1))
    assert selectors.plan_totals(user=other_district_user, year=PLAN_YEAR).total == 1
    province = selectors.plan_totals(user=province_user, year=PLAN_YEAR)
    assert province.total == 137_000_001
    hsu_only = selectors.plan_totals(
        user=province_user, year=PLAN_YEAR, district_id=world["hsu"]["district"].pk
    )
    assert hsu_only.total == 137_000_000


def test_totals_page_and_its_export(client, budgets, district_user):
    client.force_login(district_user)
    response = client.get(reverse("planning:plan-totals"), {"year": PLAN_YEAR})
    assert response.status_code == 200
    assert response.context["totals"].total == 137_000_000
    assert "137,000,000" in response.content.decode()  # grouped in English
    export = client.get(reverse("planning:plan-totals"), {"year": PLAN_YEAR, "format": "xlsx"})
    workbook = load_workbook(BytesIO(export.content))
    assert workbook.sheetnames[:4] == [
        "Per plan",
        "Per funding source",
        "Per SPM service",
        "Per budget code",
    ]
    per_source = [[c.value for c in row] for row in workbook["Per funding source"].iter_rows()]
    assert per_source[-1] == ["Total", 5, 137_000_000]
    per_plan = [[c.value for c in row] for row in workbook["Per plan"].iter_rows()]
    assert per_plan[-1][-1] == 137_000_000


def test_totals_queries_do_not_grow_with_plans(client, world, district_user):
    def add_ruks(count):
        for _ in range(count):
            puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
            head = UserFactory(role=User.Role.PUSKESMAS_HEAD, puskesmas=puskesmas)
            plan = services.plan_create(year=PLAN_YEAR, by=head)
            add_activity(plan, head, service=spm_service(1))
            add_activity(plan, head, funding_source="jkn", service=spm_service(8))

    client.force_login(district_user)
    url = reverse("planning:plan-totals")
    add_ruks(2)
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"year": PLAN_YEAR})
    add_ruks(8)
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"year": PLAN_YEAR})
    assert len(many) == len(few)


def test_gaps_without_an_activity_are_listed_until_one_is_planned(
    client, world, ruk, gaps, puskesmas_head, district_user
):
    client.force_login(district_user)
    url = reverse("planning:gap-list")
    response = client.get(url, {"year": PLAN_YEAR})
    assert response.status_code == 200
    listed = [(row.puskesmas.name, row.service.number) for row in response.context["rows"]]
    assert listed == [(world["hsu"]["puskesmas"].name, 1), (world["hsu"]["puskesmas"].name, 4)]
    assert [row.shortfall for row in response.context["rows"]] == [50, 100]
    add_activity(ruk, puskesmas_head, service=spm_service(4))
    response = client.get(url, {"year": PLAN_YEAR})
    assert [row.service.number for row in response.context["rows"]] == [1]
    export = client.get(url, {"year": PLAN_YEAR, "format": "xlsx"})
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2] == 1 and rows[1][-1] == 50
    # The file has the page's columns, in the page's order (those hidden on phones as well).
    headers = [label for label, __ in response.context["table"].header_cells()]
    assert list(rows[0]) == headers


def test_gap_list_queries_do_not_grow(client, world, district_user):
    client.force_login(district_user)
    url = reverse("planning:gap-list")

    def add_gaps(count):
        for _ in range(count):
            puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
            put_achievement(puskesmas, {1: (100, 10), 2: (100, 20)})

    add_gaps(2)
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"year": PLAN_YEAR})
    add_gaps(8)
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"year": PLAN_YEAR})
    assert len(many) == len(few)


def test_puskesmas_sees_only_its_own_gaps(client, world, gaps, puskesmas_head):
    put_achievement(world["banjarmasin"]["puskesmas"], {1: (100, 10)})
    client.force_login(puskesmas_head)
    response = client.get(reverse("planning:gap-list"), {"year": PLAN_YEAR})
    assert {row.puskesmas_id for row in response.context["rows"]} == {world["hsu"]["puskesmas"].pk}
