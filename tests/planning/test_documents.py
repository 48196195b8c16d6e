"""The RUK as .xlsx in its usual columns and as a printable PDF (no network)."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from planning import services
from tests.exports import content_of, download_export

from .conftest import GAP_YEAR, add_activity, columns, spm_service

pytestmark = pytest.mark.django_db


def test_ruk_xlsx_has_the_ruk_columns_and_totals(client, world, ruk, gaps, puskesmas_head):
    add_activity(ruk, puskesmas_head, service=spm_service(1))
    services.activity_create(
        plan=ruk,
        fields=columns(
            name="Sweeping balita", budget_idr=Decimal(3_000_000), funding_source="dana_desa"
        ),
        by=puskesmas_head,
        gap_service=spm_service(4, GAP_YEAR),
    )
    client.force_login(puskesmas_head)
    response = client.get(reverse("planning:plan-detail", args=[ruk.pk]), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        f'ruk-{world["hsu"]["puskesmas"].code}-{ruk.year}.xlsx"'
    )
    workbook = load_workbook(BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "No.",
        "Health effort",
        "Activity",
        "Goal",
        "Target group",
        "Target to reach",
        "Person responsible",
    )
    assert rows[0][11:14] == ("Budget needed (Rp)", "Performance indicator", "Funding source")
    by_name = {row[2]: row for row in rows[1:-1]}
    assert by_name["Sweeping balita"][13] == "Dana Desa"
    assert by_name["Sweeping balita"][15] == "1.02.02.2.02.0004"
    assert "SPM gap" in by_name["Sweeping balita"][16] and "50.0%" in by_name["Sweeping balita"][16]
    assert rows[-1][2] == "Total" and rows[-1][11] == 15_000_000
    sources = list(workbook["Per funding source"].iter_rows(values_only=True))
    assert sources[-1] == ("Total", 2, 15_000_000)


def test_ruk_pdf_is_a_pdf(client, ruk, puskesmas_head, district_user):
    add_activity(ruk, puskesmas_head)
    for user in (puskesmas_head, district_user):
        client.force_login(user)
        url = reverse("planning:plan-detail", args=[ruk.pk])
        response = download_export(client, url, query={"format": "pdf"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert content_of(response).startswith(b"%PDF")


def test_dinkes_plan_pdf_and_xlsx(client, dinkes_plan, district_user):
    add_activity(dinkes_plan, district_user, service=spm_service(8), funding_source="dak_fisik")
    client.force_login(district_user)
    url = reverse("planning:plan-detail", args=[dinkes_plan.pk])
    pdf = download_export(client, url, query={"format": "pdf"})
    assert content_of(pdf).startswith(b"%PDF")
    rows = list(load_workbook(BytesIO(client.get(url, {"format": "xlsx"}).content)).active.values)
    assert rows[1][15] == "1.02.02.2.02.0008"
