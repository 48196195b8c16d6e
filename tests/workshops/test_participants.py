"""Invitees and attendance (issue #6): staff, partner organisations and people by name, attendance
with walk-ins and who signs the agreement, and the printable attendance list."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from workshops import services
from workshops.models import Meeting, Participant

from ..exports import content_of, download_export
from ..factories import (
    ParticipantFactory,
    PartnerFactory,
    PuskesmasFactory,
    SubdistrictFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _url(name, obj):
    return reverse(f"workshops:{name}", args=[obj.pk])


@pytest.fixture
def staff(world, puskesmas_head, puskesmas_staff):
    """The HSU puskesmas's head and one staff member, plus someone of another puskesmas."""
    other = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
    UserFactory(role="puskesmas_staff", puskesmas=other, username="not-ours")
    return [puskesmas_head, puskesmas_staff]


@pytest.fixture
def partners(world):
    """District-level Dinas Sosial (from the world), two partners of the puskesmas's kecamatan,
    one of another kecamatan and an inactive one."""
    hsu = world["hsu"]
    kecamatan = hsu["subdistrict"]
    return {
        "district": hsu["partner"],
        "polsek": PartnerFactory(
            district=hsu["district"], subdistrict=kecamatan, name="Polsek", sector="police"
        ),
        "kua": PartnerFactory(
            district=hsu["district"],
            subdistrict=kecamatan,
            name="KUA",
            sector="religious",
            contact_name="H. Ahmad",
            phone="0812-3456-7890",
        ),
        "elsewhere": PartnerFactory(
            district=hsu["district"],
            subdistrict=SubdistrictFactory(district=hsu["district"]),
            name="Koramil lain",
            sector="military",
        ),
        "inactive": PartnerFactory(
            district=hsu["district"], subdistrict=kecamatan, name="Lama", is_active=False
        ),
    }


# --- Inviting -------------------------------------------------------------------------------------


def test_invite_all_staff_invites_the_puskesmas_staff_once(client, staff, lokmin):
    client.force_login(staff[0])
    client.post(_url("meeting-invite-staff", lokmin), {"all": "1"})
    invited = Participant.objects.filter(meeting=lokmin)
    assert {p.user for p in invited} == set(staff)
    assert {p.sector for p in invited} == {"health"}
    assert {p.organisation for p in invited} == {lokmin.puskesmas.name}
    client.post(_url("meeting-invite-staff", lokmin), {"all": "1"})
    assert Participant.objects.filter(meeting=lokmin).count() == 2


def test_invite_chosen_staff_refuses_staff_of_another_area(client, staff, lokmin):
    outsider = UserFactory(role="district_planner", district=lokmin.district)
    client.force_login(staff[0])
    client.post(_url("meeting-invite-staff", lokmin), {"users": [staff[1].pk]})
    assert [p.user for p in lokmin.participants.all()] == [staff[1]]
    client.post(_url("meeting-invite-staff", lokmin), {"users": [outsider.pk]})
    with pytest.raises(ValidationError):
        services.participants_invite_staff(meeting=lokmin, by=staff[0], users=[outsider])
    assert lokmin.participants.count() == 1


def test_the_kecamatan_shortcut_invites_its_active_partners(
    client, puskesmas_head, partners, lokmin
):
    client.force_login(puskesmas_head)
    client.post(_url("meeting-invite-partners", lokmin), {"all": "1"})
    invited = {p.partner: p for p in lokmin.participants.all()}
    assert set(invited) == {partners["polsek"], partners["kua"]}
    kua = invited[partners["kua"]]
    assert (kua.name, kua.organisation, kua.sector, kua.phone) == (
        "H. Ahmad",
        "KUA",
        "religious",
        "0812-3456-7890",
    )


def test_a_lokmin_offers_district_and_own_kecamatan_partners_only(
    client, puskesmas_head, partners, lokmin
):
    client.force_login(puskesmas_head)
    page = client.get(_url("meeting-participants", lokmin))
    offered = set(page.context["partner_form"].fields["partners"].queryset)
    assert offered == {partners["district"], partners["polsek"], partners["kua"]}
    client.post(_url("meeting-invite-partners", lokmin), {"partners": [partners["district"].pk]})
    assert [p.partner for p in lokmin.participants.all()] == [partners["district"]]
    client.post(_url("meeting-invite-partners", lokmin), {"partners": [partners["elsewhere"].pk]})
    with pytest.raises(ValidationError):
        services.participants_invite_partners(
            meeting=lokmin, by=puskesmas_head, partners=[partners["elsewhere"]]
        )
    assert lokmin.participants.count() == 1


def test_a_district_forum_invites_its_district_level_partners(
    client, district_user, partners, forum
):
    client.force_login(district_user)
    client.post(_url("meeting-invite-partners", forum), {"all": "1"})
    assert [p.partner for p in forum.participants.all()] == [partners["district"]]


def test_invite_a_village_head_by_name(client, puskesmas_head, lokmin):
    client.force_login(puskesmas_head)
    response = client.post(
        _url("meeting-participants", lokmin),
        {
            "name": "Basuni",
            "position": "Kepala Desa",
            "organisation": "Desa Sungai Namang",
            "sector": "village",
            "phone": "0813 5000 1111",
            "signs_agreement": "on",
        },
    )
    assert response.status_code == 302
    person = lokmin.participants.get()
    assert (person.name, person.is_invited, person.attended, person.signs_agreement) == (
        "Basuni",
        True,
        None,
        True,
    )


def test_bad_person_input_gets_a_message_and_saves_nothing(client, puskesmas_head, lokmin):
    client.force_login(puskesmas_head)
    url = _url("meeting-participants", lokmin)
    no_name = client.post(url, {"name": "", "sector": "village"})
    assert no_name.context["person_form"].errors["name"]
    bad_phone = client.post(url, {"name": "Basuni", "sector": "village", "phone": "call me"})
    assert bad_phone.context["person_form"].errors["phone"]
    assert not lokmin.participants.exists()


def test_edit_and_remove_a_participant(client, puskesmas_head, lokmin):
    person = ParticipantFactory(meeting=lokmin, name="Basuni")
    client.force_login(puskesmas_head)
    url = _url("participant-edit", person)
    assert client.get(url).status_code == 200
    data = {"name": "H. Basuni", "position": "Pambakal", "sector": "village"}
    assert client.post(url, {**data, "version": person.version}).status_code == 302
    person.refresh_from_db()
    assert (person.name, person.position) == ("H. Basuni", "Pambakal")
    client.post(_url("participant-delete", person))
    assert not lokmin.participants.exists()


def test_readers_cannot_change_participants(client, district_user, lokmin):
    person = ParticipantFactory(meeting=lokmin)
    client.force_login(district_user)
    assert client.get(_url("meeting-participants", lokmin)).status_code == 200
    assert client.post(_url("meeting-participants", lokmin), {"name": "X"}).status_code == 403
    assert client.post(_url("meeting-invite-staff", lokmin), {"all": "1"}).status_code == 403
    assert client.get(_url("participant-edit", person)).status_code == 403
    assert client.post(_url("participant-delete", person)).status_code == 403
    assert client.get(_url("meeting-attendance-take", lokmin)).status_code == 403
    assert lokmin.participants.count() == 1


def test_a_closed_meeting_keeps_its_participants(client, puskesmas_head, lokmin):
    person = ParticipantFactory(meeting=lokmin)
    Meeting.objects.filter(pk=lokmin.pk).update(status="closed")
    client.force_login(puskesmas_head)
    client.post(_url("participant-delete", person))
    client.post(_url("meeting-invite-staff", lokmin), {"all": "1"})
    assert list(lokmin.participants.all()) == [person]


def test_participant_list_exports_and_queries_do_not_grow(client, puskesmas_head, lokmin):
    client.force_login(puskesmas_head)
    url = _url("meeting-participants", lokmin)
    ParticipantFactory.create_batch(2, meeting=lokmin, attended=True)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
        client.get(url, {"format": "xlsx"})
    ParticipantFactory.create_batch(10, meeting=lokmin, attended=False)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
        response = client.get(url, {"format": "xlsx"})
    assert len(many) == len(few)
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 13


# --- Attendance -----------------------------------------------------------------------------------


def _attendance(people, walk_ins=(), **marks):
    data = {"walkin-TOTAL_FORMS": "3", "walkin-INITIAL_FORMS": "0"}
    for person in people:
        data[f"a{person.pk}"] = marks.get(person.name, "")
    for index, row in enumerate(walk_ins):
        data.update({f"walkin-{index}-{key}": value for key, value in row.items()})
    return data


def test_take_attendance_with_walk_ins_and_signatories(client, puskesmas_head, lokmin):
    came = ParticipantFactory(meeting=lokmin, name="Came")
    away = ParticipantFactory(meeting=lokmin, name="Away")
    client.force_login(puskesmas_head)
    url = _url("meeting-attendance-take", lokmin)
    assert client.get(url).status_code == 200
    data = _attendance(
        [came, away],
        walk_ins=[
            {"name": "Bidan Desa", "position": "Bidan", "sector": "health", "signs_agreement": "on"}
        ],
        Came="1",
        Away="0",
    )
    data[f"s{came.pk}"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302
    came.refresh_from_db()
    away.refresh_from_db()
    assert (came.attended, came.signs_agreement, away.attended) == (True, True, False)
    walk_in = lokmin.participants.get(name="Bidan Desa")
    assert (walk_in.is_invited, walk_in.attended, walk_in.signs_agreement) == (False, True, True)


def test_a_bad_walk_in_saves_no_attendance_at_all(client, puskesmas_head, lokmin):
    came = ParticipantFactory(meeting=lokmin, name="Came")
    client.force_login(puskesmas_head)
    response = client.post(
        _url("meeting-attendance-take", lokmin),
        _attendance([came], walk_ins=[{"position": "Kader", "sector": "community"}], Came="1"),
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "1" in errors  # names the walk-in row
    came.refresh_from_db()
    assert came.attended is None
    assert lokmin.participants.count() == 1


# --- Attendance list ------------------------------------------------------------------------------


def test_attendance_list_prints_every_participant_and_blank_rows(client, district_user, lokmin):
    ParticipantFactory(meeting=lokmin, name="Basuni", organisation="Desa A", sector="village")
    ParticipantFactory(meeting=lokmin, name="Aisyah", is_invited=False, attended=True)
    client.force_login(district_user)
    response = client.get(_url("meeting-attendance", lokmin))
    assert response.status_code == 200
    rows = response.context["sheet"].rows
    assert [p.name for __, p in rows if p] == ["Basuni", "Aisyah"]
    assert len(rows) == 2 + 5 and rows[-1] == (7, None)
    html = response.content.decode()
    assert html.count('class="sign"') == 2 * 7
    pdf = download_export(client, _url("meeting-attendance", lokmin), query={"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert content_of(pdf).startswith(b"%PDF")


# --- Invitation -----------------------------------------------------------------------------------


def test_invitation_letter_lists_invitees_and_is_signed_by_the_head(client, world, lokmin):
    from urllib.parse import unquote

    from ..factories import UserFactory as Users

    head = Users(role="puskesmas_head", puskesmas=lokmin.puskesmas)
    lokmin.puskesmas.head_name = "dr. Rina Kartika"
    lokmin.puskesmas.save()
    Meeting.objects.filter(pk=lokmin.pk).update(agenda="Capaian SPM\nKematian ibu")
    ParticipantFactory(
        meeting=lokmin, name="Basuni", position="Kepala Desa", phone="0812 3456 7890"
    )
    ParticipantFactory(meeting=lokmin, name="Tanpa HP", phone="")
    ParticipantFactory(meeting=lokmin, name="Datang sendiri", is_invited=False, attended=True)
    client.force_login(head)
    url = _url("meeting-invitation", lokmin)
    response = client.get(url, {"number": "005/123/PKM/2026", "date": "2026-05-04"})
    assert response.status_code == 200
    html = response.content.decode()
    invitation = response.context["invitation"]
    assert [p.name for p in invitation.invitees] == ["Basuni", "Tanpa HP"]
    assert invitation.number == "005/123/PKM/2026"
    assert "dr. Rina Kartika" in html and lokmin.puskesmas.name.upper() in html
    assert "Datang sendiri" not in html
    share = response.context["whatsapp"]
    assert share.startswith("https://wa.me/?text=")
    assert lokmin.title in unquote(share) and "Capaian SPM" in unquote(share)
    personal = dict((p.name, link) for p, link in response.context["personal"])
    assert personal["Basuni"].startswith("https://wa.me/6281234567890?text=")
    assert personal["Tanpa HP"] is None
    assert "number=005%2F123%2FPKM%2F2026" in response.context["pdf_query"]
    pdf = download_export(client, url, query={"number": "005/123/PKM/2026", "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and content_of(pdf).startswith(b"%PDF")


def test_a_long_invitee_list_goes_on_an_attached_sheet(client, puskesmas_head, lokmin):
    ParticipantFactory.create_batch(12, meeting=lokmin)
    client.force_login(puskesmas_head)
    response = client.get(_url("meeting-invitation", lokmin))
    assert response.context["invitation"].attaches_list
    assert 'data-testid="invitee-list"' in response.content.decode()


def test_a_district_forum_invitation_is_on_dinkes_paper(client, world, district_user, forum):
    office = world["hsu"]["office"]
    office.head_name = "dr. H. Ahmad Fauzi"
    office.save()
    client.force_login(district_user)
    response = client.get(_url("meeting-invitation", forum))
    head = response.context["invitation"].head
    assert (head.office, head.signer_name, head.unit) == (office.name.upper(), office.head_name, "")


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("0812 3456 7890", "6281234567890"),
        ("+62 812-3456-7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("81234567890", "6281234567890"),
        ("(0527) 61234", None),
        ("", None),
        ("12", None),
    ],
)
def test_whatsapp_numbers_are_normalised_to_the_country_code(phone, expected):
    from workshops.documents import whatsapp_phone

    assert whatsapp_phone(phone) == expected
