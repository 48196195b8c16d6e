"""Targets (sasaran): population, estimates from editable rules, sources side by side, the target
of record, the year's approval, Excel in and out, and who may do what (issue #4)."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators import services
from indicators.models import (
    AgeBand,
    EstimateRule,
    SPMService,
    Target,
    TargetApproval,
    VillagePopulation,
)
from kernel.models import ImportJob

from ..conftest import errors_of
from ..factories import PuskesmasFactory, VillageFactory

pytestmark = pytest.mark.django_db

YEAR = 2026  # a Permenkes 6/2024 year, loaded by migration 0003
PEOPLE = {
    "all": 1000,
    "under5": 90,
    "age7_15": 160,
    "age15_59": 630,
    "age60plus": 100,
    "age15plus": 730,
}
Source = Target.Source


def _service(number: int) -> SPMService:
    return SPMService.objects.get(edition__years__year=YEAR, level="district", number=number)


def _set_population(villages, people=PEOPLE, year=YEAR):
    bands = {band.code: band for band in AgeBand.objects.all()}
    for village in villages:
        for code, count in people.items():
            VillagePopulation.objects.update_or_create(
                village=village, year=year, band=bands[code], defaults={"count": count}
            )


@pytest.fixture
def hsu(world):
    return world["hsu"]


@pytest.fixture
def populated(hsu):
    _set_population(hsu["villages"])
    return hsu


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _estimate(hsu, by):
    return services.targets_estimate(district=hsu["district"], year=YEAR, by=by)


def _figure(village, number, source=Source.ESTIMATE) -> Target:
    return Target.objects.get(village=village, year=YEAR, service=_service(number), source=source)


# --- Estimates -----------------------------------------------------------------------------------


def test_estimates_are_computed_from_population_and_the_editions_rules(populated, district_user):
    summary = _estimate(populated, district_user)
    village = populated["villages"][0]
    # pregnant women = 1.1 x CBR 0.0164 x all people; hypertension = SKI 2023 30.8% x 15+
    assert _figure(village, 1).value == 18  # 18.04
    assert _figure(village, 3).value == 16  # 16.4
    assert _figure(village, 4).value == 90  # every under-five
    assert _figure(village, 8).value == 225  # 224.84
    assert _figure(village, 1).entered_by == district_user
    assert [s.number for s in summary.services_without_rule] == [11, 12]  # TB, HIV
    assert summary.saved == 2 * 10 and summary.villages_without_population == 0


def test_estimating_twice_changes_nothing(populated, district_user):
    _estimate(populated, district_user)
    before = sorted(Target.objects.values_list("village_id", "service_id", "source", "value"))
    _estimate(populated, district_user)
    after = sorted(Target.objects.values_list("village_id", "service_id", "source", "value"))
    assert before == after and len(after) == 20


def test_estimate_follows_new_population_and_keeps_the_choice(populated, district_user):
    _estimate(populated, district_user)
    village = populated["villages"][0]
    services.target_choose(target=_figure(village, 4), by=district_user)
    _set_population([village], {**PEOPLE, "under5": 120})
    _estimate(populated, district_user)
    figure = _figure(village, 4)
    assert figure.value == 120 and figure.is_of_record


def test_desa_without_population_is_counted_not_estimated(hsu, district_user):
    _set_population(hsu["villages"][:1])
    summary = _estimate(hsu, district_user)
    assert summary.villages_without_population == 1
    assert not Target.objects.filter(village=hsu["villages"][1]).exists()


def test_district_rule_overrides_the_default_for_its_district_only(
    populated, district_user, world, english
):
    english.force_login(district_user)
    response = english.post(
        reverse("indicators:estimaterule-edit"),
        {
            "year": YEAR,
            "service": _service(1).pk,
            "band": AgeBand.objects.get(code="all").pk,
            "factor": "1.1",
            "rate": "0.02",
            "rate_source": "BPS HSU 2025",
        },
    )
    assert response.status_code == 302
    _estimate(populated, district_user)
    assert _figure(populated["villages"][0], 1).value == 22  # 1.1 x 0.02 x 1000
    default = EstimateRule.objects.get(service=_service(1), district=None)
    assert default.rate == Decimal("0.0164")  # the edition's default is untouched
    page = english.get(reverse("indicators:estimaterule-list"), {"year": YEAR})
    assert "1.1 × 0.0164 × All people" in page.content.decode()
    assert "1.1 × 0.02 × All people" in page.content.decode()
    assert "BPS HSU 2025" in page.content.decode()


def test_district_can_add_a_rule_for_a_service_without_default_and_reset_it(
    populated, district_user
):
    tb = _service(11)
    services.estimate_rule_save(
        district=populated["district"],
        service=tb,
        band=AgeBand.objects.get(code="all"),
        factor=Decimal(1),
        rate=Decimal("0.005"),
        rate_source="Program TB",
        by=district_user,
    )
    summary = _estimate(populated, district_user)
    assert [s.number for s in summary.services_without_rule] == [12]
    assert _figure(populated["villages"][0], 11).value == 5
    assert services.estimate_rule_reset(
        district=populated["district"], service=tb, by=district_user
    )
    assert not EstimateRule.objects.filter(service=tb).exists()


def test_only_the_districts_planner_sets_its_rules(populated, puskesmas_head, other_district_user):
    for user in (puskesmas_head, other_district_user):
        with pytest.raises(PermissionDenied):
            services.estimate_rule_save(
                district=populated["district"],
                service=_service(1),
                band=AgeBand.objects.get(code="all"),
                factor=Decimal("1.1"),
                rate=Decimal("0.02"),
                rate_source="",
                by=user,
            )
        with pytest.raises(PermissionDenied):
            _estimate(populated, user)


def test_rule_with_rate_above_one_is_refused(hsu, district_user):
    with pytest.raises(ValidationError):
        services.estimate_rule_save(
            district=hsu["district"],
            service=_service(1),
            band=AgeBand.objects.get(code="all"),
            factor=Decimal("1.1"),
            rate=Decimal("16.4"),
            rate_source="",
            by=district_user,
        )


# --- Sources side by side and the target of record -----------------------------------------------


def test_sources_sit_side_by_side_on_the_desa_and_overview_pages(
    populated, district_user, puskesmas_head, english
):
    _estimate(populated, district_user)
    village = populated["villages"][0]
    english.force_login(puskesmas_head)
    response = english.post(
        reverse("indicators:target-village", args=[village.pk]),
        {
            "year": YEAR,
            "service": _service(1).pk,
            "source": Source.REGISTER,
            "value": "21",
            "note": "KIA register",
        },
    )
    assert response.status_code == 302
    assert _figure(village, 1, Source.REGISTER).value == 21
    assert _figure(village, 1).value == 18  # the estimate is still there, beside it
    page = english.get(reverse("indicators:target-village", args=[village.pk]), {"year": YEAR})
    row = next(r for r in page.context["rows"] if r[0].service.number == 1)
    assert [t.value if t else None for t in row[1]] == [18, 21]  # estimate, register
    english.force_login(district_user)
    overview = english.get(reverse("indicators:target-list"), {"year": YEAR})
    first = overview.context["overview"].by_service[0]
    assert first["values"] == [36, 21] and first["cell"].of_record is None
    assert first["cell"].missing == 2


def test_planner_chooses_the_target_of_record_and_can_switch_it(
    populated, district_user, puskesmas_head, english
):
    _estimate(populated, district_user)
    village = populated["villages"][0]
    register = services.target_propose(
        village=village,
        year=YEAR,
        service=_service(1),
        source=Source.REGISTER,
        value=21,
        by=puskesmas_head,
    )
    estimate = _figure(village, 1)
    english.force_login(district_user)
    url = reverse("indicators:target-choose", args=[populated["puskesmas"].pk])
    data = {"year": YEAR, "service": _service(1).pk}
    response = english.post(url, {**data, f"r-{village.pk}": estimate.pk})
    assert response.status_code == 302
    estimate.refresh_from_db()
    assert estimate.is_of_record and estimate.chosen_by == district_user and estimate.chosen_at
    english.post(url, {**data, f"r-{village.pk}": register.pk})
    estimate.refresh_from_db()
    register.refresh_from_db()
    assert register.is_of_record and register.chosen_by == district_user and register.chosen_at
    assert not estimate.is_of_record and estimate.chosen_by is None
    page = english.get(url, {"year": YEAR, "service": _service(1).pk})
    assert page.status_code == 200
    assert page.context["rows"][0][0].of_record == register


def test_use_a_source_everywhere_sets_every_desa_and_service_at_once(populated, district_user):
    _estimate(populated, district_user)
    changed = services.targets_choose_source(
        district=populated["district"], year=YEAR, source=Source.ESTIMATE, by=district_user
    )
    assert changed == 20
    assert Target.objects.filter(is_of_record=True).count() == 20
    again = services.targets_choose_source(
        district=populated["district"], year=YEAR, source=Source.ESTIMATE, by=district_user
    )
    assert again == 0


def test_puskesmas_cannot_choose_the_target_of_record(populated, district_user, puskesmas_head):
    _estimate(populated, district_user)
    with pytest.raises(PermissionDenied):
        services.target_choose(target=_figure(populated["villages"][0], 1), by=puskesmas_head)
    assert not Target.objects.filter(is_of_record=True).exists()


def test_puskesmas_proposes_for_its_own_desa_only(world, puskesmas_staff, client):
    own, other = world["hsu"]["villages"][0], world["banjarmasin"]["villages"][0]
    services.target_propose(
        village=own,
        year=YEAR,
        service=_service(4),
        source=Source.PIS_PK,
        value=80,
        by=puskesmas_staff,
    )
    with pytest.raises(PermissionDenied):
        services.target_propose(
            village=other,
            year=YEAR,
            service=_service(4),
            source=Source.PIS_PK,
            value=80,
            by=puskesmas_staff,
        )
    with pytest.raises(ValidationError):  # Dukcapil figures come through the district
        services.target_propose(
            village=own,
            year=YEAR,
            service=_service(4),
            source=Source.DUKCAPIL,
            value=80,
            by=puskesmas_staff,
        )
    client.force_login(puskesmas_staff)
    url = reverse("indicators:target-village", args=[other.pk])
    assert (
        client.post(
            url, {"year": YEAR, "service": _service(4).pk, "source": "register", "value": 5}
        ).status_code
        == 404
    )
    assert Target.objects.count() == 1


def test_puskesmas_of_the_same_district_cannot_propose_for_another_working_area(
    world, puskesmas_head
):
    hsu = world["hsu"]
    neighbour = PuskesmasFactory(subdistrict=hsu["subdistrict"])
    village = VillageFactory(subdistrict=hsu["subdistrict"], puskesmas=neighbour)
    with pytest.raises(PermissionDenied):
        services.target_propose(
            village=village,
            year=YEAR,
            service=_service(4),
            source=Source.REGISTER,
            value=80,
            by=puskesmas_head,
        )


def test_district_planner_enters_dukcapil_figures_but_never_types_an_estimate(hsu, district_user):
    village = hsu["villages"][0]
    target = services.target_propose(
        village=village,
        year=YEAR,
        service=_service(7),
        source=Source.DUKCAPIL,
        value=97,
        by=district_user,
    )
    assert target.entered_by == district_user
    with pytest.raises(ValidationError):
        services.target_propose(
            village=village,
            year=YEAR,
            service=_service(7),
            source=Source.ESTIMATE,
            value=97,
            by=district_user,
        )


# --- Approval ------------------------------------------------------------------------------------


def _complete(hsu, by):
    """Estimates everywhere, and programme figures for TB and HIV (no rule estimates them)."""
    _estimate(hsu, by)
    services.targets_choose_source(
        district=hsu["district"], year=YEAR, source=Source.ESTIMATE, by=by
    )
    for village in hsu["villages"]:
        for number in (11, 12):
            target = services.target_propose(
                village=village,
                year=YEAR,
                service=_service(number),
                source=Source.OTHER,
                value=3,
                note="Program",
                by=by,
            )
            services.target_choose(target=target, by=by)


def test_approval_is_refused_while_targets_are_missing_then_granted(
    populated, district_user, english
):
    english.force_login(district_user)
    url = reverse("indicators:target-approve", args=[populated["district"].pk])
    _estimate(populated, district_user)
    services.targets_choose_source(
        district=populated["district"], year=YEAR, source=Source.ESTIMATE, by=district_user
    )
    response = english.post(url, {"year": YEAR}, follow=True)
    assert "4 desa and service pairs still have no target of record" in response.content.decode()
    assert not TargetApproval.objects.exists()
    _complete(populated, district_user)
    response = english.post(url, {"year": YEAR}, follow=True)
    approval = TargetApproval.objects.get()
    assert approval.approved_by == district_user and approval.year == YEAR
    assert "are approved: by dinkes" in response.content.decode()


def test_after_approval_nothing_changes_until_reopened_with_a_reason(
    populated, district_user, puskesmas_head
):
    _complete(populated, district_user)
    services.targets_approve(district=populated["district"], year=YEAR, by=district_user)
    village = populated["villages"][0]
    register = services.target_propose(  # a new figure beside the others is still welcome
        village=village,
        year=YEAR,
        service=_service(1),
        source=Source.REGISTER,
        value=21,
        by=puskesmas_head,
    )
    with pytest.raises(ValidationError, match="disetujui"):
        services.target_choose(target=register, by=district_user)
    with pytest.raises(ValidationError, match="disetujui"):
        _estimate(populated, district_user)
    with pytest.raises(ValidationError, match="disetujui"):  # the figure of record is frozen
        services.target_propose(
            village=village,
            year=YEAR,
            service=_service(11),
            source=Source.OTHER,
            value=9,
            by=district_user,
        )
    with pytest.raises(ValidationError):
        services.targets_reopen(
            district=populated["district"], year=YEAR, by=district_user, reason=" "
        )
    services.targets_reopen(
        district=populated["district"],
        year=YEAR,
        by=district_user,
        reason="Dukcapil sent new figures",
    )
    approval = TargetApproval.objects.get()
    assert approval.status == "open" and approval.approved_by is None
    assert services.target_choose(target=register, by=district_user).is_of_record
    events = list(
        approval.events.order_by("pk").values_list(
            "action", "by", "reason", "from_status", "to_status", "district"
        )
    )
    district = populated["district"].pk
    assert events == [
        ("approved", district_user.pk, "", "open", "approved", district),
        ("reopened", district_user.pk, "Dukcapil sent new figures", "approved", "open", district),
    ]


def test_status_banner_says_who_approved_and_when(
    populated, district_user, puskesmas_head, english
):
    _complete(populated, district_user)
    services.targets_approve(district=populated["district"], year=YEAR, by=district_user)
    english.force_login(puskesmas_head)
    page = english.get(reverse("indicators:target-list"), {"year": YEAR}).content.decode()
    assert "The 2026 targets of Kabupaten Hulu Sungai Utara are approved: by dinkes" in page
    assert "Approve the year&#x27;s targets" not in page  # a puskesmas sees no buttons


def test_reopen_needs_the_districts_planner(populated, district_user, other_district_user):
    _complete(populated, district_user)
    services.targets_approve(district=populated["district"], year=YEAR, by=district_user)
    with pytest.raises(PermissionDenied):
        services.targets_reopen(
            district=populated["district"], year=YEAR, by=other_district_user, reason="mine now"
        )
    assert TargetApproval.objects.exists()


# --- Population from Excel -----------------------------------------------------------------------


def _template(client, year=YEAR):
    response = client.get(reverse("indicators:population-template"), {"year": year})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


@pytest.fixture
def upload(post_import):
    """POST a population file; its job runs when the request commits: (response, job)."""

    def send(workbook_or_bytes, year=YEAR, name="population.xlsx"):
        if isinstance(workbook_or_bytes, Workbook):
            buffer = io.BytesIO()
            workbook_or_bytes.save(buffer)
            workbook_or_bytes = buffer.getvalue()
        return post_import(
            reverse("indicators:population-import"),
            {
                "year": year,
                "file": SimpleUploadedFile(name, workbook_or_bytes),
                "source": "Dukcapil 2025",
            },
        )

    return send


def _errors(sent) -> list[str]:
    return errors_of(*sent)


def test_population_template_round_trip(hsu, district_user, english, upload):
    english.force_login(district_user)
    workbook = _template(english)
    sheet = workbook.active
    assert sheet.title == "Population 2026"
    assert [c.value for c in sheet[1]][:5] == [
        "Village code",
        "Village",
        "Subdistrict",
        "Puskesmas",
        "All people",
    ]
    codes = [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)]
    assert codes == [v.code for v in hsu["villages"]]
    for row in (2, 3):
        for column, count in enumerate([1200, 110, 190, 760, 120, 880], start=5):
            sheet.cell(row, column, count)
    response, job = upload(workbook)
    assert response.status_code == 302 and job.status == ImportJob.Status.DONE, job.errors
    assert job.kind == ImportJob.Kind.POPULATION and job.district == hsu["district"]
    assert "12 population figures saved" in job.result["summary"]
    page = english.get(response["Location"])
    assert f"{reverse('indicators:population-list')}?year={YEAR}" in page.content.decode()
    assert VillagePopulation.objects.filter(year=YEAR).count() == 12
    saved = VillagePopulation.objects.get(village=hsu["villages"][0], band__code="under5")
    assert saved.count == 110 and saved.source == "Dukcapil 2025"
    again = _template(english).active  # the template now carries the saved counts
    assert again.cell(2, 6).value == 110
    again.cell(2, 6).value = 115
    _response, job = upload(again.parent)
    assert job.status == ImportJob.Status.DONE, job.errors
    saved.refresh_from_db()
    assert saved.count == 115 and VillagePopulation.objects.count() == 12


def test_population_template_in_bahasa_is_read_back(hsu, district_user, client, upload):
    client.force_login(district_user)
    workbook = _template(client)  # default language: Bahasa Indonesia
    assert workbook.active.cell(1, 1).value == "Kode desa"
    workbook.active.cell(2, 5, 1500)
    _response, job = upload(workbook)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert VillagePopulation.objects.get(band__code="all").count == 1500


def test_bad_population_file_lists_every_located_error_and_saves_nothing(
    hsu, district_user, world, english, upload
):
    english.force_login(district_user)
    workbook = _template(english)
    sheet = workbook.active
    sheet.cell(2, 5, 1200)  # a good cell: not saved either
    sheet.cell(2, 6, "banyak")
    sheet.cell(3, 7, -4)
    sheet.cell(3, 8, "=E3*0.6")
    sheet.append([world["banjarmasin"]["villages"][0].code, "", "", "", 10])
    response, job = upload(workbook)
    assert response.status_code == 302 and job.status == ImportJob.Status.FAILED
    errors = _errors((response, job))
    assert any("row 2, column F" in e and "not a whole number" in e for e in errors), errors
    assert any("row 3, column G" in e and "negative" in e for e in errors), errors
    assert any("row 3, column H" in e and "formulas" in e for e in errors), errors
    assert any(
        "row 4, column A" in e and "not in Kabupaten Hulu Sungai Utara" in e for e in errors
    ), errors
    assert all(e.startswith("Sheet Population 2026, row ") for e in errors), errors
    assert not VillagePopulation.objects.exists()


def test_a_desa_twice_in_the_population_file_is_refused(hsu, district_user, english, upload):
    english.force_login(district_user)
    workbook = _template(english)
    workbook.active.cell(2, 5, 1200)
    workbook.active.append([hsu["villages"][0].code, "", "", "", 1300])
    response, job = upload(workbook)
    assert job.status == ImportJob.Status.FAILED
    errors = _errors((response, job))
    assert any("row 4, column A" in e and "already on row 2" in e for e in errors), errors
    assert not VillagePopulation.objects.exists()


def test_population_file_of_another_year_or_not_a_workbook_is_refused(
    hsu, district_user, english, upload
):
    english.force_login(district_user)
    response, job = upload(_template(english, year=2025), year=YEAR)
    assert job.status == ImportJob.Status.FAILED
    assert any("no sheet with this name" in e for e in _errors((response, job))), job.errors
    response, job = upload(b"just text", name="population.xlsx")
    assert job.status == ImportJob.Status.FAILED
    assert any("not an Excel .xlsx file" in e for e in _errors((response, job))), job.errors
    assert not VillagePopulation.objects.exists()


def test_only_district_planners_import_population(
    hsu, district_user, puskesmas_head, province_user, client, upload
):
    client.force_login(district_user)
    workbook = _template(client)
    workbook.active.cell(2, 5, 1200)
    for user in (puskesmas_head, province_user):
        client.force_login(user)
        assert client.get(reverse("indicators:population-import")).status_code == 403
        assert client.get(reverse("indicators:population-template")).status_code == 403
        response, job = upload(workbook)
        assert response.status_code == 403 and job is None
    assert not ImportJob.objects.exists() and not VillagePopulation.objects.exists()


def test_population_job_refuses_a_planner_who_lost_the_right(hsu, district_user, client, upload):
    """The job checks the uploader's right again when it runs, with the form's own rule."""
    client.force_login(district_user)
    workbook = _template(client)
    workbook.active.cell(2, 5, 1200)
    from kernel.imports import runner

    buffer = io.BytesIO()
    workbook.save(buffer)
    started = runner.import_start(
        kind=ImportJob.Kind.POPULATION,
        upload=SimpleUploadedFile("population.xlsx", buffer.getvalue()),
        user=district_user,
        params={"year": YEAR, "source": ""},
    )
    district_user.district = None
    district_user.save()
    runner.import_run(job_id=started.pk, attempt=started.attempt)
    started.refresh_from_db()
    assert started.status == ImportJob.Status.FAILED and started.errors
    assert not VillagePopulation.objects.exists()


# --- Target figures from Excel -------------------------------------------------------------------


def _target_template(client, source, year=YEAR):
    response = client.get(reverse("indicators:target-template"), {"year": year, "source": source})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


@pytest.fixture
def target_upload(post_import):
    """POST a targets file of one source; its job runs when the request commits."""

    def send(workbook, source, year=YEAR):
        buffer = io.BytesIO()
        workbook.save(buffer)
        upload = SimpleUploadedFile("targets.xlsx", buffer.getvalue())
        return post_import(
            reverse("indicators:target-import"), {"year": year, "source": source, "file": upload}
        )

    return send


def test_programme_figures_for_every_desa_come_from_one_template(
    hsu, district_user, english, target_upload
):
    english.force_login(district_user)
    workbook = _target_template(english, Source.OTHER)
    sheet = workbook.active
    assert sheet.title == "Targets 2026 other"
    assert sheet.cell(1, 4).value == "1. Estimated pregnant women"
    assert sheet.cell(1, 14).value == "11. People with presumptive TB in the year"
    for row in (2, 3):
        sheet.cell(row, 14, 7)
        sheet.cell(row, 15, 4)
    response, job = target_upload(workbook, Source.OTHER)
    assert response.status_code == 302 and job.status == ImportJob.Status.DONE, job.errors
    assert job.kind == ImportJob.Kind.TARGETS and job.params["source"] == Source.OTHER
    assert job.result["summary"] == "4 figures saved."
    page = english.get(response["Location"])
    assert f"{reverse('indicators:target-list')}?year={YEAR}" in page.content.decode()
    assert _figure(hsu["villages"][1], 11, Source.OTHER).value == 7
    assert _figure(hsu["villages"][1], 12, Source.OTHER).entered_by == district_user
    again = _target_template(english, Source.OTHER)
    assert again.active.cell(2, 14).value == 7
    _response, job = target_upload(again, Source.OTHER)  # unchanged: nothing rewritten
    assert job.status == ImportJob.Status.DONE and job.result["summary"] == "0 figures saved."
    assert Target.objects.count() == 4


def test_import_keeps_the_note_of_a_figure_it_changes(hsu, district_user, english, target_upload):
    village = hsu["villages"][0]
    services.target_propose(
        village=village,
        year=YEAR,
        service=_service(11),
        source=Source.OTHER,
        value=5,
        note="TB programme list",
        by=district_user,
    )
    english.force_login(district_user)
    workbook = _target_template(english, Source.OTHER)
    workbook.active.cell(2, 14, 8)
    _response, job = target_upload(workbook, Source.OTHER)
    assert job.status == ImportJob.Status.DONE, job.errors
    figure = _figure(village, 11, Source.OTHER)
    assert figure.value == 8 and figure.note == "TB programme list"


def test_bad_target_file_saves_nothing_and_puskesmas_imports_only_its_sources(
    hsu, puskesmas_head, world, english, target_upload
):
    english.force_login(puskesmas_head)
    workbook = _target_template(english, Source.REGISTER)
    sheet = workbook.active
    sheet.cell(2, 4, 20)
    sheet.cell(3, 5, 2.5)
    sheet.append([world["banjarmasin"]["villages"][0].code, "", "", 9])
    response, job = target_upload(workbook, Source.REGISTER)
    assert job.status == ImportJob.Status.FAILED and job.puskesmas_id == hsu["puskesmas"].pk
    errors = _errors((response, job))
    assert any("row 3, column E" in e and "whole number" in e for e in errors), errors
    assert any("row 4, column A" in e and "not in your area" in e for e in errors), errors
    assert not Target.objects.exists()
    response, job = target_upload(workbook, Source.DUKCAPIL)  # not a puskesmas source
    assert response.status_code == 200 and job is None
    assert "source" in response.context["form"].errors
    response = english.get(
        reverse("indicators:target-template"), {"year": YEAR, "source": Source.DUKCAPIL}
    )
    assert response.status_code == 200  # falls back to a source the puskesmas may enter
    assert load_workbook(io.BytesIO(response.content)).active.title == "Targets 2026 register"


def test_target_file_of_another_source_is_refused(hsu, district_user, english, target_upload):
    english.force_login(district_user)
    workbook = _target_template(english, Source.REGISTER)
    workbook.active.cell(2, 4, 20)
    response, job = target_upload(workbook, Source.OTHER)
    assert job.status == ImportJob.Status.FAILED
    assert any("no sheet with this name" in e for e in _errors((response, job))), job.errors
    assert not Target.objects.exists()


def test_import_cannot_change_an_approved_target_of_record(
    populated, district_user, english, target_upload
):
    _complete(populated, district_user)
    services.targets_approve(district=populated["district"], year=YEAR, by=district_user)
    english.force_login(district_user)
    workbook = _target_template(english, Source.OTHER)
    workbook.active.cell(2, 14, 99)
    workbook.active.cell(2, 4, 12)  # a new figure beside the others: not saved either
    response, job = target_upload(workbook, Source.OTHER)
    assert job.status == ImportJob.Status.FAILED
    errors = _errors((response, job))
    assert any("row 2, column N" in e and "approved target of record" in e for e in errors)
    assert _figure(populated["villages"][0], 11, Source.OTHER).value == 3
    assert not Target.objects.filter(source=Source.OTHER, service=_service(1)).exists()


def test_province_cannot_import_target_figures(
    hsu, province_user, district_user, client, target_upload
):
    client.force_login(district_user)
    workbook = _target_template(client, Source.OTHER)
    client.force_login(province_user)
    assert client.get(reverse("indicators:target-import")).status_code == 403
    assert client.get(reverse("indicators:target-template")).status_code == 403
    response, job = target_upload(workbook, Source.OTHER)
    assert response.status_code == 403 and job is None
    assert not ImportJob.objects.exists()


# --- Pages, exports and query counts -------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [
        ("indicators:target-list", None),
        ("indicators:target-choose", "puskesmas"),
        ("indicators:target-village", "village"),
        ("indicators:population-list", None),
        ("indicators:estimaterule-list", None),
    ],
)
def test_every_targets_table_exports_to_excel(populated, district_user, client, name, args):
    _estimate(populated, district_user)
    client.force_login(district_user)
    obj = {"puskesmas": populated["puskesmas"], "village": populated["villages"][0]}.get(args)
    url = reverse(name, args=[obj.pk] if obj else None)
    response = client.get(url, {"year": YEAR, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(response.content)).active.max_row > 1


def test_overview_export_lists_puskesmas_with_targets_of_record(populated, district_user, english):
    _complete(populated, district_user)
    english.force_login(district_user)
    response = english.get(reverse("indicators:target-list"), {"year": YEAR, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 1).value == "Puskesmas"
    assert sheet.cell(2, 1).value == "Puskesmas Hsu"
    assert sheet.cell(2, 3).value == 36  # service 1: 18 + 18 pregnant women
    by_service = english.get(
        reverse("indicators:target-list"), {"year": YEAR, "format": "xlsx", "table": "services"}
    )
    rows = list(load_workbook(io.BytesIO(by_service.content)).active.values)
    assert rows[1][:3] == ("1. Estimated pregnant women", 36, 36)


def test_province_sees_district_sums_and_puskesmas_its_desa(
    populated, district_user, province_user, puskesmas_head, client
):
    _complete(populated, district_user)
    client.force_login(province_user)
    overview = client.get(reverse("indicators:target-list"), {"year": YEAR}).context["overview"]
    assert overview.level == "district"
    assert {row.unit.code for row in overview.rows} == {"63.08", "63.71"}
    hsu_row = next(r for r in overview.rows if r.unit.code == "63.08")
    assert hsu_row.cells[0].of_record == 36 and hsu_row.missing == 0
    client.force_login(puskesmas_head)
    overview = client.get(reverse("indicators:target-list"), {"year": YEAR}).context["overview"]
    assert overview.level == "village"
    assert [row.unit for row in overview.rows] == populated["villages"]


def test_pages_answer_every_role(populated, district_user, province_user, puskesmas_staff, client):
    _estimate(populated, district_user)
    pages = [
        reverse("indicators:target-list"),
        reverse("indicators:target-choose", args=[populated["puskesmas"].pk]),
        reverse("indicators:target-village", args=[populated["villages"][0].pk]),
        reverse("indicators:population-list"),
        reverse("indicators:estimaterule-list"),
    ]
    for user in (district_user, province_user, puskesmas_staff):
        client.force_login(user)
        for url in pages:
            assert client.get(url, {"year": YEAR}).status_code == 200, (url, user.username)


def _grow(hsu, count: int, by):
    villages = VillageFactory.create_batch(
        count, subdistrict=hsu["subdistrict"], puskesmas=hsu["puskesmas"]
    )
    PuskesmasFactory.create_batch(2, subdistrict=hsu["subdistrict"])
    _set_population(villages)
    _estimate(hsu, by)
    services.targets_choose_source(
        district=hsu["district"], year=YEAR, source=Source.ESTIMATE, by=by
    )


@pytest.mark.parametrize(
    "name,kind",
    [
        ("indicators:target-list", None),
        ("indicators:target-list", "by-desa"),
        ("indicators:target-choose", "puskesmas"),
        ("indicators:population-list", None),
        ("indicators:estimaterule-list", None),
    ],
)
def test_targets_pages_queries_do_not_grow(
    populated, district_user, client, django_assert_num_queries, name, kind
):
    client.force_login(district_user)
    hsu = populated
    args = [hsu["puskesmas"].pk] if kind == "puskesmas" else None
    params = {"year": YEAR, **({"puskesmas": hsu["puskesmas"].pk} if kind == "by-desa" else {})}
    _grow(hsu, 1, district_user)
    url = reverse(name, args=args)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, params).status_code == 200
    _grow(hsu, 12, district_user)
    with django_assert_num_queries(len(few)):
        client.get(url, params)


# --- Demo ----------------------------------------------------------------------------------------


def test_demo_targets_are_plausible_deterministic_and_ready_to_approve(hsu, district_user):
    VillageFactory.create_batch(4, subdistrict=hsu["subdistrict"], puskesmas=hsu["puskesmas"])
    services.demo_targets(district=hsu["district"], year=YEAR, by=district_user)
    first = sorted(VillagePopulation.objects.values_list("village_id", "band_id", "count"))
    assert len(first) == 6 * 6
    services.demo_targets(district=hsu["district"], year=YEAR, by=district_user)
    assert sorted(VillagePopulation.objects.values_list("village_id", "band_id", "count")) == first
    of_record = Target.objects.filter(is_of_record=True)
    # Ten services by the estimate rules; TB and HIV (no estimate rule) by programme figures.
    assert of_record.count() == 6 * 12
    assert of_record.filter(source=Source.ESTIMATE).count() == 6 * 10
    assert of_record.filter(source=Source.OTHER).count() == 6 * 2
    assert Target.objects.filter(source=Source.REGISTER).count() == 2 * 2  # desa 1 and 6
    under5 = VillagePopulation.objects.filter(band__code="under5").values_list("count", flat=True)
    total = VillagePopulation.objects.filter(band__code="all").values_list("count", flat=True)
    assert 0.07 < sum(under5) / sum(total) < 0.11
