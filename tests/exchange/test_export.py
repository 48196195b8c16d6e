"""Export of monthly values as a DHIS2 data value set (JSON) and ADX (XML)."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from exchange.models import Dhis2Profile
from exchange.services import as_adx, as_json, dhis2_values
from indicators.models import MonthlyReport

from .conftest import MAPPED, MONTH, YEAR, fill, uid

pytestmark = pytest.mark.django_db
ADX = "{urn:ihe:qrph:adx:2015}"


def _export(user, world, **kwargs):
    return dhis2_values(
        user=user, district=world["hsu"]["district"], year=YEAR, months=[MONTH], **kwargs
    )


def test_json_holds_each_mapped_desa_value_as_dhis2_writes_it(
    world, district_user, filled, services
):
    document = json.loads(as_json(_export(district_user, world)))
    values = document["dataValues"]
    assert len(values) == 2 * MAPPED  # two desa x three mapped services; the fourth is unmapped
    first = values[0]
    assert first["dataElement"] == uid("D", 1)
    assert first["period"] == f"{YEAR}{MONTH:02d}"
    assert first["orgUnit"] == uid("V", 1)
    assert first["categoryOptionCombo"] == "HllvX50cXC0"
    assert first["value"] == "10" and first["comment"] == "catatan"
    assert "lastUpdated" in first and "attributeOptionCombo" not in first
    pairs = {(v["orgUnit"], v["dataElement"]): v["value"] for v in values}
    assert pairs[(uid("V", 2), uid("D", 3))] == "22"
    assert all("categoryOptionCombo" not in v for v in values if v["dataElement"] != uid("D", 1))


def test_unmapped_values_are_left_out_and_counted(world, district_user, filled):
    result = _export(district_user, world)
    assert result.skipped == 2  # the fourth service in both desa
    assert len(result.mapping.unmapped_services) > 0


def test_adx_groups_values_by_org_unit_and_period(world, district_user, filled):
    root = ElementTree.fromstring(as_adx(_export(district_user, world)))
    assert root.tag == f"{ADX}adx"
    groups = root.findall(f"{ADX}group")
    assert [g.get("orgUnit") for g in groups] == [uid("V", 1), uid("V", 2)]
    assert {g.get("period") for g in groups} == {f"{YEAR}-{MONTH:02d}-01/P1M"}
    assert {g.get("dataSet") for g in groups} == {"DSxxxxxxxx1"}
    values = groups[1].findall(f"{ADX}dataValue")
    assert [(v.get("dataElement"), v.get("value")) for v in values] == [
        (uid("D", 1), "20"),
        (uid("D", 2), "21"),
        (uid("D", 3), "22"),
    ]
    assert values[0].get("categoryOptionCombo") == "HllvX50cXC0"
    note = groups[0].find(f"{ADX}dataValue/{ADX}annotation")
    assert note is not None and note.text == "catatan"


def test_puskesmas_level_sums_the_desa_values(world, district_user, filled, mapped):
    Dhis2Profile.objects.filter(pk=mapped.pk).update(level=Dhis2Profile.Level.PUSKESMAS)
    values = json.loads(as_json(_export(district_user, world)))["dataValues"]
    assert [(v["orgUnit"], v["dataElement"], v["value"]) for v in values] == [
        (uid("P", 1), uid("D", 1), "30"),
        (uid("P", 1), uid("D", 2), "32"),
        (uid("P", 1), uid("D", 3), "34"),
    ]


def test_province_exports_approved_reports_only(world, province_user, district_user, filled):
    assert _export(province_user, world).values == []
    MonthlyReport.objects.filter(pk=filled.pk).update(status=MonthlyReport.Status.APPROVED)
    assert len(_export(province_user, world).values) == 2 * MAPPED


def test_the_approved_filter_leaves_drafts_out(world, district_user, filled):
    assert _export(district_user, world, statuses=MonthlyReport.APPROVED_STATUSES).values == []


def test_another_districts_values_never_go_out(world, district_user, services, mapped):
    from tests.factories import PuskesmasFactory  # noqa: F401  (the other world's puskesmas)

    fill(world, services)
    other = world["banjarmasin"]
    result = dhis2_values(user=district_user, district=other["district"], year=YEAR, months=[MONTH])
    assert result.values == []


def test_quarter_download_from_the_page(client, world, district_user, filled, services):
    fill(world, services, month=MONTH - 1, base=50)
    client.force_login(district_user)
    url = reverse("exchange:dhis2-export", args=[world["hsu"]["district"].pk])
    page = client.get(url, {"year": YEAR, "period": "q4", "format": "json"})
    assert page.status_code == 200
    assert page.context["result"].skipped == 4
    assert 'data-kind="service"' in page.content.decode()  # the unmapped list
    response = client.get(url, {"year": YEAR, "period": "q4", "format": "json", "download": "1"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    periods = {v["period"] for v in json.loads(response.content)["dataValues"]}
    assert periods == {f"{YEAR}10", f"{YEAR}11"}
    adx = client.get(url, {"year": YEAR, "period": f"m{MONTH}", "format": "adx", "download": "1"})
    assert adx["Content-Type"].startswith("application/adx+xml")
    assert ElementTree.fromstring(adx.content).tag == f"{ADX}adx"


def test_export_page_without_a_period_shows_the_form(client, world, district_user, mapped):
    client.force_login(district_user)
    url = reverse("exchange:dhis2-export", args=[world["hsu"]["district"].pk])
    assert client.get(url).status_code == 200
    assert client.get(url, {"year": "99999999999999999999", "period": "m1"}).status_code == 200


def test_a_whole_year_is_made_by_an_export_job(
    client, world, district_user, filled, django_capture_on_commit_callbacks
):
    from kernel.models import ExportJob

    client.force_login(district_user)
    url = reverse("exchange:dhis2-export-year", args=[world["hsu"]["district"].pk])
    assert client.get(url).status_code == 200  # the form
    query = f"?year={YEAR}&format=json&status="
    assert client.get(url + query).status_code == 200  # the job's confirmation
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url + query)
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE, job.error
    with job.file.open("rb") as made:
        values = json.loads(made.read())["dataValues"]
    assert len(values) == 2 * MAPPED


def test_another_district_cannot_start_a_year_job(client, world, other_district_user, mapped):
    from kernel.models import ExportJob

    client.force_login(other_district_user)
    url = reverse("exchange:dhis2-export-year", args=[world["hsu"]["district"].pk])
    assert client.post(url + f"?year={YEAR}&format=json").status_code == 404
    assert not ExportJob.objects.exists()
