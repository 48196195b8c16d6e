"""After the meeting (issue #6, item 4): minutes with a version check, photos checked and resized,
the joint agreement as page, PDF and .xlsx, the signed scan; files served only inside the area."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from tests.exports import content_of, download_export
from tests.factories import CommitmentFactory, ParticipantFactory, UserFactory
from workshops import services
from workshops.models import Meeting, Photo

from . import test_images
from .test_images import (
    SECRET,
    assert_pixels_only,
    image_bytes,
    jpeg_with_everything,
    pdf_bytes,
    png_claiming,
    upload,
)

# Shared fixtures: English messages, a temporary MEDIA_ROOT, a guard that nothing is decoded.
english, media_root = test_images.english, test_images.media_root
never_decoded = test_images.never_decoded

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def held(lokmin):
    lokmin.status = Meeting.Status.HELD
    lokmin.save()
    return lokmin


def _stored_files(root: Path) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()] if Path(root).exists() else []


def _message_texts(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Minutes ------------------------------------------------------------------------------------


def test_head_writes_minutes_and_agreement_text_and_the_line_breaks_show(
    client, lokmin, puskesmas_head, district_user
):
    client.force_login(puskesmas_head)
    url = reverse("workshops:meeting-minutes", args=[lokmin.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "minutes": "1. Camat membuka rapat.\n2. Kapus memaparkan capaian K6.",
            "agreement_text": "Semua pihak mendukung kelas ibu hamil.",
            "version": lokmin.version,
        },
    )
    assert response.status_code == 302
    lokmin.refresh_from_db()
    assert lokmin.minutes.startswith("1. Camat membuka rapat.\n2.")
    assert lokmin.agreement_text == "Semua pihak mendukung kelas ibu hamil."
    assert lokmin.version == 2
    # The district reads them (no form), line breaks kept.
    client.force_login(district_user)
    page = client.get(url).content.decode()
    assert "minutes-form" not in page
    assert "1. Camat membuka rapat.<br>2. Kapus memaparkan" in page


def test_stale_minutes_save_is_refused_saying_who_saved(client, lokmin, puskesmas_head, world):
    colleague = UserFactory(
        username="bidan",
        first_name="Siti",
        last_name="Aminah",
        role="puskesmas_staff",
        puskesmas=world["hsu"]["puskesmas"],
    )
    old_version = lokmin.version
    services.meeting_minutes_save(
        meeting=lokmin, minutes="Versi Siti", agreement_text="", version=old_version, by=colleague
    )
    client.force_login(puskesmas_head)
    response = client.post(
        reverse("workshops:meeting-minutes", args=[lokmin.pk]),
        {"minutes": "Versi kapus", "agreement_text": "", "version": old_version},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="stale-edit"' in page and "Siti Aminah" in page
    assert "Versi Siti" in page and "Versi kapus" in page  # theirs beside yours
    lokmin.refresh_from_db()
    assert lokmin.minutes == "Versi Siti" and lokmin.version == old_version + 1
    again = response.context["form"].data["version"]
    response = client.post(
        reverse("workshops:meeting-minutes", args=[lokmin.pk]),
        {"minutes": "Versi kapus", "agreement_text": "", "version": again},
    )
    assert response.status_code == 302
    lokmin.refresh_from_db()
    assert lokmin.minutes == "Versi kapus" and lokmin.updated_by == puskesmas_head


def test_minutes_of_a_closed_meeting_cannot_change(client, lokmin, puskesmas_head):
    lokmin.status = Meeting.Status.CLOSED
    lokmin.minutes = "Final"
    lokmin.save()
    client.force_login(puskesmas_head)
    response = client.post(
        reverse("workshops:meeting-minutes", args=[lokmin.pk]),
        {"minutes": "Changed", "agreement_text": "", "version": lokmin.version},
    )
    assert "This meeting is closed" in response.content.decode()
    lokmin.refresh_from_db()
    assert lokmin.minutes == "Final"


def test_district_planner_may_not_write_a_puskesmas_lokmins_minutes(client, lokmin, district_user):
    client.force_login(district_user)
    response = client.post(
        reverse("workshops:meeting-minutes", args=[lokmin.pk]),
        {"minutes": "x", "agreement_text": "", "version": lokmin.version},
    )
    assert response.status_code == 403
    lokmin.refresh_from_db()
    assert lokmin.minutes == ""


def test_minutes_as_pdf(client, lokmin, puskesmas_head):
    lokmin.minutes = "Baris satu\nBaris dua"
    lokmin.save()
    client.force_login(puskesmas_head)
    url = reverse("workshops:meeting-minutes", args=[lokmin.pk])
    offer = client.get(url, {"format": "pdf"})  # made by an export job: the page offers it
    assert offer.status_code == 200 and offer["Content-Type"].startswith("text/html")
    response = download_export(client, url, query={"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert content_of(response).startswith(b"%PDF-")


# --- Photos -------------------------------------------------------------------------------------


def test_head_uploads_several_photos_stored_resized_and_served_only_in_the_area(
    client, lokmin, puskesmas_head, district_user, other_district_user, media_root
):
    client.force_login(puskesmas_head)
    url = reverse("workshops:meeting-photos", args=[lokmin.pk])
    files = [
        upload("pembukaan.jpg", image_bytes(size=(4000, 3000), orientation=6, gps=True)),
        upload("diskusi.png", image_bytes("PNG", size=(800, 600)), "image/png"),
    ]
    response = client.post(url, {"images": files, "caption": "Lokmin triwulan II"})
    assert response.status_code == 302
    photos = list(Photo.objects.filter(meeting=lokmin).order_by("pk"))
    assert [p.caption for p in photos] == ["Lokmin triwulan II"] * 2
    assert (photos[0].width, photos[0].height) == (1200, 1600)
    assert all(Path(p.image.path).is_relative_to(media_root) for p in photos)
    assert len(_stored_files(media_root)) == 4  # two photos, two thumbnails
    # The district reads them through the scoped views; another district gets 404.
    client.force_login(district_user)
    page = client.get(url).content.decode()
    assert reverse("workshops:photo-thumb", args=[photos[0].pk]) in page
    served = client.get(reverse("workshops:photo-file", args=[photos[0].pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert not image.getexif().get_ifd(0x8825)  # no GPS position left
    thumb = client.get(reverse("workshops:photo-thumb", args=[photos[0].pk]))
    assert max(Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size) == 400
    client.force_login(other_district_user)
    for name in ("photo-file", "photo-thumb"):
        assert client.get(reverse(f"workshops:{name}", args=[photos[0].pk])).status_code == 404


def test_one_bad_file_among_the_photos_saves_nothing_and_is_named(
    client, lokmin, puskesmas_head, media_root
):
    client.force_login(puskesmas_head)
    files = [
        upload("bagus.jpg"),
        upload("virus.jpg", b"MZ\x90\x00 definitely not a photo"),
    ]
    response = client.post(reverse("workshops:meeting-photos", args=[lokmin.pk]), {"images": files})
    assert response.status_code == 400
    assert "virus.jpg: this is not a JPEG, PNG or WebP photo." in response.content.decode()
    assert not Photo.objects.exists()
    assert _stored_files(media_root) == []


def test_oversized_photo_is_refused_with_its_name(
    client, lokmin, puskesmas_head, media_root, settings
):
    settings.SIMPUL_UPLOAD_MAX_BYTES = 2048
    client.force_login(puskesmas_head)
    response = client.post(
        reverse("workshops:meeting-photos", args=[lokmin.pk]),
        {"images": [upload("besar.jpg", image_bytes(size=(900, 900)) + b"\0" * 4096)]},
    )
    assert "besar.jpg: the file is" in response.content.decode()
    assert not Photo.objects.exists()


@pytest.fixture(scope="module")
def large_jpeg():
    """A 24-megapixel phone photo with a comment, GPS position, XMP and a profile: made once."""
    shapes = Image.effect_mandelbrot((750, 500), (-2.2, -1.2, 1.0, 1.2), 48)
    return jpeg_with_everything(image=shapes.resize((6000, 4000)).convert("RGB"))


def test_organiser_uploads_twenty_large_photos_at_once_and_only_pixels_are_stored(
    client, lokmin, puskesmas_head, media_root, large_jpeg
):
    client.force_login(puskesmas_head)
    files = [upload(f"foto-{n}.jpg", large_jpeg) for n in range(20)]
    response = client.post(reverse("workshops:meeting-photos", args=[lokmin.pk]), {"images": files})
    assert response.status_code == 302
    photos = Photo.objects.filter(meeting=lokmin)
    assert photos.count() == 20
    for photo in photos:
        assert (photo.width, photo.height) == (1600, 1067)
        for stored in (photo.image, photo.thumbnail):
            with stored.open("rb") as content:
                assert_pixels_only(content.read())
    assert len(_stored_files(media_root)) == 40  # nothing else: the uploads themselves are not kept


def test_photo_over_the_pixel_limit_is_refused_by_name_and_nothing_is_stored(
    client, lokmin, puskesmas_head, media_root, never_decoded
):
    client.force_login(puskesmas_head)
    files = [
        upload("panorama.png", png_claiming(9000, 6000), "image/png"),
        upload("bom.png", png_claiming(30000, 30000), "image/png"),
    ]
    response = client.post(reverse("workshops:meeting-photos", args=[lokmin.pk]), {"images": files})
    assert response.status_code == 400
    page = response.content.decode()
    assert "panorama.png: the image is 9000 × 6000 pixels; the limit is 50 megapixels." in page
    assert "bom.png: the image has too many pixels; the limit is 50 megapixels." in page
    assert not Photo.objects.exists()
    assert _stored_files(media_root) == []


def test_more_photos_than_the_limit_are_refused_before_any_is_decoded(
    client, lokmin, puskesmas_head, media_root, settings, never_decoded
):
    settings.SIMPUL_UPLOAD_MAX_FILES = 3
    client.force_login(puskesmas_head)
    files = [upload(f"foto-{n}.jpg") for n in range(4)]
    response = client.post(reverse("workshops:meeting-photos", args=[lokmin.pk]), {"images": files})
    assert response.status_code == 400
    assert "Upload at most 3 photos at a time." in response.content.decode()
    assert not Photo.objects.exists()


def test_upload_without_a_file_asks_for_one(client, lokmin, puskesmas_head):
    client.force_login(puskesmas_head)
    response = client.post(reverse("workshops:meeting-photos", args=[lokmin.pk]), {})
    assert response.status_code == 400
    assert not Photo.objects.exists()


def test_caption_edit_and_delete_remove_the_files(
    client, lokmin, puskesmas_head, media_root, django_capture_on_commit_callbacks
):
    [photo] = services.photos_add(meeting=lokmin, uploads=[upload()], by=puskesmas_head)
    client.force_login(puskesmas_head)
    url = reverse("workshops:photo-edit", args=[photo.pk])
    client.post(url, {"caption": "Penandatanganan", "version": photo.version})
    photo.refresh_from_db()
    assert photo.caption == "Penandatanganan" and photo.version == 2
    client.post(url, {"caption": "Dari halaman lama", "version": 1})  # a stale page: refused
    photo.refresh_from_db()
    assert photo.caption == "Penandatanganan"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workshops:photo-delete", args=[photo.pk]))
    assert response.status_code == 302
    assert not Photo.objects.exists()
    assert _stored_files(media_root) == []


def test_only_those_who_run_the_meeting_change_photos(
    client, lokmin, puskesmas_head, district_user, media_root
):
    [photo] = services.photos_add(meeting=lokmin, uploads=[upload()], by=puskesmas_head)
    client.force_login(district_user)
    url = reverse("workshops:meeting-photos", args=[lokmin.pk])
    assert client.post(url, {"images": [upload()]}).status_code == 403
    assert client.post(reverse("workshops:photo-delete", args=[photo.pk])).status_code == 403
    assert client.post(reverse("workshops:photo-edit", args=[photo.pk])).status_code == 403
    assert Photo.objects.count() == 1


def test_photo_page_queries_do_not_grow_with_photos(client, lokmin, puskesmas_head, media_root):
    services.photos_add(meeting=lokmin, uploads=[upload() for _ in range(2)], by=puskesmas_head)
    client.force_login(puskesmas_head)
    url = reverse("workshops:meeting-photos", args=[lokmin.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    services.photos_add(meeting=lokmin, uploads=[upload() for _ in range(8)], by=puskesmas_head)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# --- Joint agreement ----------------------------------------------------------------------------


@pytest.fixture
def agreement_meeting(held, world):
    held.agreement_text = "Mendukung penurunan stunting.\nMenggerakkan kader posyandu."
    held.save()
    ParticipantFactory(
        meeting=held,
        name="Drs. Rahmadi",
        position="Camat",
        organisation="Kecamatan",
        signs_agreement=True,
    )
    ParticipantFactory(meeting=held, name="Tidak tanda tangan", signs_agreement=False)
    CommitmentFactory(
        meeting=held,
        party="Dinas Sosial",
        description="Memadankan data PBI",
        signatory_name="Hj. Noor",
        signatory_position="Kepala Seksi",
    )
    CommitmentFactory(
        meeting=held, party="Dinas Sosial", description="Verifikasi KIS", signatory_name="Hj. Noor"
    )
    CommitmentFactory(meeting=held, party="KUA", description="Bimbingan calon pengantin")
    CommitmentFactory(
        meeting=held, party="Kecamatan", description="Rapat minggon", signatory_name="Drs. Rahmadi"
    )
    return held


def test_agreement_groups_commitments_by_party_and_gives_each_party_a_signature_block(
    client, agreement_meeting, district_user
):
    client.force_login(district_user)
    response = client.get(reverse("workshops:meeting-agreement", args=[agreement_meeting.pk]))
    assert response.status_code == 200
    agreement = response.context["agreement"]
    assert [g.party for g in agreement.parties] == ["Dinas Sosial", "KUA", "Kecamatan"]
    assert [len(g.commitments) for g in agreement.parties] == [2, 1, 1]
    # The Camat signs once (participant and signatory), Dinas Sosial's Hj. Noor once, and KUA,
    # with no named signatory, gets a block to be named by hand.
    assert [(s.name, s.organisation) for s in agreement.signatories] == [
        ("Drs. Rahmadi", "Kecamatan"),
        ("Hj. Noor", "Dinas Sosial"),
        ("", "KUA"),
    ]
    assert len(agreement.signature_rows) == 2
    page = response.content.decode()
    assert "Mendukung penurunan stunting.<br>Menggerakkan kader posyandu." in page
    assert "Tidak tanda tangan" not in page
    assert "scan-upload" not in page  # the district reads; it does not run the lokmin


def test_agreement_as_pdf_and_xlsx(client, agreement_meeting, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("workshops:meeting-agreement", args=[agreement_meeting.pk])
    pdf = download_export(client, url, query={"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and content_of(pdf).startswith(b"%PDF-")
    xlsx = client.get(url, {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(xlsx.content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("Party", "Commitment")
    assert [row[0] for row in rows[1:]] == ["Dinas Sosial", "Dinas Sosial", "KUA", "Kecamatan"]
    signatures = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert [row[1] for row in signatures[1:]] == ["Drs. Rahmadi", "Hj. Noor", None]


def test_agreement_page_queries_do_not_grow_with_parties(client, held, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("workshops:meeting-agreement", args=[held.pk])

    def add(count):
        for n in range(count):
            ParticipantFactory(meeting=held, signs_agreement=True)
            CommitmentFactory(meeting=held, party=f"Pihak {n}", signatory_name=f"Penanda {n}")

    add(2)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_signed_scan_upload_records_who_and_when_and_is_served_in_the_area(
    client, agreement_meeting, puskesmas_head, other_district_user, media_root
):
    client.force_login(puskesmas_head)
    version = agreement_meeting.version
    response = client.post(
        reverse("workshops:agreement-upload", args=[agreement_meeting.pk]),
        {"scan": [upload("kesepakatan.pdf", pdf_bytes(2), "application/pdf")]},
    )
    assert response.status_code == 302
    agreement_meeting.refresh_from_db()
    assert agreement_meeting.signed_agreement.name.endswith(".pdf")
    assert agreement_meeting.signed_agreement_by == puskesmas_head
    assert agreement_meeting.signed_agreement_at is not None
    assert agreement_meeting.version == version + 1
    scan_url = reverse("workshops:agreement-scan", args=[agreement_meeting.pk])
    served = client.get(scan_url)
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content).startswith(b"%PDF-")
    assert "attachment" in client.get(scan_url, {"download": "1"})["Content-Disposition"]
    client.force_login(other_district_user)
    assert client.get(scan_url).status_code == 404


def test_photos_of_the_signed_pages_become_one_pdf(
    client, agreement_meeting, puskesmas_head, media_root
):
    client.force_login(puskesmas_head)
    pages = [upload(f"hal{n}.jpg", image_bytes(size=(1240, 1754))) for n in (1, 2)]
    pages.append(upload("hal3.jpg", jpeg_with_everything(size=(1240, 1754))))
    client.post(reverse("workshops:agreement-upload", args=[agreement_meeting.pk]), {"scan": pages})
    agreement_meeting.refresh_from_db()
    with agreement_meeting.signed_agreement.open("rb") as scan:
        content = scan.read()
    assert b"/Count 3" in content
    assert SECRET not in content  # no page keeps its JPEG comment


def test_a_signed_scan_sent_as_one_photo_is_stored_without_its_comment(
    client, agreement_meeting, puskesmas_head, media_root
):
    client.force_login(puskesmas_head)
    scan = upload("kesepakatan.jpg", jpeg_with_everything(size=(2480, 3508)))
    url = reverse("workshops:agreement-upload", args=[agreement_meeting.pk])
    assert client.post(url, {"scan": [scan]}).status_code == 302
    agreement_meeting.refresh_from_db()
    with agreement_meeting.signed_agreement.open("rb") as stored:
        assert_pixels_only(stored.read())


def test_bad_scan_is_refused_and_nothing_is_saved(
    client, agreement_meeting, puskesmas_head, media_root
):
    client.force_login(puskesmas_head)
    response = client.post(
        reverse("workshops:agreement-upload", args=[agreement_meeting.pk]),
        {"scan": [upload("scan.pdf", b"%PDF-1.4 cut off here", "application/pdf")]},
    )
    assert response.status_code == 400
    assert "scan.pdf: the PDF is damaged or incomplete." in response.content.decode()
    agreement_meeting.refresh_from_db()
    assert not agreement_meeting.signed_agreement
    assert _stored_files(media_root) == []


def test_scan_of_a_meeting_not_yet_held_is_refused(client, lokmin, puskesmas_head, media_root):
    client.force_login(puskesmas_head)
    response = client.post(
        reverse("workshops:agreement-upload", args=[lokmin.pk]),
        {"scan": [upload("scan.pdf", pdf_bytes(), "application/pdf")]},
    )
    assert "once the meeting is marked as held" in response.content.decode()
    lokmin.refresh_from_db()
    assert not lokmin.signed_agreement


def test_agreement_text_is_locked_once_the_signed_scan_is_in(held, puskesmas_head, media_root):
    services.agreement_scan_upload(
        meeting=held, uploads=[upload("s.pdf", pdf_bytes(), "application/pdf")], by=puskesmas_head
    )
    held.refresh_from_db()
    with pytest.raises(Exception, match="can no longer change"):
        services.meeting_minutes_save(
            meeting=held,
            minutes="",
            agreement_text="Teks baru",
            version=held.version,
            by=puskesmas_head,
        )
    saved = services.meeting_minutes_save(
        meeting=held,
        minutes="Notulen",
        agreement_text=held.agreement_text,
        version=held.version,
        by=puskesmas_head,
    )
    assert saved.minutes == "Notulen"


def test_district_planner_may_not_upload_a_lokmin_scan(client, held, district_user, media_root):
    client.force_login(district_user)
    response = client.post(
        reverse("workshops:agreement-upload", args=[held.pk]),
        {"scan": [upload("s.pdf", pdf_bytes(), "application/pdf")]},
    )
    assert response.status_code == 403
    held.refresh_from_db()
    assert not held.signed_agreement


def test_missing_scan_is_404(client, held, puskesmas_head):
    client.force_login(puskesmas_head)
    assert client.get(reverse("workshops:agreement-scan", args=[held.pk])).status_code == 404


@pytest.mark.parametrize(
    "name", ["meeting-minutes", "meeting-photos", "meeting-agreement", "agreement-scan"]
)
def test_other_areas_get_404(client, held, other_district_user, other_province_user, name):
    for outsider in (other_district_user, other_province_user):
        client.force_login(outsider)
        assert client.get(reverse(f"workshops:{name}", args=[held.pk])).status_code == 404
