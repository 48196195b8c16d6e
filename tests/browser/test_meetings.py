"""A puskesmas head runs a quarterly cross-sector lokmin on a phone, from the invitation to the
signed agreement, and closes one of its RTL items in the next quarter's meeting (issue #6)."""

import datetime
from urllib.parse import urljoin

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import FollowUpFactory, MeetingFactory, PartnerFactory
from tests.workshops.test_images import image_bytes, pdf_bytes
from workshops.models import Commitment, FollowUp, Meeting, Participant, StatusUpdate

pytestmark = pytest.mark.browser


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _english(page, live_server) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )


def _submit(page, form) -> None:
    """Press the form's last button and wait for the page it leads to."""
    with page.expect_navigation():
        form.locator("button").last.click()


def _pdf(page, url: str) -> bytes:
    """Download a document the way the PDF link does, with the page's session. A PDF made by an
    export job: the link's page has a button that makes it; the job's page links the file."""
    response = page.request.get(url)
    assert response.status == 200, url
    if response.headers["content-type"].startswith("text/html"):
        page.goto(url)
        with page.expect_navigation():
            page.get_by_test_id("export-start").locator("button").click()
        download = page.get_by_test_id("export-download").get_attribute("href")
        response = page.request.get(urljoin(page.url, download))
        assert response.status == 200, download
    assert response.headers["content-type"] == "application/pdf"
    return response.body()


def test_head_runs_a_lokmin_from_invitation_to_agreement_and_closes_an_rtl_next_quarter(
    page, live_server, log_in, world, puskesmas_head, media_root
):
    hsu = world["hsu"]
    camat = PartnerFactory(
        district=hsu["district"],
        subdistrict=hsu["subdistrict"],
        name="Kecamatan Danau Panggang",
        sector="subdistrict",
    )
    today = timezone.localdate()
    _english(page, live_server)
    log_in(page, puskesmas_head)

    # Before: plan the meeting.
    page.goto(f"{live_server.url}{reverse('workshops:meeting-list')}")
    with page.expect_navigation():
        page.get_by_test_id("new-quarterly_lokmin").click()
    page.fill("#id_held_on", today.isoformat())
    page.fill("#id_place", "Aula Kantor Kecamatan")
    page.fill("#id_chair_name", "Sekretaris Camat")
    page.fill("#id_agenda", "Capaian SPM triwulan lalu\nKematian ibu dan stunting")
    _submit(page, page.locator("main form[method=post]").last)
    meeting = Meeting.objects.get(puskesmas=hsu["puskesmas"])
    assert meeting.kind == "quarterly_lokmin" and meeting.status == "planned"
    detail = f"{live_server.url}{reverse('workshops:meeting-detail', args=[meeting.pk])}"

    # Invite the kecamatan's partners and a village head by name.
    page.goto(f"{live_server.url}{reverse('workshops:meeting-participants', args=[meeting.pk])}")
    partners = page.get_by_test_id("invite-partners")
    partners.locator("summary").click()
    with page.expect_navigation():
        partners.locator("button[name=all]").click()
    page.get_by_test_id("invite-person").locator("summary").click()
    person = page.get_by_test_id("invite-person")
    person.locator("#id_name").fill("H. Rusdi")
    person.locator("#id_position").fill("Kepala Desa Sapala")
    person.locator("#id_organisation").fill("Pemerintah Desa Sapala")
    person.locator("#id_sector").select_option("village")
    person.locator("#id_phone").fill("0812 5100 2233")
    _submit(page, person.locator("form"))
    invited = list(meeting.participants.order_by("pk"))
    assert {p.partner_id for p in invited} >= {camat.pk}
    assert "H. Rusdi" in {p.name for p in invited}

    # The invitation: a letter to print or send as PDF, and a WhatsApp share link.
    page.goto(f"{live_server.url}{reverse('workshops:meeting-invitation', args=[meeting.pk])}")
    assert "H. Rusdi" in page.get_by_test_id("invitation").inner_text()
    share = page.get_by_test_id("whatsapp-share").get_attribute("href")
    assert share.startswith("https://wa.me/?text=")
    assert "wa.me/6281251002233" in page.get_by_test_id("whatsapp-personal").inner_html()
    pdf_url = reverse("workshops:meeting-invitation", args=[meeting.pk])
    assert _pdf(page, f"{live_server.url}{pdf_url}?format=pdf").startswith(b"%PDF")

    # During: attendance, then the meeting is held.
    page.goto(f"{live_server.url}{reverse('workshops:meeting-attendance-take', args=[meeting.pk])}")
    for participant in invited:
        page.locator(f"label[for=id_a{participant.pk}_0]").click()  # present
        page.check(f"#id_s{participant.pk}")  # signs the agreement
    _submit(page, page.locator("main form[method=post]").last)
    assert Participant.objects.filter(meeting=meeting, attended=True).count() == len(invited)
    attendance = reverse("workshops:meeting-attendance", args=[meeting.pk])
    assert _pdf(page, f"{live_server.url}{attendance}?format=pdf").startswith(b"%PDF")
    page.goto(detail)
    _submit(page, page.get_by_test_id("meeting-actions").locator("form").first)
    meeting.refresh_from_db()
    assert meeting.status == "held"

    # A problem, its USG score, an RTL item and the Camat's commitment.
    page.goto(f"{live_server.url}{reverse('workshops:problem-create', args=[meeting.pk])}")
    page.fill("#id_statement", "Dua kematian ibu pada triwulan lalu")
    page.select_option("#id_village", str(hsu["villages"][0].pk))
    _submit(page, page.locator("main form[method=post]").last)
    problem = meeting.problems.get()
    page.goto(f"{live_server.url}{reverse('workshops:meeting-problems', args=[meeting.pk])}")
    scores = page.get_by_test_id("scores-form")
    for criterion, value in (("u", "5"), ("s", "5"), ("g", "4")):
        scores.locator(f"input[name$='{criterion}'][name*='{problem.pk}']").fill(value)
    _submit(page, scores)
    problem.refresh_from_db()
    assert problem.priority_score == 14

    page.goto(f"{live_server.url}{reverse('workshops:followup-create', args=[meeting.pk])}")
    page.select_option("#id_problem", str(problem.pk))
    page.fill("#id_activity", "Kelas ibu hamil di Desa Sapala")
    page.fill("#id_responsible", "Bidan desa Sapala")
    page.fill("#id_due_on", (today - datetime.timedelta(days=3)).isoformat())
    _submit(page, page.locator("main form[method=post]").last)
    assert "before the meeting" in page.locator("main").inner_text()  # refused, nothing saved
    assert not FollowUp.objects.filter(meeting=meeting).exists()
    page.fill("#id_due_on", (today + datetime.timedelta(days=30)).isoformat())
    page.fill("#id_cost_idr", "1500000")
    page.select_option("#id_funding_source", "bok")
    _submit(page, page.locator("main form[method=post]").last)
    item = FollowUp.objects.get(meeting=meeting)
    assert item.problem == problem and item.cost_idr == 1_500_000

    page.goto(f"{live_server.url}{reverse('workshops:commitment-create', args=[meeting.pk])}")
    page.select_option("#id_partner", str(camat.pk))
    page.fill("#id_description", "Menggerakkan kepala desa untuk kelas ibu hamil setiap bulan")
    page.fill("#id_due_on", (today + datetime.timedelta(days=60)).isoformat())
    page.fill("#id_signatory_name", "Drs. Ahmad Yani")
    _submit(page, page.locator("main form[method=post]").last)
    assert Commitment.objects.get(meeting=meeting).party == camat.name

    # After: minutes and the agreement text, the agreement PDF, the signed scan, close.
    page.goto(f"{live_server.url}{reverse('workshops:meeting-minutes', args=[meeting.pk])}")
    page.fill("#id_minutes", "Pembukaan oleh Sekcam.\nPaparan capaian SPM oleh puskesmas.")
    page.fill("#id_agreement_text", "Semua pihak mendukung kelas ibu hamil di setiap desa.")
    _submit(page, page.get_by_test_id("minutes-form"))
    page.goto(f"{live_server.url}{reverse('workshops:meeting-agreement', args=[meeting.pk])}")
    signatures = page.get_by_test_id("agreement-signatures").inner_text()
    assert "H. Rusdi" in signatures and "Drs. Ahmad Yani" in signatures
    agreement = reverse("workshops:meeting-agreement", args=[meeting.pk])
    assert _pdf(page, f"{live_server.url}{agreement}?format=pdf").startswith(b"%PDF")
    page.goto(f"{live_server.url}{agreement}")  # back from the PDF's job page
    upload = page.get_by_test_id("scan-upload")
    upload.locator("input[type=file]").set_input_files(
        files=[{"name": "kesepakatan.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    _submit(page, upload)
    meeting.refresh_from_db()
    assert meeting.signed_agreement and meeting.signed_agreement_by == puskesmas_head
    page.goto(detail)
    _submit(page, page.get_by_test_id("meeting-actions").locator("form").first)
    meeting.refresh_from_db()
    assert meeting.status == "closed"

    # Next quarter: the next cross-sector lokmin opens with the open RTL item; the head closes it.
    later = MeetingFactory(
        puskesmas=hsu["puskesmas"],
        created_by=puskesmas_head,
        held_on=today + datetime.timedelta(days=91),
        title="Lokmin lintas sektor triwulan berikutnya",
    )
    page.goto(f"{live_server.url}{reverse('workshops:meeting-detail', args=[later.pk])}")
    open_item = page.get_by_test_id("open-rtl").filter(has_text="Kelas ibu hamil di Desa Sapala")
    with page.expect_navigation():
        open_item.get_by_role("link", name="Update status").click()
    page.select_option("#id_status", "done")
    page.fill("#id_note", "Kelas berjalan 3 kali, 14 ibu hamil hadir")
    page.set_input_files(
        "#id_evidence",
        files=[{"name": "daftar-hadir.jpg", "mimeType": "image/jpeg", "buffer": image_bytes()}],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save the status").click()
    closed = page.get_by_test_id("open-rtl").filter(has_text="Kelas ibu hamil di Desa Sapala")
    assert "Done" in closed.inner_text()
    item.refresh_from_db()
    assert item.status == "done"
    assert StatusUpdate.objects.get(follow_up=item).reviewed_in == later


@pytest.mark.django_db(transaction=True)
def test_head_closes_an_rtl_item_from_the_next_quarters_meeting_on_a_phone(
    page, live_server, log_in, spm_catalogue, world, puskesmas_head, media_root
):
    """An overdue item from last quarter, closed with evidence from the next meeting's page."""
    lokmin = MeetingFactory(
        puskesmas=world["hsu"]["puskesmas"], created_by=puskesmas_head, status="held"
    )
    item = FollowUpFactory(
        meeting=lokmin, activity="Kelas ibu hamil di Desa Sapala", due_on=datetime.date(2026, 6, 30)
    )
    later = MeetingFactory(
        puskesmas=world["hsu"]["puskesmas"],
        created_by=puskesmas_head,
        held_on=datetime.date(2026, 8, 11),
        title="Lokmin triwulan III",
    )
    _english(page, live_server)
    log_in(page, puskesmas_head)
    page.goto(f"{live_server.url}{reverse('workshops:meeting-detail', args=[later.pk])}")
    open_item = page.get_by_test_id("open-rtl").filter(has_text="Kelas ibu hamil di Desa Sapala")
    assert open_item.get_by_test_id("overdue").is_visible()
    open_item.get_by_role("link", name="Update status").click()

    page.select_option("#id_status", "done")
    page.fill("#id_note", "Kelas berjalan 4 kali, 18 ibu hamil hadir")
    page.set_input_files(
        "#id_evidence",
        files=[
            {"name": "daftar-hadir.jpg", "mimeType": "image/jpeg", "buffer": image_bytes(gps=True)}
        ],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save the status").click()

    assert page.url.endswith(reverse("workshops:meeting-detail", args=[later.pk]))
    closed = page.get_by_test_id("open-rtl").filter(has_text="Kelas ibu hamil di Desa Sapala")
    assert "Done" in closed.inner_text() and closed.get_by_test_id("overdue").count() == 0
    update = StatusUpdate.objects.get(follow_up=item)
    assert update.reviewed_in == later and update.new_status == "done" and update.evidence
