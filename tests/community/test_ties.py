"""The community layer tied to meetings and planning (issue #17, must-have 5): problems and RTL
items naming a posyandu (form, service, RTL Excel), RUK activities developing a UKBM with Dana
Desa (form, service, RUK Excel), and the UKBM section of the lokmin pack.

Tests run in Indonesian: they assert data, testids and status codes, never English text."""

import importlib
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from community import pack as community_pack
from kernel.models import FundingSource, ImportJob, ServicePoint
from planning import services as planning_services
from planning.models import Activity, BudgetSubActivity
from tests.exports import content_of, download_export
from tests.factories import FollowUpFactory, MeetingFactory, PuskesmasFactory, VillageFactory
from workshops import pack_sections
from workshops import services as workshop_services
from workshops.models import FollowUp, Problem

from .factories import CadreFactory, PosyanduFactory, PosyanduReviewFactory

pytestmark = pytest.mark.django_db

PLAN_YEAR = timezone.localdate().year + 1


@pytest.fixture
def lokmin(world, puskesmas_head):
    return MeetingFactory(puskesmas=world["hsu"]["puskesmas"], created_by=puskesmas_head)


@pytest.fixture
def posyandu(world):
    """Two posyandu of the HSU puskesmas and one of Banjarmasin's."""
    hsu, other = world["hsu"], world["banjarmasin"]
    return {
        "mawar": PosyanduFactory(
            puskesmas=hsu["puskesmas"], village=hsu["villages"][0], name="Mawar", runs_ilp=True
        ),
        "melati": PosyanduFactory(
            puskesmas=hsu["puskesmas"], village=hsu["villages"][1], name="Melati"
        ),
        "elsewhere": PosyanduFactory(
            puskesmas=other["puskesmas"], village=other["villages"][0], name="Anggrek"
        ),
    }


@pytest.fixture
def head_client(client, puskesmas_head):
    client.force_login(puskesmas_head)
    return client


@pytest.fixture
def budget_codes(db):
    if not BudgetSubActivity.objects.exists():
        from django.apps import apps

        importlib.import_module("planning.migrations.0002_load_budget_sub_activities").load(
            apps, None
        )


@pytest.fixture
def ruk(world, puskesmas_head, budget_codes):
    return planning_services.plan_create(year=PLAN_YEAR, by=puskesmas_head)


@pytest.fixture
def ukbm_pack():
    """The community provider registered on the pack, as CommunityConfig.ready does."""
    pack_sections.register(community_pack.ukbm_section)
    yield
    pack_sections.unregister(community_pack.ukbm_section)


def _edited(content: bytes, sheet: str, cells: dict) -> SimpleUploadedFile:
    workbook = load_workbook(io.BytesIO(content))
    for coordinate, value in cells.items():
        workbook[sheet][coordinate] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("filled.xlsx", buffer.getvalue())


def _job_done(sent) -> ImportJob:
    response, job = sent
    assert job is not None and job.status == ImportJob.Status.DONE, job and job.errors
    return job


def _job_failed(sent) -> list[str]:
    response, job = sent
    assert job is not None and job.status == ImportJob.Status.FAILED, job and job.result
    return list(job.errors)


# --- Problems and RTL items ----------------------------------------------------------------------


def test_a_problem_names_a_posyandu_of_the_lokmin_area(head_client, lokmin, posyandu):
    url = reverse("workshops:problem-create", args=[lokmin.pk])
    offered = set(head_client.get(url).context["form"].fields["service_point"].queryset)
    assert posyandu["mawar"] in offered and posyandu["elsewhere"] not in offered
    response = head_client.post(
        url, {"statement": "Balita gizi kurang", "service_point": posyandu["mawar"].pk}
    )
    assert response.status_code == 302
    problem = Problem.objects.get(meeting=lokmin)
    assert problem.service_point == posyandu["mawar"]
    page = head_client.get(reverse("workshops:meeting-problems", args=[lokmin.pk]))
    assert 'data-testid="problem-posyandu"' in page.content.decode()
    assert "Mawar" in page.content.decode()


def test_another_areas_posyandu_is_refused_by_form_and_service(
    head_client, lokmin, posyandu, puskesmas_head
):
    url = reverse("workshops:problem-create", args=[lokmin.pk])
    response = head_client.post(
        url, {"statement": "Balita gizi kurang", "service_point": posyandu["elsewhere"].pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["service_point"]
    assert not Problem.objects.exists()
    # The service refuses it too, whatever the form offered.
    problem = Problem(meeting=lokmin, statement="X", service_point=posyandu["elsewhere"])
    with pytest.raises(ValidationError) as refused:
        workshop_services.problem_save(problem=problem, by=puskesmas_head)
    assert "service_point" in refused.value.message_dict
    item = FollowUp(
        meeting=lokmin,
        activity="Sweeping",
        responsible="Bidan",
        due_on=lokmin.held_on,
        service_point=posyandu["elsewhere"],
    )
    with pytest.raises(ValidationError) as refused:
        workshop_services.follow_up_save(follow_up=item, by=puskesmas_head)
    assert "service_point" in refused.value.message_dict


def test_an_rtl_item_names_a_posyandu_and_the_lists_and_board_show_it(
    client, head_client, lokmin, posyandu, district_user
):
    url = reverse("workshops:followup-create", args=[lokmin.pk])
    data = {
        "activity": "Kelas ibu balita",
        "due_on": lokmin.held_on.isoformat(),
        "responsible": "Ahli gizi",
        "funding_source": FundingSource.VILLAGE_FUND,
        "service_point": posyandu["melati"].pk,
    }
    assert head_client.post(url, data).status_code == 302
    item = FollowUp.objects.get(meeting=lokmin)
    assert (item.service_point, item.funding_source) == (posyandu["melati"], "dana_desa")
    refused = head_client.post(
        url, {**data, "activity": "Lain", "service_point": posyandu["elsewhere"].pk}
    )
    assert refused.status_code == 200 and refused.context["form"].errors["service_point"]
    page = head_client.get(reverse("workshops:meeting-rtl", args=[lokmin.pk])).content.decode()
    assert 'data-testid="rtl-posyandu"' in page and "Melati" in page
    client.force_login(district_user)
    board = client.get(reverse("workshops:followup-board"))
    assert [row["service_point_name"] for row in board.context["rows"]] == ["Melati"]
    assert "Melati" in board.content.decode()


@pytest.mark.parametrize("value", ["-1", "abc", "1\x00", "999999"])
def test_bad_posyandu_values_are_refused(head_client, lokmin, ruk, posyandu, value):
    """Refused by the form (a NUL byte already by the request guard: 400)."""
    url = reverse("workshops:problem-create", args=[lokmin.pk])
    responses = [head_client.post(url, {"statement": "Gizi", "service_point": value})]
    url = reverse("planning:activity-create", args=[ruk.pk])
    responses.append(head_client.post(url, _activity_form(service_point=value)))
    for response in responses:
        if "\x00" in value:
            assert response.status_code == 400
        else:
            assert response.status_code == 200
            assert response.context["form"].errors["service_point"]
    assert not Problem.objects.exists() and not Activity.objects.exists()


def test_a_provincial_meeting_offers_no_posyandu(client, world, province_user):
    meeting = MeetingFactory(
        kind="province_meeting", puskesmas=None, district=None, province=world["kalsel"]
    )
    client.force_login(province_user)
    response = client.get(reverse("workshops:problem-create", args=[meeting.pk]))
    if response.status_code == 200:  # whoever runs it: the field is not offered
        assert "service_point" not in response.context["form"].fields


# --- RTL Excel ------------------------------------------------------------------------------------


def _rtl_template(client, meeting) -> bytes:
    response = client.get(reverse("workshops:rtl-template", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content


def _rtl_upload(post_import, meeting, file):
    return post_import(reverse("workshops:rtl-import", args=[meeting.pk]), {"file": file})


def test_rtl_template_and_import_carry_the_posyandu_column(
    head_client, lokmin, posyandu, post_import
):
    FollowUpFactory(meeting=lokmin, service_point=posyandu["mawar"])
    content = _rtl_template(head_client, lokmin)
    sheet = load_workbook(io.BytesIO(content))["RTL"]
    assert sheet["M2"].value == "Mawar"
    lists = load_workbook(io.BytesIO(content)).worksheets[2]  # RTL, Instructions, Lists
    names = {row[12] for row in lists.iter_rows(min_row=2, values_only=True)}
    assert {"Mawar", "Melati"} <= names and "Anggrek" not in names
    # A round trip changes nothing; a new row names Melati by name, whatever its case.
    file = _edited(
        content,
        "RTL",
        {"B3": "Posyandu remaja", "F3": lokmin.held_on, "G3": "Bidan desa", "M3": " melati "},
    )
    job = _job_done(_rtl_upload(post_import, lokmin, file))
    assert (job.result["added"], job.result["updated"], job.result["unchanged"]) == (1, 0, 1)
    added = FollowUp.objects.get(activity="Posyandu remaja")
    assert added.service_point == posyandu["melati"]
    # Clearing the cell clears the item's posyandu.
    content = _rtl_template(head_client, lokmin)
    sheet = load_workbook(io.BytesIO(content))["RTL"]
    row = next(r for r in range(2, 5) if sheet[f"B{r}"].value == "Posyandu remaja")
    _job_done(_rtl_upload(post_import, lokmin, _edited(content, "RTL", {f"M{row}": None})))
    added.refresh_from_db()
    assert added.service_point is None


def test_rtl_import_refuses_an_unknown_or_foreign_posyandu(
    head_client, lokmin, posyandu, post_import
):
    FollowUpFactory(meeting=lokmin)
    content = _rtl_template(head_client, lokmin)
    before = FollowUp.history.count()
    file = _edited(
        content,
        "RTL",
        {
            "M2": "Posyandu Entah",
            "B3": "Baru",
            "F3": lokmin.held_on,
            "G3": "Bidan",
            "M3": "Anggrek",  # Banjarmasin's: unknown in this meeting's area
        },
    )
    errors = _job_failed(_rtl_upload(post_import, lokmin, file))
    located = [e for e in errors if " M: " in e]
    assert any("Posyandu Entah" in e for e in located)
    assert any("Anggrek" in e for e in located)
    assert FollowUp.history.count() == before and FollowUp.objects.count() == 1


def test_two_posyandu_of_one_name_are_told_apart_by_their_desa(
    client, world, posyandu, district_user, post_import
):
    """In a district forum two puskesmas may each have a posyandu Mawar."""
    hsu = world["hsu"]
    second = PuskesmasFactory(subdistrict=hsu["subdistrict"], name="Puskesmas Kedua")
    village = VillageFactory(subdistrict=hsu["subdistrict"], puskesmas=second)
    twin = PosyanduFactory(puskesmas=second, village=village, name="Mawar")
    forum = MeetingFactory(
        kind="district_forum", puskesmas=None, district=hsu["district"], created_by=district_user
    )
    FollowUpFactory(meeting=forum, service_point=twin)
    client.force_login(district_user)
    content = _rtl_template(client, forum)
    written = load_workbook(io.BytesIO(content))["RTL"]["M2"].value
    assert written == f"Mawar ({village.name})"
    _job_done(_rtl_upload(post_import, forum, _edited(content, "RTL", {})))
    errors = _job_failed(_rtl_upload(post_import, forum, _edited(content, "RTL", {"M2": "mawar"})))
    assert len(errors) == 1 and "mawar" in errors[0] and " M: " in errors[0]
    assert FollowUp.objects.get(meeting=forum).service_point == twin


# --- RUK activities -------------------------------------------------------------------------------


def _activity_form(**overrides) -> dict:
    data = {
        "effort": "UKBM",
        "name": "Pembinaan posyandu menuju Purnama",
        "responsible": "Promkes",
        "budget_idr": "5.000.000",
        "funding_source": FundingSource.VILLAGE_FUND,
    }
    data.update(overrides)
    return data


def test_a_ruk_activity_develops_a_posyandu_paid_from_dana_desa(head_client, ruk, posyandu):
    url = reverse("planning:activity-create", args=[ruk.pk])
    form = head_client.get(url).context["form"]
    assert ("dana_desa", str(FundingSource.VILLAGE_FUND.label)) in [
        (value, str(label)) for value, label in form.fields["funding_source"].choices
    ]
    offered = set(form.fields["service_point"].queryset)
    assert posyandu["mawar"] in offered and posyandu["elsewhere"] not in offered
    response = head_client.post(url, _activity_form(service_point=posyandu["mawar"].pk))
    assert response.status_code == 302
    activity = Activity.objects.get(plan=ruk)
    assert (activity.service_point, activity.funding_source) == (posyandu["mawar"], "dana_desa")
    assert activity.budget_idr == Decimal(5_000_000)
    page = head_client.get(reverse("planning:plan-detail", args=[ruk.pk])).content.decode()
    assert 'data-testid="activity-ukbm"' in page and "Mawar" in page


def test_a_ruk_activity_refuses_another_areas_posyandu(head_client, ruk, posyandu, puskesmas_head):
    url = reverse("planning:activity-create", args=[ruk.pk])
    response = head_client.post(url, _activity_form(service_point=posyandu["elsewhere"].pk))
    assert response.status_code == 200 and response.context["form"].errors["service_point"]
    fields = {
        "effort": "UKBM",
        "name": "X",
        "responsible": "Y",
        "budget_idr": Decimal(0),
        "funding_source": "dana_desa",
        "service_point": posyandu["elsewhere"],
    }
    with pytest.raises(ValidationError) as refused:
        planning_services.activity_create(plan=ruk, fields=fields, by=puskesmas_head)
    assert "service_point" in refused.value.message_dict
    assert not Activity.objects.filter(plan=ruk).exists()


def _ruk_template(client, plan):
    response = client.get(reverse("planning:ruk-template", args=[plan.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _ruk_upload(post_import, plan, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("ruk.xlsx", buffer.getvalue())
    return post_import(reverse("planning:ruk-import", args=[plan.pk]), {"file": file})


def _ruk_row(point_label, source="Dana Desa"):
    return [
        None,
        "UKBM",
        "Pembinaan posyandu",
        "",
        "",
        "",
        "Promkes",
        "",
        "",
        "",
        "",
        2_500_000,
        "",
        source,
        None,
        None,
        point_label,
    ]


def test_ruk_import_reads_the_posyandu_and_dana_desa(head_client, ruk, posyandu, post_import):
    workbook = _ruk_template(head_client, ruk)
    lists = next(
        ws for ws in workbook.worksheets if ws.title not in ("RUK", "Simpul") and ws.max_column > 9
    )
    labels = [row[9] for row in lists.iter_rows(min_row=2, values_only=True) if row[9]]
    mawar = next(label for label in labels if "Mawar" in label)
    assert not any("Anggrek" in label for label in labels)
    workbook["RUK"].append(_ruk_row(mawar))
    workbook["RUK"].append(_ruk_row("melati", source="dana_desa"))  # bare name, code
    _job_done(_ruk_upload(post_import, ruk, workbook))
    activities = Activity.objects.filter(plan=ruk).order_by("pk")
    assert [(a.service_point, a.funding_source) for a in activities] == [
        (posyandu["mawar"], "dana_desa"),
        (posyandu["melati"], "dana_desa"),
    ]
    # The template writes them back; a round trip changes nothing.
    workbook = _ruk_template(head_client, ruk)
    assert {row[16] for row in workbook["RUK"].iter_rows(min_row=2, values_only=True)} == {
        mawar,
        next(label for label in labels if "Melati" in label),
    }
    job = _job_done(_ruk_upload(post_import, ruk, workbook))
    assert job.result["unchanged"] == 2
    # The RUK document lists it.
    export = head_client.get(reverse("planning:plan-detail", args=[ruk.pk]), {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].values)
    assert len(rows[0]) == 18 and rows[1][17] == str(posyandu["mawar"])


def test_ruk_import_refuses_an_unknown_posyandu(head_client, ruk, posyandu, post_import):
    workbook = _ruk_template(head_client, ruk)
    workbook["RUK"].append(_ruk_row("Anggrek"))
    errors = _job_failed(_ruk_upload(post_import, ruk, workbook))
    assert len(errors) == 1 and "Anggrek" in errors[0] and " Q: " in errors[0]
    assert not Activity.objects.filter(plan=ruk).exists()


def test_an_older_ruk_template_without_the_column_keeps_the_posyandu(
    head_client, ruk, posyandu, puskesmas_head, post_import
):
    fields = {
        "effort": "UKBM",
        "name": "Pembinaan",
        "responsible": "Promkes",
        "budget_idr": Decimal(0),
        "funding_source": "dana_desa",
        "service_point": posyandu["mawar"],
    }
    activity = planning_services.activity_create(plan=ruk, fields=fields, by=puskesmas_head)
    ruk.refresh_from_db()
    workbook = _ruk_template(head_client, ruk)
    sheet = workbook["RUK"]
    sheet.delete_cols(17)
    sheet["C2"] = "Pembinaan posyandu"
    _job_done(_ruk_upload(post_import, ruk, workbook))
    activity.refresh_from_db()
    assert (activity.name, activity.service_point) == ("Pembinaan posyandu", posyandu["mawar"])


# --- The meeting pack ----------------------------------------------------------------------------


def test_the_lokmin_pack_shows_the_ukbm_of_its_area_only(
    client, lokmin, posyandu, puskesmas_head, world, ukbm_pack
):
    approved = PosyanduReviewFactory(
        service_point=posyandu["mawar"], year=lokmin.year, stratum="purnama", status="approved"
    )
    PosyanduReviewFactory(
        service_point=posyandu["mawar"], year=lokmin.year - 1, stratum="madya", status="approved"
    )
    PosyanduReviewFactory(
        service_point=posyandu["elsewhere"], year=lokmin.year, stratum="mandiri", status="approved"
    )
    CadreFactory.create_batch(3, service_point=posyandu["mawar"])
    CadreFactory(service_point=posyandu["mawar"], is_active=False)
    CadreFactory(service_point=posyandu["elsewhere"])
    client.force_login(puskesmas_head)
    response = client.get(reverse("workshops:meeting-pack", args=[lokmin.pk]))
    assert response.status_code == 200
    sections = response.context["pack"].extra_sections
    assert [s.key for s in sections] == ["ukbm"]
    section = sections[0]
    by_name = {row[0]: row for row in section.rows}
    assert set(by_name) == {"Mawar", "Melati", world["hsu"]["service_point"].name}
    mawar = by_name["Mawar"]
    assert (mawar[1], mawar[3], mawar[5]) == (world["hsu"]["villages"][0].name, approved.year, 3)
    assert "Purnama" in mawar[2]
    assert by_name["Melati"][3] is None and by_name["Melati"][5] == 0
    summary = dict(section.summary)
    assert summary["Purnama"] == 1 and summary["Mandiri"] == 0
    html = response.content.decode()
    assert 'data-testid="pack-section-ukbm"' in html
    assert "Mawar" in html and "Anggrek" not in html


def test_a_draft_review_counts_for_its_puskesmas_not_for_the_district(
    client, lokmin, posyandu, puskesmas_head, district_user, ukbm_pack
):
    PosyanduReviewFactory(service_point=posyandu["melati"], year=lokmin.year, stratum="madya")
    client.force_login(puskesmas_head)
    rows = client.get(reverse("workshops:meeting-pack", args=[lokmin.pk])).context["pack"]
    melati = {row[0]: row for row in rows.extra_sections[0].rows}["Melati"]
    assert "Madya" in melati[2] and melati[3] == lokmin.year
    client.force_login(district_user)
    rows = client.get(reverse("workshops:meeting-pack", args=[lokmin.pk])).context["pack"]
    melati = {row[0]: row for row in rows.extra_sections[0].rows}["Melati"]
    assert melati[3] is None


def test_a_district_forum_pack_lists_its_puskesmas_posyandu_and_the_workbook_has_them(
    client, world, posyandu, district_user, ukbm_pack
):
    forum = MeetingFactory(
        kind="district_forum",
        puskesmas=None,
        district=world["hsu"]["district"],
        created_by=district_user,
    )
    client.force_login(district_user)
    url = reverse("workshops:meeting-pack", args=[forum.pk])
    section = client.get(url).context["pack"].extra_sections[0]
    assert {row[1] for row in section.rows} == {
        "Mawar",
        "Melati",
        world["hsu"]["service_point"].name,
    }
    assert {row[0] for row in section.rows} == {world["hsu"]["puskesmas"].name}
    book = load_workbook(
        io.BytesIO(content_of(download_export(client, url, query={"format": "xlsx"})))
    )
    ukbm = book.worksheets[-1]
    names = {row[1] for row in ukbm.iter_rows(min_row=2, values_only=True) if row}
    assert {"Mawar", "Melati"} <= names and "Anggrek" not in names


def test_no_section_for_a_provincial_meeting_or_an_area_without_posyandu(
    world, province_user, district_user, ukbm_pack
):
    meeting = MeetingFactory(
        kind="province_meeting", puskesmas=None, district=None, province=world["kalsel"]
    )
    assert community_pack.ukbm_section(meeting, province_user) is None
    ServicePoint.objects.all().delete()
    lokmin = MeetingFactory(puskesmas=world["hsu"]["puskesmas"])
    assert community_pack.ukbm_section(lokmin, district_user) is None


def test_the_ukbm_section_queries_do_not_grow_with_the_posyandu(
    lokmin, world, puskesmas_head, posyandu
):
    with CaptureQueriesContext(connection) as few:
        community_pack.ukbm_section(lokmin, puskesmas_head)
    for number in range(8):
        point = PosyanduFactory(puskesmas=world["hsu"]["puskesmas"], name=f"Pos {number}")
        PosyanduReviewFactory(service_point=point, year=lokmin.year, stratum="madya")
        CadreFactory.create_batch(2, service_point=point)
    with CaptureQueriesContext(connection) as many:
        section = community_pack.ukbm_section(lokmin, puskesmas_head)
    assert len(section.rows) == 11
    assert len(many) == len(few)
