"""Excel templates and imports of a meeting's participants and RTL items: round trips, adds and
updates, every bad cell located with nothing saved, closed meetings, other areas and rights.

An upload runs as an ImportJob (eagerly here, when the request commits): the tests read what
its page shows, done with a summary or failed with every problem located."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kernel.imports.runner import import_run, import_start
from kernel.models import ImportJob, User
from tests.factories import (
    FollowUpFactory,
    ParticipantFactory,
    PartnerFactory,
    ProblemFactory,
    SubdistrictFactory,
    UserFactory,
)
from workshops.models import FollowUp, Participant, RootCause

from ..conftest import errors_of

KINDS = {"participants": ImportJob.Kind.PARTICIPANTS, "rtl": ImportJob.Kind.RTL_ITEMS}

pytestmark = pytest.mark.django_db


def _url(name: str, meeting) -> str:
    return reverse(f"workshops:{name}", args=[meeting.pk])


@pytest.fixture
def head_client(client, puskesmas_head):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(puskesmas_head)
    return client


def _template(client, name: str, meeting) -> bytes:
    response = client.get(_url(name, meeting))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def _edited(content: bytes, sheet: str, cells: dict[str, object]) -> SimpleUploadedFile:
    """The workbook with `cells` ({"A3": value}) written into `sheet`, as an upload."""
    workbook = load_workbook(io.BytesIO(content))
    for coordinate, value in cells.items():
        workbook[sheet][coordinate] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("filled.xlsx", buffer.getvalue())


@pytest.fixture
def upload(post_import):
    """POST a filled template to an import page: (response, its job, which has run)."""

    def send(name: str, meeting, file):
        return post_import(_url(name, meeting), {"file": file})

    return send


def _done(sent) -> str:
    """The summary of an import that saved, after checking it led to its job's page."""
    response, job = sent
    assert job is not None, "the upload should have started an import job"
    assert response.url == reverse("kernel:importjob-detail", args=[job.pk])
    assert job.status == ImportJob.Status.DONE, job.errors
    return job.result["summary"]


def _errors(sent) -> list[str]:
    response, job = sent
    assert job is not None and job.status == ImportJob.Status.FAILED, "should have been refused"
    return errors_of(response, job)


def _message(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


def _history_counts() -> tuple[int, int]:
    return Participant.history.count(), FollowUp.history.count()


# --- Participants ---------------------------------------------------------------------------------


@pytest.fixture
def people(lokmin):
    """Two participants of the lokmin: a village head who came and signs, a cadre not recorded."""
    return [
        ParticipantFactory(
            meeting=lokmin,
            name="H. Rahmadi",
            phone="0812 5555 0123",
            attended=True,
            signs_agreement=True,
        ),
        ParticipantFactory(meeting=lokmin, name="Siti Aminah", position="Kader", sector="pkk"),
    ]


def test_participants_template_lists_the_participants_with_hidden_ids_and_a_lists_sheet(
    head_client, lokmin, people
):
    workbook = load_workbook(io.BytesIO(_template(head_client, "participants-template", lokmin)))
    assert workbook.sheetnames == ["Participants", "Instructions", "Lists"]
    sheet = workbook["Participants"]
    rows = list(sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    assert rows[0] == (
        "Name",
        "Position",
        "Organisation",
        "Sector code",
        "Phone",
        "Present",
        "Signs the agreement",
        "id",
    )
    assert rows[1] == (
        "H. Rahmadi",
        "Kepala desa",
        "Pemerintah desa",
        "village",
        "0812 5555 0123",
        "Yes",
        "Yes",
        people[0].pk,
    )
    assert rows[2][3:8] == ("pkk", None, None, "No", people[1].pk)
    assert sheet.column_dimensions["H"].hidden
    codes = [row[0] for row in workbook["Lists"].iter_rows(min_row=2, values_only=True)]
    assert {"health", "village", "pkk", "police"} <= set(codes)
    formulas = {
        str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert formulas["D2"] == f"'Lists'!$A$2:$A${len(codes) + 1}"
    assert formulas["F2"] == formulas["G2"] == '"Yes,No"'


def test_participants_round_trip_changes_nothing(head_client, lokmin, people, upload):
    before = _history_counts()
    content = _template(head_client, "participants-template", lokmin)
    sent = upload("participants-import", lokmin, _edited(content, "Participants", {}))
    assert "0 added, 0 updated, 2 unchanged" in _done(sent)
    assert sent[1].result["unchanged"] == 2 and sent[1].done == 0
    assert _history_counts() == before


def test_participants_import_adds_and_corrects_people_and_attendance(
    head_client, lokmin, people, upload
):
    content = _template(head_client, "participants-template", lokmin)
    file = _edited(
        content,
        "Participants",
        {
            "F3": "ya",  # the cadre came (Indonesian yes)
            "E3": 81355550199,  # a phone typed as a number
            "A4": "Brigadir Yusuf",
            "B4": "Kanit Binmas",
            "C4": "Polsek Amuntai Tengah",
            "D4": "Police (Polres, Polsek)",  # a label is accepted as well as the code
            "F4": "Yes",
            "G4": "no",
        },
    )
    sent = upload("participants-import", lokmin, file)
    assert "1 added, 1 updated, 1 unchanged" in _done(sent)
    job = sent[1]
    assert job.params["_back"] == _url("meeting-participants", lokmin)
    assert (job.puskesmas_id, job.district_id, job.province_id) == (
        lokmin.puskesmas_id,
        lokmin.district_id,
        None,
    )
    page = head_client.get(reverse("kernel:importjob-detail", args=[job.pk])).content.decode()
    assert (
        "1 added, 1 updated, 1 unchanged" in page and _url("meeting-participants", lokmin) in page
    )
    cadre = Participant.objects.get(pk=people[1].pk)
    assert (cadre.attended, cadre.phone) == (True, "81355550199")
    added = Participant.objects.get(name="Brigadir Yusuf")
    assert (added.sector, added.attended, added.signs_agreement) == ("police", True, False)
    assert added.is_invited and added.order > people[1].order


def test_bad_participant_rows_are_each_located_and_nothing_is_saved(
    head_client, lokmin, people, forum, upload
):
    stranger = ParticipantFactory(meeting=forum)
    before = _history_counts()
    content = _template(head_client, "participants-template", lokmin)
    file = _edited(
        content,
        "Participants",
        {
            "A2": None,  # missing name
            "D3": "army",  # unknown sector code
            "E3": "call me",  # bad phone
            "F3": "maybe",  # bad yes/no
            "G3": "perhaps",
            "A4": "Orang baru",
            "D4": "health",
            "H4": stranger.pk,  # an id of another meeting
            "A5": "Kader Posyandu",
            "D5": "community",
        },
    )
    errors = _errors(upload("participants-import", lokmin, file))
    assert errors == [
        "Sheet Participants, row 2, column A: Name is required.",
        "Sheet Participants, row 3, column D: unknown code “army”; use a code from the Lists "
        "sheet.",
        "Sheet Participants, row 3, column E: Enter a phone number in digits, for example 0812 "
        "3456 7890.",
        "Sheet Participants, row 3, column F: write Yes or No, or leave it empty.",
        "Sheet Participants, row 3, column G: write Yes or No.",
        f"Sheet Participants, row 4, column H: the hidden id {stranger.pk} is not of this "
        "meeting; clear it.",
    ]
    assert _history_counts() == before
    assert Participant.objects.filter(meeting=lokmin).count() == 2  # row 5 was fine: not saved


def test_a_copied_row_with_its_id_is_refused(head_client, lokmin, people, upload):
    content = _template(head_client, "participants-template", lokmin)
    file = _edited(content, "Participants", {"A4": "Copy", "D4": "health", "H4": people[0].pk})
    assert _errors(upload("participants-import", lokmin, file)) == [
        "Sheet Participants, row 4, column H: the hidden id is also in row 2; clear it in the "
        "copied row."
    ]


def test_template_in_indonesian_imports_for_an_english_user(
    client, lokmin, people, puskesmas_head, upload
):
    client.force_login(puskesmas_head)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    content = _template(client, "participants-template", lokmin)
    sheet = load_workbook(io.BytesIO(content)).sheetnames[0]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    file = _edited(content, sheet, {"G3": "Ya"})
    assert "1 updated" in _done(upload("participants-import", lokmin, file))
    assert Participant.objects.get(pk=people[1].pk).signs_agreement is True


def test_notes_beside_the_rows_are_ignored_and_a_foreign_id_is_located(
    head_client, lokmin, people, upload
):
    content = _template(head_client, "participants-template", lokmin)
    noted = _edited(content, "Participants", {"J2": "call back on Monday", "F3": "Yes"})
    assert "0 added, 1 updated, 1 unchanged" in _done(upload("participants-import", lokmin, noted))
    typed = _edited(content, "Participants", {"H3": "abc"})
    assert _errors(upload("participants-import", lokmin, typed)) == [
        "Sheet Participants, row 3, column H: the hidden id “abc” was not written by Simpul; "
        "clear it."
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a workbook", "this is not an Excel .xlsx file."),
        (None, "the column headings must be, in order: Name, Position"),
    ],
)
def test_a_file_that_is_not_the_template_is_refused(head_client, lokmin, content, message, upload):
    if content is None:
        workbook = Workbook()
        workbook.active.title = "Participants"
        workbook.active.append(["Nama lengkap", "Alamat"])
        workbook.active.append(["Ani", "Jl. Mawar"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
    errors = _errors(upload("participants-import", lokmin, SimpleUploadedFile("x.xlsx", content)))
    assert message in " ".join(errors)
    assert not Participant.objects.exists()


# --- RTL ------------------------------------------------------------------------------------------


@pytest.fixture
def plan(lokmin, world):
    """Two problems of the lokmin, a root cause of the first, and two RTL items: one planned from
    the first problem with a partner, one already in progress."""
    first, second = ProblemFactory.create_batch(2, meeting=lokmin)
    cause = RootCause.objects.create(problem=first, category="man", description="Bidan baru")
    partner = world["hsu"]["partner"]
    items = [
        FollowUpFactory(
            meeting=lokmin,
            problem=first,
            root_cause=cause,
            partner=partner,
            sector=partner.sector,
            cost_idr=12_500_000,
            funding_source="bok",
            goal="Ibu hamil paham tanda bahaya",
            due_on=datetime.date(2026, 6, 30),
        ),
        FollowUpFactory(meeting=lokmin, status="in_progress", due_on=datetime.date(2026, 7, 31)),
    ]
    return {"problems": [first, second], "cause": cause, "partner": partner, "items": items}


def test_rtl_template_follows_the_rtl_columns_with_hidden_ids(head_client, lokmin, plan):
    workbook = load_workbook(io.BytesIO(_template(head_client, "rtl-template", lokmin)))
    assert workbook.sheetnames == ["RTL", "Instructions", "Lists"]
    sheet = workbook["RTL"]
    rows = list(sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    assert rows[0] == (
        "Problem no.",
        "Activity",
        "Goal",
        "Target group",
        "Target to reach",
        "Due date",
        "Person responsible",
        "Sector code",
        "Partner organisation",
        "Cost (Rp)",
        "Funding source code",
        "Success indicator",
        "Posyandu or UKBM",  # issue #17, optional
        "id",
    )
    first = plan["items"][0]
    assert rows[1][0:3] == (1, first.activity, "Ibu hamil paham tanda bahaya")
    assert rows[1][5].date() == datetime.date(2026, 6, 30)
    assert rows[1][7:] == ("social", plan["partner"].name, 12_500_000, "bok", None, None, first.pk)
    assert rows[2][0] is None and rows[2][13] == plan["items"][1].pk
    assert sheet.column_dimensions["N"].hidden
    lists = list(workbook["Lists"].iter_rows(min_row=1, max_row=3, values_only=True))
    assert lists[0][3] == "Partner organisation" and lists[1][3] == plan["partner"].name
    assert lists[0][6] == "Funding source code" and lists[1][6] == "apbd"
    assert lists[1][9:11] == (1, plan["problems"][0].statement)
    dropdowns = {str(v.sqref)[0] for v in sheet.data_validations.dataValidation}
    assert dropdowns == {"A", "H", "I", "K", "M"}  # M: the area's posyandu (issue #17)


def test_rtl_round_trip_changes_nothing(head_client, lokmin, plan, upload):
    before = _history_counts()
    content = _template(head_client, "rtl-template", lokmin)
    assert "0 added, 0 updated, 2 unchanged" in _done(
        upload("rtl-import", lokmin, _edited(content, "RTL", {}))
    )
    assert _history_counts() == before


def test_rtl_import_adds_and_corrects_items_but_never_their_status(
    head_client, lokmin, plan, upload
):
    content = _template(head_client, "rtl-template", lokmin)
    file = _edited(
        content,
        "RTL",
        {
            "B3": "Sweeping balita ke posyandu",  # the item in progress, corrected
            "A4": "2.",
            "B4": "Kelas ibu balita",
            "F4": "15/08/2026",
            "G4": "Ahli gizi",
            "I4": plan["partner"].name.upper(),  # names are matched whatever their case
            "J4": "Rp 1.500.000",
            "K4": "Dana Desa",  # a label is accepted as well as the code
        },
    )
    sent = upload("rtl-import", lokmin, file)
    assert "1 added, 1 updated, 1 unchanged" in _done(sent)
    assert sent[1].params["_back"] == _url("meeting-rtl", lokmin)
    corrected = FollowUp.objects.get(pk=plan["items"][1].pk)
    assert (corrected.activity, corrected.status) == ("Sweeping balita ke posyandu", "in_progress")
    added = FollowUp.objects.get(activity="Kelas ibu balita")
    assert added.problem == plan["problems"][1]
    assert (added.due_on, added.cost_idr) == (datetime.date(2026, 8, 15), 1_500_000)
    assert (added.funding_source, added.partner, added.sector) == (
        "dana_desa",
        plan["partner"],
        plan["partner"].sector,  # filled from the partner, as the form does
    )
    assert (added.status, added.created_by) == ("planned", lokmin.created_by)


def test_rtl_import_keeps_a_root_cause_only_while_its_problem_stays(
    head_client, lokmin, plan, upload
):
    content = _template(head_client, "rtl-template", lokmin)
    first = plan["items"][0]
    _done(upload("rtl-import", lokmin, _edited(content, "RTL", {"C2": "Baru"})))
    assert FollowUp.objects.get(pk=first.pk).root_cause == plan["cause"]
    _done(upload("rtl-import", lokmin, _edited(content, "RTL", {"A2": 2})))
    first.refresh_from_db()
    assert (first.problem, first.root_cause) == (plan["problems"][1], None)


def test_bad_rtl_rows_are_each_located_and_nothing_is_saved(
    head_client, lokmin, plan, world, upload
):
    elsewhere = PartnerFactory(
        district=world["hsu"]["district"],
        subdistrict=SubdistrictFactory(district=world["hsu"]["district"]),
        name="Koramil kecamatan sebelah",
    )
    before = _history_counts()
    content = _template(head_client, "rtl-template", lokmin)
    new_row = {"B4": "Posyandu remaja", "F4": "2026-09-01", "G4": "Bidan desa"}
    file = _edited(
        content,
        "RTL",
        {
            "F2": datetime.datetime(2026, 5, 1),  # due before the meeting
            "J2": -5000,  # negative cost
            "K2": "lottery",  # unknown funding source
            "A3": 7,  # unknown problem number
            "I3": elsewhere.name,  # a partner outside the meeting's area
            "B4": None,  # missing activity
            "F4": "next month",  # not a date
            "G4": "Bidan desa",
            "I4": "Dinas Entah",  # unknown partner
            "J4": "1,5 juta",
            "B5": new_row["B4"],
            "F5": new_row["F4"],
            "G5": new_row["G4"],
        },
    )
    errors = _errors(upload("rtl-import", lokmin, file))
    assert errors == [
        "Sheet RTL, row 2, column F: The due date cannot be before the meeting (12 May 2026).",
        "Sheet RTL, row 2, column J: The cost cannot be negative.",
        "Sheet RTL, row 2, column K: unknown code “lottery”; use a code from the Lists sheet.",
        "Sheet RTL, row 3, column A: there is no problem 7 in this meeting's problems list.",
        "Sheet RTL, row 3, column I: Choose a partner organisation of the meeting's area.",
        "Sheet RTL, row 4, column B: Activity is required.",
        "Sheet RTL, row 4, column F: “next month” is not a date; write it as DD/MM/YYYY.",
        "Sheet RTL, row 4, column I: unknown partner organisation “Dinas Entah”; use a name from "
        "the Lists sheet.",
        "Sheet RTL, row 4, column J: “1,5 juta” is not a whole number of rupiah.",
    ]
    assert _history_counts() == before
    assert FollowUp.objects.count() == 2  # row 5 was fine: not saved either


def test_a_partner_of_another_district_is_unknown(head_client, lokmin, plan, world, upload):
    content = _template(head_client, "rtl-template", lokmin)
    file = _edited(content, "RTL", {"I2": world["banjarmasin"]["partner"].name})
    errors = _errors(upload("rtl-import", lokmin, file))
    assert errors == [
        f"Sheet RTL, row 2, column I: unknown partner organisation "
        f"“{world['banjarmasin']['partner'].name}”; use a name from the Lists sheet."
    ]


def test_district_planner_imports_the_rtl_of_a_district_forum(client, forum, district_user, upload):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(district_user)
    content = _template(client, "rtl-template", forum)
    file = _edited(
        content, "RTL", {"B2": "Rapat koordinasi PBI", "F2": "2026-07-01", "G2": "Kabid P2P"}
    )
    sent = upload("rtl-import", forum, file)
    assert "1 added" in _done(sent)
    assert FollowUp.objects.get(meeting=forum).responsible == "Kabid P2P"
    job = sent[1]  # a district forum's import belongs to the district, not to a puskesmas
    assert (job.district_id, job.puskesmas_id, job.province_id) == (forum.district_id, None, None)


# --- Closed meetings, areas, rights, queries ------------------------------------------------------


def _start(kind: str, meeting, user, content: bytes = b"PK\x03\x04"):
    """Start an import job as the view does (the runner checks the user's right first)."""
    file = SimpleUploadedFile("filled.xlsx", content)
    return import_start(kind=KINDS[kind], upload=file, user=user, params={"meeting": meeting.pk})


@pytest.mark.parametrize("kind", ["participants", "rtl"])
def test_a_closed_meeting_refuses_both_imports(head_client, lokmin, people, plan, kind, upload):
    content = _template(head_client, f"{kind}-template", lokmin)
    sheet = "RTL" if kind == "rtl" else "Participants"
    lokmin.status = "closed"
    lokmin.save()
    before = _history_counts()
    file = _edited(content, sheet, {"B2": "Changed after closing"})
    response, job = upload(f"{kind}-import", lokmin, file)
    assert response.status_code == 302 and job is None
    assert "closed" in _message(response)
    assert _history_counts() == before
    with pytest.raises(ValidationError, match="closed"):
        _start(kind, lokmin, lokmin.created_by)
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("kind", ["participants", "rtl"])
def test_a_meeting_closed_while_its_import_waits_refuses_it(
    head_client, lokmin, people, plan, kind, django_capture_on_commit_callbacks
):
    content = _template(head_client, f"{kind}-template", lokmin)
    sheet = "RTL" if kind == "rtl" else "Participants"
    file = _edited(content, sheet, {"B2": "Changed after closing"})
    before = _history_counts()
    with django_capture_on_commit_callbacks() as queued:
        response = head_client.post(_url(f"{kind}-import", lokmin), {"file": file})
    assert response.status_code == 302 and len(queued) == 1
    lokmin.status = "closed"
    lokmin.save()
    queued[0]()  # the worker picks the job up only now
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert any("closed" in error for error in job.errors), job.errors
    assert _history_counts() == before


NAMES = ["participants-template", "participants-import", "rtl-template", "rtl-import"]


@pytest.mark.parametrize("name", NAMES)
def test_another_area_gets_404(client, lokmin, name, other_district_user, other_province_user):
    for outsider in (other_district_user, other_province_user):
        client.force_login(outsider)
        assert client.get(_url(name, lokmin)).status_code == 404
        assert client.post(_url(name, lokmin)).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_who_does_not_run_the_meeting_gets_403(client, lokmin, name, district_user, province_user):
    for reader in (district_user, province_user):  # they see the lokmin, but do not run it
        client.force_login(reader)
        assert client.get(_url(name, lokmin)).status_code == 403
        assert client.post(_url(name, lokmin)).status_code == 403


@pytest.mark.parametrize("kind", ["participants", "rtl"])
def test_imports_refuse_who_does_not_run_the_meeting(lokmin, district_user, world, kind):
    stranger = UserFactory(  # staff of another puskesmas: the lokmin is not in their area
        role=User.Role.PUSKESMAS_STAFF, puskesmas=world["banjarmasin"]["puskesmas"]
    )
    for user in (district_user, stranger):
        with pytest.raises(PermissionDenied):
            _start(kind, lokmin, user)
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("kind", ["participants", "rtl"])
def test_a_job_whose_uploader_lost_the_right_is_refused(lokmin, people, plan, kind, puskesmas_head):
    with_rights = _start(kind, lokmin, puskesmas_head)
    before = _history_counts()
    puskesmas_head.role = User.Role.DISTRICT_PLANNER  # e.g. moved to Dinkes before the job ran
    puskesmas_head.save()
    import_run(job_id=with_rights.pk, attempt=with_rights.attempt)
    with_rights.refresh_from_db()
    assert with_rights.status == ImportJob.Status.FAILED, with_rights.errors
    assert _history_counts() == before


def test_puskesmas_staff_may_import_their_lokmin(client, lokmin, people, puskesmas_staff, upload):
    client.force_login(puskesmas_staff)
    content = _template(client, "participants-template", lokmin)
    _done(upload("participants-import", lokmin, _edited(content, "Participants", {})))


def test_links_show_only_to_whoever_runs_the_meeting(client, lokmin, puskesmas_head, district_user):
    for user, shown in ((puskesmas_head, True), (district_user, False)):
        client.force_login(user)
        for page, name in (("meeting-participants", "participants"), ("meeting-rtl", "rtl")):
            html = client.get(_url(page, lokmin)).content.decode()
            assert (_url(f"{name}-import", lokmin) in html) is shown
            assert (_url(f"{name}-template", lokmin) in html) is shown


def test_import_page_offers_the_template(head_client, lokmin):
    response = head_client.get(_url("rtl-import", lokmin))
    assert response.status_code == 200
    assert _url("rtl-template", lokmin) in response.content.decode()


@pytest.mark.parametrize("kind", ["participants", "rtl"])
def test_template_queries_do_not_grow_with_the_rows(head_client, lokmin, world, kind):
    def add(count):
        for _ in range(count):
            if kind == "rtl":
                FollowUpFactory(
                    meeting=lokmin,
                    problem=ProblemFactory(meeting=lokmin),
                    partner=PartnerFactory(district=world["hsu"]["district"]),
                )
            else:
                ParticipantFactory(meeting=lokmin)

    add(2)
    with CaptureQueriesContext(connection) as few:
        _template(head_client, f"{kind}-template", lokmin)
    add(10)
    with CaptureQueriesContext(connection) as many:
        _template(head_client, f"{kind}-template", lokmin)
    assert len(many) == len(few)
