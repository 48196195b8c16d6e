"""The integrators' example script (docs/examples/simpul_api_example.py) against a live server
with real tokens: it pulls a district's approved quarter and pushes a puskesmas month, which
then shows as a draft on the report's entry page (issue #19, "done when")."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from api.services import token_create

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "simpul_api_example.py"


def _load():
    spec = importlib.util.spec_from_file_location("simpul_api_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


example = _load()


@pytest.fixture
def hsu_quarter(world, puskesmas_staff):
    """Hulu Sungai Utara's first quarter: January approved, February still a draft; and a
    Banjarmasin approved January, which the district's pull must not hold."""
    from indicators.models import MonthlyReport, MonthlyValue, SPMService

    cache.clear()
    service = SPMService.objects.order_by("pk").first()
    made = {}
    periods = (("hsu", 1, "approved"), ("hsu", 2, "draft"), ("banjarmasin", 1, "approved"))
    for key, month, status in periods:
        report = MonthlyReport.objects.create(
            puskesmas=world[key]["puskesmas"], year=2026, month=month, status=status,
            due_on="2026-04-10",
        )  # fmt: skip
        for n, village in enumerate(world[key]["villages"]):
            MonthlyValue.objects.create(
                report=report, village=village, service=service, value=n + 3
            )
        made[(key, month)] = report
    return made


def test_pull_gives_the_districts_approved_values_on_every_page(
    live_server, world, district_user, hsu_quarter, monkeypatch
):
    _, token = token_create(user=district_user, name="script", by=district_user)
    monkeypatch.setattr(example, "PAGE_SIZE", 1)  # one row a page: the script follows them all
    client = example.Client(live_server.url, token)
    quarter = example.pull_quarter(
        client, district_id=world["hsu"]["district"].pk, year=2026, quarter=1
    )
    january = hsu_quarter[("hsu", 1)]
    assert {row["report_id"] for row in quarter["values"]} == {january.pk}
    assert sorted(row["value"] for row in quarter["values"]) == [3, 4]
    assert isinstance(quarter["achievement"], list)
    out = io.StringIO()
    example.write_csv(quarter, out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("table,")
    assert len(lines) == 1 + len(quarter["achievement"]) + 2


def test_push_makes_a_draft_that_shows_on_the_entry_page(
    live_server, client, world, puskesmas_staff, hsu_quarter, tmp_path
):
    _, token = token_create(user=puskesmas_staff, name="sikda", by=puskesmas_staff)
    api = example.Client(live_server.url, token)
    puskesmas = world["hsu"]["puskesmas"]
    villages = list(api.pages("/regions/villages", puskesmas_id=puskesmas.pk))
    service = next(iter(api.pages("/catalogue/services", year=2026, monthly=True)))["code"]
    values = tmp_path / "march.csv"
    rows = [f"{v['id']},{service},{11 + n},dari SIKDA" for n, v in enumerate(villages)]
    values.write_text("village_id,service,value,comment\n" + "\n".join(rows) + "\n")
    saved = example.push_month(
        api, puskesmas_id=puskesmas.pk, year=2026, month=3, body=example.read_values(str(values))
    )
    assert saved["status"] == "draft" and saved["changed"] == len(villages)

    from indicators.models import MonthlyReport

    report = MonthlyReport.objects.get(puskesmas=puskesmas, year=2026, month=3)
    assert report.pk == saved["report_id"] and report.status == "draft"
    client.force_login(puskesmas_staff)
    page = client.get(reverse("indicators:report-entry", args=[report.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert all(f'value="{11 + n}"' in html for n in range(len(villages)))


def test_a_refused_push_lists_each_value_and_saves_nothing(
    live_server, world, puskesmas_staff, hsu_quarter
):
    _, token = token_create(user=puskesmas_staff, name="sikda", by=puskesmas_staff)
    api = example.Client(live_server.url, token)
    village = world["hsu"]["villages"][0]
    service = next(iter(api.pages("/catalogue/services", year=2026, monthly=True)))["code"]
    body = {"values": [{"village_id": village.pk, "service": service, "value": "banyak"}]}
    with pytest.raises(example.ApiError) as refused:
        example.push_month(api, puskesmas_id=village.puskesmas_id, year=2026, month=4, body=body)
    assert refused.value.status == 422
    lines = example.describe_refusal(refused.value)
    assert any(f"village_id={village.pk}" in line for line in lines[1:])

    from indicators.models import MonthlyValue

    assert not MonthlyValue.objects.filter(report__month=4).exclude(value=None).exists()


def test_the_command_line_needs_the_url_and_token(monkeypatch, capsys):
    monkeypatch.delenv("SIMPUL_URL", raising=False)
    with pytest.raises(SystemExit):
        example.main(["pull", "--district-id", "1", "--year", "2026", "--quarter", "1"])
    assert "SIMPUL_URL" in capsys.readouterr().err
