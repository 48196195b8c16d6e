"""Issue #12 in the workshops app: every edit is versioned (a save over a newer version is refused
with who saved and both values, and a deliberate second save goes through), and every create
happens once per form token (a double click or a resent post creates nothing more)."""

import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import (
    CommitmentFactory,
    FollowUpFactory,
    ParticipantFactory,
    ProblemFactory,
    ProposalFactory,
    UserFactory,
)
from workshops.models import (
    Commitment,
    FollowUp,
    Meeting,
    MusrenbangProposal,
    Participant,
    Photo,
    Problem,
    RootCause,
)

from . import test_images
from .test_images import upload

media_root = test_images.media_root  # a temporary MEDIA_ROOT for the photo test

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(world):
    """A second organiser of the lokmin, who saves first."""
    return UserFactory(
        username="rekan",
        role="puskesmas_staff",
        puskesmas=world["hsu"]["puskesmas"],
        first_name="Rina",
        last_name="Rekan",
    )


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _meeting_form(meeting) -> dict:
    return {
        "kind": meeting.kind,
        "title": meeting.title,
        "held_on": meeting.held_on.isoformat(),
        "starts_at": "09:00",
        "ends_at": "12:00",
        "place": meeting.place,
        "chair_name": "",
        "chair_position": "",
        "speaker": "",
        "agenda": "",
        "priority_method": "usg",
    }


def _rtl() -> dict:
    return {
        "activity": "Kelas ibu hamil di setiap desa",
        "due_on": "2026-06-30",
        "responsible": "Bidan koordinator",
    }


# Per edited model: how to make one, its edit page, a valid post, and the field both change.
EDITS = {
    "meeting": (lambda m: m, "meeting-edit", _meeting_form, "place"),
    "participant": (
        lambda m: ParticipantFactory(meeting=m, name="Basuni"),
        "participant-edit",
        lambda obj: {"name": "Basuni", "sector": "village"},
        "position",
    ),
    "problem": (
        lambda m: ProblemFactory(meeting=m),
        "problem-edit",
        lambda obj: {"statement": obj.statement},
        "evidence",
    ),
    "rtl item": (lambda m: FollowUpFactory(meeting=m), "followup-edit", lambda o: _rtl(), "target"),
    "commitment": (
        lambda m: CommitmentFactory(meeting=m),
        "commitment-edit",
        lambda obj: {"party": obj.party, "description": obj.description, "due_on": "2026-07-31"},
        "signatory_name",
    ),
    "proposal": (
        lambda m: ProposalFactory(meeting=m),
        "proposal-edit",
        lambda obj: {"title": obj.title, "priority": "1"},
        "volume",
    ),
}


@pytest.mark.parametrize("kind", EDITS)
def test_a_stale_edit_is_refused_with_who_saved_and_both_values(
    kind, client, lokmin, puskesmas_head, colleague
):
    make, name, form, field = EDITS[kind]
    obj = make(lokmin)
    url = reverse(f"workshops:{name}", args=[obj.pk])
    data, seen = form(obj), obj.version
    client.force_login(colleague)
    assert client.post(url, {**data, field: "Nilai Rina", "version": seen}).status_code == 302
    client.force_login(puskesmas_head)
    response = client.post(url, {**data, field: "Nilai kapus", "version": seen})
    assert response.status_code == 200
    page = response.content.decode()
    refusal = page.split('data-testid="stale-edit"', 1)[1].split("</section>", 1)[0]
    assert "Rina Rekan" in refusal
    assert "Nilai Rina" in refusal and "Nilai kapus" in refusal  # theirs beside yours
    obj.refresh_from_db()
    assert getattr(obj, field) == "Nilai Rina" and obj.updated_by == colleague  # not overwritten
    again = response.context["form"].data["version"]
    assert str(again) == str(obj.version)
    response = client.post(url, {**data, field: "Nilai kapus", "version": again})
    assert response.status_code == 302
    obj.refresh_from_db()
    assert getattr(obj, field) == "Nilai kapus" and obj.updated_by == puskesmas_head


def test_an_edit_without_a_version_is_refused_not_saved(client, lokmin, puskesmas_head):
    """An old page that posts no version cannot overwrite blindly."""
    item = FollowUpFactory(meeting=lokmin)
    client.force_login(puskesmas_head)
    response = client.post(reverse("workshops:followup-edit", args=[item.pk]), _rtl())
    assert response.status_code == 200 and 'data-testid="stale-edit"' in response.content.decode()
    item.refresh_from_db()
    assert item.activity != _rtl()["activity"]


def test_a_stale_method_change_shows_who_changed_it(client, lokmin, puskesmas_head, colleague):
    url = reverse("workshops:meeting-method", args=[lokmin.pk])
    client.force_login(colleague)
    client.post(url, {"method": "carl", "version": lokmin.version})
    client.force_login(puskesmas_head)
    response = client.post(url, {"method": "hanlon", "version": lokmin.version})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="stale-edit"' in page
    assert "Rina Rekan" in page
    lokmin.refresh_from_db()
    assert lokmin.priority_method == "carl"


def test_status_moves_and_attendance_bump_the_version(client, lokmin, puskesmas_head):
    """A person form opened before attendance (which sets "signs the agreement") is refused."""
    person = ParticipantFactory(meeting=lokmin)
    seen = person.version
    client.force_login(puskesmas_head)
    client.post(
        reverse("workshops:meeting-attendance-take", args=[lokmin.pk]),
        {f"a{person.pk}": "1", f"s{person.pk}": "on", "walkin-TOTAL_FORMS": "0"}
        | {"walkin-INITIAL_FORMS": "0"},
    )
    person.refresh_from_db()
    assert (person.attended, person.signs_agreement, person.version) == (True, True, seen + 1)
    url = reverse("workshops:participant-edit", args=[person.pk])
    data = {"name": person.name, "sector": "village", "version": seen}
    assert client.post(url, data).status_code == 200
    person.refresh_from_db()
    assert person.signs_agreement is True
    lokmin.refresh_from_db()
    version = lokmin.version
    client.post(reverse("workshops:meeting-hold", args=[lokmin.pk]))
    lokmin.refresh_from_db()
    assert (lokmin.status, lokmin.version, lokmin.updated_by) == (
        "held",
        version + 1,
        puskesmas_head,
    )


# --- Creates happen once ----------------------------------------------------------------------


def _problem(lokmin):
    return ProblemFactory(meeting=lokmin)


# Per create form: its URL (from the lokmin), a valid post, and what to count.
CREATES = {
    "meeting": (
        lambda m: reverse("workshops:meeting-create"),
        lambda m: _meeting_form(m) | {"title": "Lokmin Juni"},
        lambda: Meeting.objects.filter(title="Lokmin Juni"),
    ),
    "participant": (
        lambda m: reverse("workshops:meeting-participants", args=[m.pk]),
        lambda m: {"name": "Kepala Desa Banyu Hirang", "sector": "village"},
        lambda: Participant.objects.all(),
    ),
    "walk-in": (
        lambda m: reverse("workshops:meeting-attendance-take", args=[m.pk]),
        lambda m: {
            "walkin-TOTAL_FORMS": "1",
            "walkin-INITIAL_FORMS": "0",
            "walkin-0-name": "Kader Posyandu",
            "walkin-0-sector": "village",
        },
        lambda: Participant.objects.all(),
    ),
    "problem": (
        lambda m: reverse("workshops:problem-create", args=[m.pk]),
        lambda m: {"statement": "Cakupan K4 rendah"},
        lambda: Problem.objects.all(),
    ),
    "root cause": (
        lambda m: reverse("workshops:rootcause-create", args=[_problem(m).pk]),
        lambda m: {"category": "man", "description": "Bidan desa kurang"},
        lambda: RootCause.objects.all(),
    ),
    "rtl item": (
        lambda m: reverse("workshops:followup-create", args=[m.pk]),
        lambda m: _rtl(),
        lambda: FollowUp.objects.all(),
    ),
    "commitment": (
        lambda m: reverse("workshops:commitment-create", args=[m.pk]),
        lambda m: {"party": "Dinas Sosial", "description": "Data PBI", "due_on": "2026-07-31"},
        lambda: Commitment.objects.all(),
    ),
    "proposal": (
        lambda m: reverse("workshops:proposal-create", args=[m.pk]),
        lambda m: {"title": "Posyandu baru", "priority": "1"},
        lambda: MusrenbangProposal.objects.all(),
    ),
}


@pytest.mark.parametrize("kind", CREATES)
def test_three_identical_posts_create_one_and_answer_alike(kind, client, lokmin, puskesmas_head):
    to, form, counted = CREATES[kind]
    url = to(lokmin)
    client.force_login(puskesmas_head)
    assert "form_token" in client.get(url).content.decode() or kind == "root cause"
    data = {**form(lokmin), "form_token": str(uuid.uuid4())}
    before = counted().count()
    responses = [client.post(url, data) for _ in range(3)]
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert len({r["Location"] for r in responses}) == 1
    assert counted().count() == before + 1


@pytest.mark.parametrize("kind", CREATES)
def test_a_create_without_a_token_still_works(kind, client, lokmin, puskesmas_head):
    """Pages opened before the token existed still create (each post, as before)."""
    to, form, counted = CREATES[kind]
    url = to(lokmin)
    client.force_login(puskesmas_head)
    before = counted().count()
    assert client.post(url, form(lokmin)).status_code == 302
    assert counted().count() == before + 1


def test_a_token_is_not_reused_by_another_form(client, lokmin, puskesmas_head):
    """The same token on another kind of form cannot return the first form's object."""
    token = str(uuid.uuid4())
    client.force_login(puskesmas_head)
    url = reverse("workshops:problem-create", args=[lokmin.pk])
    assert client.post(url, {"statement": "A", "form_token": token}).status_code == 302
    url = reverse("workshops:followup-create", args=[lokmin.pk])
    response = client.post(url, {**_rtl(), "form_token": token})
    assert response.status_code == 200 and not FollowUp.objects.exists()
    assert "already sent once" in response.content.decode()


def test_a_repeated_photo_upload_stores_the_photos_once(client, lokmin, puskesmas_head, media_root):
    client.force_login(puskesmas_head)
    url = reverse("workshops:meeting-photos", args=[lokmin.pk])
    assert "form_token" in client.get(url).content.decode()
    token = str(uuid.uuid4())
    locations = []
    for _ in range(3):
        files = [upload("a.jpg"), upload("b.jpg")]
        response = client.post(url, {"images": files, "caption": "Rapat", "form_token": token})
        assert response.status_code == 302
        locations.append(response["Location"])
    assert len(set(locations)) == 1
    assert Photo.objects.filter(meeting=lokmin).count() == 2
    stored = [p for p in (media_root / "meetings" / "photos").rglob("*") if p.is_file()]
    assert len(stored) == 4  # two photos and their thumbnails, once
