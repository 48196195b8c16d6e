"""RTL items and commitments tracked across quarters (issue #6, item 4): status changes with
evidence or reasons, reviewed in a later meeting, overdue flags, and the open items a meeting
starts with (`_open_items.html`)."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CommitmentFactory, FollowUpFactory, MeetingFactory
from workshops.models import Commitment, FollowUp, StatusUpdate
from workshops.selectors import open_items_for
from workshops.services import item_status_change

from . import test_images
from .test_images import image_bytes, pdf_bytes, upload

# Shared fixtures: English messages and a temporary MEDIA_ROOT.
english, media_root = test_images.english, test_images.media_root

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def item(lokmin):
    """An RTL item of the May lokmin, due in June (overdue by now)."""
    return FollowUpFactory(meeting=lokmin, due_on=datetime.date(2026, 6, 30))


@pytest.fixture
def next_quarter(world, puskesmas_head):
    """The same puskesmas's quarterly lokmin of the next quarter."""
    return MeetingFactory(
        puskesmas=world["hsu"]["puskesmas"],
        created_by=puskesmas_head,
        held_on=datetime.date(2026, 8, 11),
        title="Lokmin triwulan III",
    )


def _errors(error: ValidationError) -> dict:
    return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}


# --- The service --------------------------------------------------------------------------------


def test_planned_to_in_progress_to_done_keeps_each_change(item, puskesmas_head):
    first = item_status_change(item=item, status="in_progress", by=puskesmas_head)
    second = item_status_change(
        item=item, status="done", note="12 kunjungan rumah, 30 ibu hamil", by=puskesmas_head
    )
    item.refresh_from_db()
    assert item.status == "done" and item.status_note == "12 kunjungan rumah, 30 ibu hamil"
    assert item.status_changed_by == puskesmas_head and item.status_changed_at is not None
    assert [(u.old_status, u.new_status) for u in item.updates.order_by("pk")] == [
        ("planned", "in_progress"),
        ("in_progress", "done"),
    ]
    assert first.by == second.by == puskesmas_head
    assert not item.is_overdue()


def test_done_needs_evidence_and_dropped_needs_a_reason(item, puskesmas_head):
    with pytest.raises(ValidationError) as done:
        item_status_change(item=item, status="done", note="  ", by=puskesmas_head)
    assert "note" in _errors(done.value)
    with pytest.raises(ValidationError) as dropped:
        item_status_change(item=item, status="dropped", by=puskesmas_head)
    assert _errors(dropped.value) == {"note": ["Give the reason the item is dropped."]}
    item.refresh_from_db()
    assert item.status == "planned" and not StatusUpdate.objects.exists()


def test_done_with_only_an_evidence_file_is_accepted(item, puskesmas_head, media_root):
    update = item_status_change(
        item=item,
        status="done",
        evidence=upload("daftar-hadir.pdf", pdf_bytes(), "application/pdf"),
        by=puskesmas_head,
    )
    assert update.evidence.name.endswith(".pdf")
    assert update.evidence.path.startswith(str(media_root))


def test_bad_evidence_file_saves_nothing(item, puskesmas_head, media_root):
    with pytest.raises(ValidationError) as error:
        item_status_change(
            item=item,
            status="done",
            note="selesai",
            evidence=upload("bukti.docx", b"PK\x03\x04 word file", "application/msword"),
            by=puskesmas_head,
        )
    assert _errors(error.value) == {
        "evidence": ["bukti.docx: this is not a PDF or a JPEG, PNG or WebP image."]
    }
    item.refresh_from_db()
    assert item.status == "planned" and not StatusUpdate.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_reopening_a_done_item_needs_a_note(item, puskesmas_head):
    item_status_change(item=item, status="done", note="selesai", by=puskesmas_head)
    with pytest.raises(ValidationError) as error:
        item_status_change(item=item, status="in_progress", by=puskesmas_head)
    assert _errors(error.value) == {"note": ["Say why the item is reopened."]}
    item_status_change(
        item=item, status="in_progress", note="Cakupan turun lagi", by=puskesmas_head
    )
    item.refresh_from_db()
    assert item.status == "in_progress" and item.status_note == ""


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        ("in_progress", "planned", "An item that is in progress cannot become planned."),
        ("done", "dropped", "An item that is done cannot become dropped."),
        ("planned", "planned", "The item is planned already."),
        ("planned", "finished", "Choose a status."),
    ],
)
def test_moves_that_are_not_allowed_are_refused(lokmin, puskesmas_head, start, target, message):
    item = FollowUpFactory(meeting=lokmin, status=start)
    with pytest.raises(ValidationError) as error:
        item_status_change(item=item, status=target, note="x", by=puskesmas_head)
    assert _errors(error.value) == {"status": [message]}


def test_a_change_from_a_stale_page_is_refused(item, puskesmas_head, district_user):
    stale = FollowUp.objects.get(pk=item.pk)
    item_status_change(item=item, status="in_progress", by=district_user)
    with pytest.raises(ValidationError, match="Someone changed this item's status"):
        item_status_change(item=stale, status="in_progress", by=puskesmas_head)
    assert StatusUpdate.objects.count() == 1


def test_change_is_stamped_with_the_later_meeting_that_reviewed_it(
    item, next_quarter, puskesmas_head
):
    update = item_status_change(
        item=item, status="done", note="OK", reviewed_in=next_quarter, by=puskesmas_head
    )
    assert update.reviewed_in == next_quarter


def test_reviewing_meeting_must_be_later_and_of_the_same_area(
    item, lokmin, world, puskesmas_head, district_user
):
    earlier = MeetingFactory(
        puskesmas=lokmin.puskesmas, created_by=puskesmas_head, held_on=datetime.date(2026, 2, 10)
    )
    with pytest.raises(ValidationError) as error:
        item_status_change(item=item, status="in_progress", reviewed_in=earlier, by=puskesmas_head)
    assert "held after the meeting that planned the item" in str(error.value)
    elsewhere = MeetingFactory(
        puskesmas=world["banjarmasin"]["puskesmas"],
        created_by=puskesmas_head,
        held_on=datetime.date(2026, 9, 1),
    )
    with pytest.raises(ValidationError, match="held in the item's own area"):
        item_status_change(
            item=item, status="in_progress", reviewed_in=elsewhere, by=puskesmas_head
        )
    # A district forum of the puskesmas's own district may review it.
    forum = MeetingFactory(
        kind="district_forum",
        puskesmas=None,
        district=world["hsu"]["district"],
        created_by=district_user,
        held_on=datetime.date(2026, 9, 1),
    )
    update = item_status_change(
        item=item, status="in_progress", reviewed_in=forum, by=district_user
    )
    assert update.reviewed_in == forum


def test_who_may_follow_up(item, puskesmas_staff, district_user, province_user):
    item_status_change(item=item, status="in_progress", by=puskesmas_staff)
    item_status_change(item=item, status="done", note="OK", by=district_user)
    with pytest.raises(PermissionDenied):
        item_status_change(item=item, status="in_progress", note="x", by=province_user)


def test_commitments_are_tracked_the_same_way(lokmin, puskesmas_head):
    commitment = CommitmentFactory(meeting=lokmin)
    item_status_change(
        item=commitment, status="dropped", note="Anggaran dialihkan", by=puskesmas_head
    )
    commitment.refresh_from_db()
    assert commitment.status == "dropped"
    assert commitment.updates.get().note == "Anggaran dialihkan"


# --- The status page ----------------------------------------------------------------------------


def test_status_page_shows_item_history_and_the_overdue_flag(client, item, district_user):
    item_status_change(item=item, status="in_progress", note="Mulai Juli", by=district_user)
    client.force_login(district_user)
    response = client.get(reverse("workshops:followup-status", args=[item.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert item.activity in page and "Mulai Juli" in page
    assert 'data-testid="overdue"' in page
    assert 'data-testid="status-form"' in page
    statuses = [value for value, _label in response.context["form"].fields["status"].choices]
    assert statuses == ["done", "dropped"]


def test_change_from_a_later_meetings_page_returns_to_it(
    client, item, next_quarter, puskesmas_head, media_root
):
    client.force_login(puskesmas_head)
    url = reverse("workshops:followup-status", args=[item.pk])
    response = client.post(
        f"{url}?reviewed_in={next_quarter.pk}",
        {
            "status": "done",
            "note": "Semua ibu hamil risiko tinggi dikunjungi",
            "evidence": upload("foto-kunjungan.jpg", image_bytes(gps=True)),
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("workshops:meeting-detail", args=[next_quarter.pk])
    update = StatusUpdate.objects.get()
    assert update.reviewed_in == next_quarter and update.evidence.name.endswith(".jpg")
    evidence = client.get(reverse("workshops:evidence-file", args=[update.pk]))
    assert evidence.status_code == 200 and evidence["Content-Type"] == "image/jpeg"


def test_bad_input_on_the_status_page_shows_the_message_and_saves_nothing(
    client, item, puskesmas_head
):
    client.force_login(puskesmas_head)
    response = client.post(
        reverse("workshops:followup-status", args=[item.pk]), {"status": "dropped", "note": ""}
    )
    assert response.status_code == 400
    assert "Give the reason the item is dropped." in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_province_reviewer_reads_but_may_not_change(client, item, province_user):
    client.force_login(province_user)
    url = reverse("workshops:followup-status", args=[item.pk])
    response = client.get(url)
    assert (
        response.status_code == 200 and 'data-testid="status-form"' not in response.content.decode()
    )
    assert client.post(url, {"status": "in_progress"}).status_code == 403
    item.refresh_from_db()
    assert item.status == "planned"


def test_other_areas_get_404_for_items_evidence_and_reviewing_meetings(
    client, item, world, puskesmas_head, other_district_user, other_province_user, media_root
):
    commitment = CommitmentFactory(meeting=item.meeting)
    update = item_status_change(
        item=item,
        status="done",
        evidence=upload("b.pdf", pdf_bytes(), "application/pdf"),
        by=puskesmas_head,
    )
    urls = [
        reverse("workshops:followup-status", args=[item.pk]),
        reverse("workshops:commitment-status", args=[commitment.pk]),
        reverse("workshops:evidence-file", args=[update.pk]),
    ]
    for outsider in (other_district_user, other_province_user):
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"status": "dropped", "note": "x"}).status_code == 404, url
    # A reviewing meeting of another area is not found either.
    elsewhere = MeetingFactory(
        puskesmas=world["banjarmasin"]["puskesmas"], created_by=puskesmas_head
    )
    client.force_login(puskesmas_head)
    assert client.get(f"{urls[1]}?reviewed_in={elsewhere.pk}").status_code == 404
    assert Commitment.objects.get(pk=commitment.pk).status == "planned"


def test_status_history_exports_to_xlsx(client, item, puskesmas_head):
    item_status_change(item=item, status="in_progress", note="Mulai", by=puskesmas_head)
    client.force_login(puskesmas_head)
    response = client.get(reverse("workshops:followup-status", args=[item.pk]), {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("When", "By", "Old status", "New status")
    assert rows[1][2:5] == ("Planned", "In progress", "Mulai")


def test_status_page_queries_do_not_grow_with_history(client, item, puskesmas_head, next_quarter):
    client.force_login(puskesmas_head)
    url = reverse("workshops:followup-status", args=[item.pk])
    for status in ("in_progress", "done"):
        item_status_change(
            item=item, status=status, note="n", reviewed_in=next_quarter, by=puskesmas_head
        )
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        item_status_change(item=item, status="in_progress", note="lagi", by=puskesmas_head)
        item_status_change(
            item=item, status="done", note="n", reviewed_in=next_quarter, by=puskesmas_head
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# --- What the next meeting opens with -----------------------------------------------------------


def _render_open_items(user, meeting) -> str:
    request = RequestFactory().get("/")
    request.user = user
    context = {"open_items": open_items_for(user=user, meeting=meeting), "meeting": meeting}
    return render_to_string("workshops/_open_items.html", context, request=request)


def test_next_meeting_opens_with_the_open_items_and_links_to_update_them(
    item, lokmin, next_quarter, puskesmas_head, province_user
):
    commitment = CommitmentFactory(meeting=lokmin, party="DP2KB", due_on=datetime.date(2027, 1, 31))
    finished = FollowUpFactory(meeting=lokmin, activity="Sudah selesai sebelumnya")
    item_status_change(item=finished, status="done", note="OK", by=puskesmas_head)
    july = datetime.datetime(2026, 7, 1, tzinfo=datetime.UTC)
    finished.updates.update(at=july)  # closed in July, before the August meeting began
    # Closed in the next meeting itself: still shown there, as done.
    closed_here = FollowUpFactory(meeting=lokmin, activity="Ditutup di rapat ini")
    item_status_change(
        item=closed_here, status="done", note="OK", reviewed_in=next_quarter, by=puskesmas_head
    )

    html = _render_open_items(puskesmas_head, next_quarter)

    assert item.activity in html and "DP2KB" in html and "Ditutup di rapat ini" in html
    assert "Sudah selesai sebelumnya" not in html
    assert html.count('data-testid="overdue"') == 1  # the June item; DP2KB is due in 2027
    status_url = reverse("workshops:followup-status", args=[item.pk])
    assert f"{status_url}?reviewed_in={next_quarter.pk}" in html
    assert f"{reverse('workshops:commitment-status', args=[commitment.pk])}?reviewed_in=" in html
    # A provincial reviewer sees the items but gets no update link.
    html = _render_open_items(province_user, next_quarter)
    assert item.activity in html and "?reviewed_in=" not in html


def test_open_items_of_a_meeting_without_earlier_ones_say_so(lokmin, puskesmas_head):
    FollowUpFactory(meeting=lokmin)  # its own items are not "from earlier meetings"
    html = _render_open_items(puskesmas_head, lokmin)
    assert "No open RTL item or commitment from earlier meetings" in html


def test_open_items_queries_do_not_grow(lokmin, next_quarter, puskesmas_head):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            _render_open_items(puskesmas_head, next_quarter)
        return len(queries)

    FollowUpFactory.create_batch(2, meeting=lokmin)
    CommitmentFactory.create_batch(2, meeting=lokmin)
    few = count_queries()
    FollowUpFactory.create_batch(10, meeting=lokmin)
    CommitmentFactory.create_batch(10, meeting=lokmin)
    assert count_queries() == few
