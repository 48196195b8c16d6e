"""Before the meeting (issue #6): the list, create and edit, the hub and its status actions."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from workshops import services
from workshops.models import Meeting

from ..factories import (
    CommitmentFactory,
    FollowUpFactory,
    MeetingFactory,
    ParticipantFactory,
    ProblemFactory,
    PuskesmasFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("workshops:meeting-list")
CREATE = reverse("workshops:meeting-create")


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def _form(**overrides) -> dict:
    data = {
        "kind": "quarterly_lokmin",
        "title": "",
        "held_on": "2026-05-12",
        "starts_at": "09:00",
        "ends_at": "12:00",
        "place": "Aula Kantor Camat",
        "chair_name": "H. Rahmadi",
        "chair_position": "Sekretaris Camat",
        "speaker": "Dinas Kesehatan",
        "agenda": "Capaian SPM triwulan I\nKematian ibu dan stunting",
        "priority_method": "usg",
    }
    data.update(overrides)
    return data


def _data(**overrides) -> dict:
    """The form's data as the service gets it: cleaned, typed values."""
    data = _form(**overrides)
    data["held_on"] = datetime.date.fromisoformat(data["held_on"])
    data["starts_at"] = datetime.time.fromisoformat(data["starts_at"])
    data["ends_at"] = datetime.time.fromisoformat(data["ends_at"])
    return data


# --- List -----------------------------------------------------------------------------------------


def test_district_planner_lists_the_district_meetings_with_counts(
    client, district_user, lokmin, forum
):
    ParticipantFactory.create_batch(3, meeting=lokmin, attended=True)
    FollowUpFactory.create_batch(2, meeting=lokmin)
    FollowUpFactory(meeting=lokmin, status="done")
    CommitmentFactory(meeting=lokmin)
    response = _get(client, district_user, LIST)
    assert response.status_code == 200
    rows = {m.pk: m for m in response.context["rows"]}
    assert set(rows) == {lokmin.pk, forum.pk}
    assert rows[lokmin.pk].participant_count == 3
    assert rows[lokmin.pk].attended_count == 3
    assert rows[lokmin.pk].follow_up_count == 3
    assert rows[lokmin.pk].open_follow_up_count + rows[lokmin.pk].open_commitment_count == 3
    assert [value for value, __ in response.context["creatable"]] == [
        "district_forum",
        "district_meeting",
    ]


def test_puskesmas_head_sees_only_their_own_meetings(client, world, puskesmas_head, lokmin, forum):
    elsewhere = MeetingFactory(puskesmas=world["banjarmasin"]["puskesmas"], title="Elsewhere")
    response = _get(client, puskesmas_head, LIST)
    titles = [m.title for m in response.context["rows"]]
    assert titles == [lokmin.title]
    assert elsewhere.title not in response.content.decode()
    assert [value for value, __ in response.context["creatable"]] == [
        "monthly_lokmin",
        "quarterly_lokmin",
    ]


def test_other_district_sees_none_of_them(client, other_district_user, lokmin, forum):
    response = _get(client, other_district_user, LIST)
    assert list(response.context["rows"]) == []


def test_list_filters_by_kind_year_and_status(client, district_user, lokmin, forum):
    old = MeetingFactory(
        puskesmas=lokmin.puskesmas, held_on=datetime.date(2025, 11, 3), status="closed"
    )
    assert [
        m.pk for m in _get(client, district_user, LIST, kind="district_forum").context["rows"]
    ] == [forum.pk]
    assert [m.pk for m in _get(client, district_user, LIST, year="2025").context["rows"]] == [
        old.pk
    ]
    assert [m.pk for m in _get(client, district_user, LIST, status="closed").context["rows"]] == [
        old.pk
    ]
    response = _get(client, district_user, LIST, kind="nonsense", status="x")
    assert len(response.context["rows"]) == 3


def test_list_exports_the_rows_it_shows(client, district_user, lokmin, forum):
    ParticipantFactory.create_batch(2, meeting=lokmin)
    FollowUpFactory(meeting=lokmin)
    response = _get(client, district_user, LIST, format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    by_title = {row[1]: row for row in rows[1:]}
    assert by_title[lokmin.title][6:] == (2, 0, 1, 1)
    assert by_title[lokmin.title][3] == lokmin.puskesmas.name


def test_list_queries_do_not_grow_with_the_data(client, district_user, world):
    client.force_login(district_user)

    def grow(n):
        for __ in range(n):
            meeting = MeetingFactory(puskesmas=world["hsu"]["puskesmas"], created_by=district_user)
            ParticipantFactory.create_batch(2, meeting=meeting)
            FollowUpFactory(meeting=meeting)
            CommitmentFactory(meeting=meeting)

    grow(2)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
        client.get(LIST, {"format": "xlsx"})
    grow(10)
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
        client.get(LIST, {"format": "xlsx"})
    assert len(many) == len(few)


# --- Create ---------------------------------------------------------------------------------------


def test_puskesmas_head_creates_a_quarterly_lokmin_with_the_usual_title(
    client, world, puskesmas_head
):
    client.force_login(puskesmas_head)
    page = client.get(CREATE, {"kind": "quarterly_lokmin"})
    assert page.status_code == 200
    assert page.context["form"].initial["chair_position"].startswith("Camat ")
    client.cookies["django_language"] = "en"
    response = client.post(CREATE, _form())
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workshops:meeting-detail", args=[meeting.pk])
    assert meeting.puskesmas == world["hsu"]["puskesmas"]
    assert meeting.district == world["hsu"]["district"]
    assert meeting.province == world["kalsel"]
    assert meeting.created_by == puskesmas_head
    assert meeting.status == "planned"
    assert meeting.format == "meeting"
    assert meeting.title == "Cross-sector lokakarya mini, quarter II 2026"
    assert meeting.history.first().history_user == puskesmas_head


def test_default_titles_name_the_kind_and_period():
    may = datetime.date(2026, 5, 12)
    with translation.override("en"):
        assert (
            services.default_title(kind="quarterly_lokmin", held_on=may)
            == "Cross-sector lokakarya mini, quarter II 2026"
        )
        assert services.default_title(kind="monthly_lokmin", held_on=may) == (
            "Monthly lokakarya mini, May 2026"
        )
        assert "FGD" in services.default_title(
            kind="district_meeting", held_on=may, format="fgd"
        ) or "Focus group" in services.default_title(
            kind="district_meeting", held_on=may, format="fgd"
        )


def test_team_forming_is_suggested_for_the_first_lokmin_of_the_year(client, world, puskesmas_head):
    client.force_login(puskesmas_head)
    first = client.get(CREATE, {"kind": "monthly_lokmin"}).context["form"]
    assert first.initial["is_team_forming"] is True
    MeetingFactory(
        puskesmas=world["hsu"]["puskesmas"],
        kind="monthly_lokmin",
        held_on=first.initial["held_on"],
    )
    again = client.get(CREATE, {"kind": "monthly_lokmin"}).context["form"]
    assert again.initial["is_team_forming"] is False


def test_a_meeting_ending_before_it_starts_is_refused_and_nothing_saved(client, puskesmas_head):
    client.force_login(puskesmas_head)
    response = client.post(CREATE, _form(starts_at="12:00", ends_at="09:00"))
    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"]
    response = client.post(CREATE, _form(place=""))
    assert response.context["form"].errors["place"]
    assert not Meeting.objects.exists()


def test_a_kind_the_role_may_not_create_is_refused(client, district_user, puskesmas_head):
    client.force_login(district_user)
    response = client.post(CREATE, _form(kind="quarterly_lokmin"))
    assert response.context["form"].errors["kind"]
    with pytest.raises(PermissionDenied):
        services.meeting_create(by=puskesmas_head, data=_data(kind="district_forum"))
    assert not Meeting.objects.exists()


def test_a_role_without_meetings_cannot_open_the_form(client, world):
    nobody = UserFactory(role="system_admin")
    client.force_login(nobody)
    assert client.get(CREATE).status_code == 403


def test_district_planner_creates_an_fgd_and_other_formats_stay_meetings(
    client, world, district_user, puskesmas_staff
):
    client.force_login(district_user)
    client.post(CREATE, _form(kind="district_meeting", format="fgd", title="FGD perencanaan"))
    fgd = Meeting.objects.get()
    assert (fgd.format, fgd.district, fgd.puskesmas) == ("fgd", world["hsu"]["district"], None)
    lokmin = services.meeting_create(
        by=puskesmas_staff, data=_data(kind="monthly_lokmin", format="fgd", is_team_forming=True)
    )
    assert (lokmin.format, lokmin.is_team_forming) == ("meeting", True)
    forum = services.meeting_create(
        by=district_user, data=_data(kind="district_forum", is_team_forming=True)
    )
    assert forum.is_team_forming is False


# --- Edit -----------------------------------------------------------------------------------------


def _edit_data(meeting, **overrides):
    data = _form(kind=meeting.kind, title=meeting.title, version=meeting.version)
    data.update(overrides)
    return data


def test_edit_saves_and_bumps_the_version(client, puskesmas_head, lokmin):
    client.force_login(puskesmas_head)
    url = reverse("workshops:meeting-edit", args=[lokmin.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _edit_data(lokmin, place="Balai Desa"))
    assert response.status_code == 302
    lokmin.refresh_from_db()
    assert (lokmin.place, lokmin.version) == ("Balai Desa", 2)


def test_a_stale_edit_is_refused_naming_who_saved(client, world, puskesmas_head, lokmin):
    colleague = UserFactory(
        role="puskesmas_staff", puskesmas=world["hsu"]["puskesmas"], first_name="Siti"
    )
    services.meeting_update(
        meeting=lokmin, by=colleague, version=1, data={"place": "Aula Puskesmas"}
    )
    client.force_login(puskesmas_head)
    url = reverse("workshops:meeting-edit", args=[lokmin.pk])
    response = client.post(url, _edit_data(lokmin, version=1, place="Balai Desa"))
    assert response.status_code == 200
    assert "Siti" in " ".join(response.context["form"].non_field_errors())
    lokmin.refresh_from_db()
    assert (lokmin.place, lokmin.version) == ("Aula Puskesmas", 2)


def test_district_planner_cannot_edit_a_puskesmas_lokmin(client, district_user, lokmin):
    client.force_login(district_user)
    url = reverse("workshops:meeting-edit", args=[lokmin.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _edit_data(lokmin, place="X")).status_code == 403


def test_a_closed_meeting_or_a_held_kind_cannot_change(puskesmas_head, lokmin):
    Meeting.objects.filter(pk=lokmin.pk).update(status="held")
    lokmin.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.meeting_update(
            meeting=lokmin, by=puskesmas_head, version=1, data={"kind": "monthly_lokmin"}
        )
    assert "kind" in error.value.message_dict
    Meeting.objects.filter(pk=lokmin.pk).update(status="closed")
    lokmin.refresh_from_db()
    with pytest.raises(ValidationError):
        services.meeting_update(meeting=lokmin, by=puskesmas_head, version=1, data={"place": "X"})
    lokmin.refresh_from_db()
    assert lokmin.kind == "quarterly_lokmin" and lokmin.place != "X"


def test_the_method_changes_here_only_while_there_are_no_problems(puskesmas_head, lokmin):
    ProblemFactory(meeting=lokmin)
    with pytest.raises(ValidationError) as error:
        services.meeting_update(
            meeting=lokmin, by=puskesmas_head, version=1, data={"priority_method": "carl"}
        )
    assert "priority_method" in error.value.message_dict


# --- Status ---------------------------------------------------------------------------------------


def _post(client, user, name, meeting):
    client.force_login(user)
    return client.post(reverse(f"workshops:{name}", args=[meeting.pk]), follow=True)


def test_a_meeting_is_held_after_attendance_then_closed_after_minutes_then_reopened(
    client, puskesmas_head, lokmin
):
    client.cookies["django_language"] = "en"
    response = _post(client, puskesmas_head, "meeting-hold", lokmin)
    refusals = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert refusals == ["Take attendance first: at least one participant must be marked present."]
    lokmin.refresh_from_db()
    assert lokmin.status == "planned"
    ParticipantFactory(meeting=lokmin, attended=True)
    _post(client, puskesmas_head, "meeting-hold", lokmin)
    lokmin.refresh_from_db()
    assert (lokmin.status, lokmin.version) == ("held", 2)
    _post(client, puskesmas_head, "meeting-close", lokmin)
    lokmin.refresh_from_db()
    assert lokmin.status == "held"  # no minutes yet
    Meeting.objects.filter(pk=lokmin.pk).update(minutes="Notulen rapat")
    _post(client, puskesmas_head, "meeting-close", lokmin)
    lokmin.refresh_from_db()
    assert lokmin.status == "closed"
    _post(client, puskesmas_head, "meeting-reopen", lokmin)
    lokmin.refresh_from_db()
    assert lokmin.status == "held"
    assert lokmin.history.first().history_user == puskesmas_head


def test_a_meeting_cannot_be_marked_held_before_its_day(puskesmas_head, lokmin):
    Meeting.objects.filter(pk=lokmin.pk).update(
        held_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    lokmin.refresh_from_db()
    ParticipantFactory(meeting=lokmin, attended=True)
    with pytest.raises(ValidationError):
        services.meeting_mark_held(meeting=lokmin, by=puskesmas_head)
    lokmin.refresh_from_db()
    assert lokmin.status == "planned"


def test_district_planner_cannot_change_the_status_of_a_lokmin(client, district_user, lokmin):
    ParticipantFactory(meeting=lokmin, attended=True)
    client.force_login(district_user)
    response = client.post(reverse("workshops:meeting-hold", args=[lokmin.pk]))
    assert response.status_code == 403
    lokmin.refresh_from_db()
    assert lokmin.status == "planned"


def test_a_planned_meeting_with_only_invitations_can_be_deleted(client, puskesmas_head, lokmin):
    ParticipantFactory.create_batch(2, meeting=lokmin)
    response = _post(client, puskesmas_head, "meeting-delete", lokmin)
    assert response.redirect_chain[-1][0] == LIST
    assert not Meeting.objects.filter(pk=lokmin.pk).exists()
    assert Meeting.history.filter(id=lokmin.pk, history_type="-").get().history_user == (
        puskesmas_head
    )


def test_a_meeting_with_records_or_held_cannot_be_deleted(puskesmas_head, lokmin):
    ProblemFactory(meeting=lokmin)
    with pytest.raises(ValidationError):
        services.meeting_delete(meeting=lokmin, by=puskesmas_head)
    other = MeetingFactory(puskesmas=lokmin.puskesmas, status="held")
    with pytest.raises(ValidationError):
        services.meeting_delete(meeting=other, by=puskesmas_head)
    assert Meeting.objects.count() == 2


# --- Hub ------------------------------------------------------------------------------------------


def test_hub_shows_facts_sections_and_actions_for_the_organiser(client, puskesmas_head, lokmin):
    ParticipantFactory.create_batch(2, meeting=lokmin, attended=True)
    ProblemFactory(meeting=lokmin)
    response = _get(client, puskesmas_head, reverse("workshops:meeting-detail", args=[lokmin.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for name in (
        "meeting-participants",
        "meeting-invitation",
        "meeting-pack",
        "meeting-attendance-take",
        "meeting-attendance",
        "meeting-problems",
        "meeting-rtl",
        "meeting-commitments",
        "meeting-proposals",
        "meeting-minutes",
        "meeting-photos",
        "meeting-agreement",
        "meeting-hold",
        "meeting-edit",
    ):
        assert reverse(f"workshops:{name}", args=[lokmin.pk]) in html, name
    assert "https://wa.me/?text=" in html
    assert response.context["meeting"].problem_count == 1
    assert response.context["meeting"].attended_count == 2


def test_hub_hides_actions_from_readers(client, district_user, lokmin):
    response = _get(client, district_user, reverse("workshops:meeting-detail", args=[lokmin.pk]))
    html = response.content.decode()
    assert reverse("workshops:meeting-hold", args=[lokmin.pk]) not in html
    assert reverse("workshops:meeting-edit", args=[lokmin.pk]) not in html
    assert 'data-testid="meeting-actions"' not in html


def test_hub_opens_with_the_open_items_of_earlier_meetings(client, puskesmas_head, lokmin):
    earlier = MeetingFactory(
        puskesmas=lokmin.puskesmas, held_on=datetime.date(2026, 2, 10), status="closed"
    )
    item = FollowUpFactory(meeting=earlier)
    FollowUpFactory(meeting=earlier, status="done")
    response = _get(client, puskesmas_head, reverse("workshops:meeting-detail", args=[lokmin.pk]))
    assert response.context["open_items"].follow_ups == [item]


def test_hub_queries_do_not_grow_with_the_data(client, puskesmas_head, lokmin):
    url = reverse("workshops:meeting-detail", args=[lokmin.pk])
    client.force_login(puskesmas_head)
    earlier = MeetingFactory(puskesmas=lokmin.puskesmas, held_on=datetime.date(2026, 2, 10))

    def grow(n):
        ParticipantFactory.create_batch(n, meeting=lokmin, attended=True)
        ProblemFactory.create_batch(n, meeting=lokmin)
        FollowUpFactory.create_batch(n, meeting=earlier)
        CommitmentFactory.create_batch(n, meeting=earlier)

    grow(2)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(10)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_another_puskesmas_head_gets_404(client, world, lokmin):
    other = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
    head = UserFactory(role="puskesmas_head", puskesmas=other)
    response = _get(client, head, reverse("workshops:meeting-detail", args=[lokmin.pk]))
    assert response.status_code == 404
