"""Uploaded photos and documents are checked by content and stored without metadata
(workshops.images): type, size and pixel limits, EXIF orientation, GPS stripped, resizing."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageFile

from workshops import images

GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the source language); Indonesian is the default."""
    with translation.override("en"):
        yield


@pytest.fixture
def media_root(settings, tmp_path):
    """Files written by a test go to a temporary MEDIA_ROOT, never to the repository's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(fmt="JPEG", size=(2000, 1000), *, mode="RGB", orientation=None, gps=False):
    image = Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else "red")
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        gps_ifd = exif.get_ifd(GPS_IFD)
        gps_ifd[1] = "S"  # GPSLatitudeRef
        gps_ifd[2] = (2.0, 25.0, 12.0)  # GPSLatitude: Amuntai, roughly
    buffer = io.BytesIO()
    options = {"exif": exif} if (orientation or gps) else {}
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def upload(name="foto.jpg", content=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content if content is not None else image_bytes(), content_type)


def pdf_bytes(pages=1):
    buffer = io.BytesIO()
    first, *more = [Image.new("RGB", (200, 280), "white") for _ in range(pages)]
    first.save(buffer, format="PDF", save_all=True, append_images=more)
    return buffer.getvalue()


def _opened(content_file):
    content_file.seek(0)
    return Image.open(io.BytesIO(content_file.read()))


def test_photo_is_turned_upright_resized_and_stripped_of_exif_and_gps():
    raw = image_bytes(size=(3200, 1600), orientation=6, gps=True)
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(GPS_IFD)  # the original has GPS

    stored = images.photo_from_upload(upload(content=raw))

    photo, thumb = _opened(stored.image), _opened(stored.thumbnail)
    assert photo.format == "JPEG" and thumb.format == "JPEG"
    # Orientation 6 = rotate 90°: the wide original becomes a tall photo, 1600 px at most.
    assert photo.size == (800, 1600) == (stored.width, stored.height)
    assert max(thumb.size) == 400
    for stored_image in (photo, thumb):
        assert not stored_image.getexif()
        assert "exif" not in stored_image.info and "icc_profile" not in stored_image.info
    assert stored.image.name.endswith(".jpg")


def test_small_photo_is_not_enlarged():
    stored = images.photo_from_upload(upload(content=image_bytes(size=(640, 480))))
    assert _opened(stored.image).size == (640, 480)


@pytest.mark.parametrize(("fmt", "mode", "name"), [("PNG", "RGBA", "a.png"), ("WEBP", "RGB", "b")])
def test_png_with_transparency_and_webp_are_accepted_whatever_their_name(fmt, mode, name):
    raw = image_bytes(fmt, size=(500, 300), mode=mode)
    stored = images.photo_from_upload(upload(name=name, content=raw))
    assert _opened(stored.image).mode == "RGB"


def test_gif_is_refused_naming_the_file():
    with pytest.raises(ValidationError) as error:
        images.photo_from_upload(upload("animasi.gif", image_bytes("GIF", size=(50, 50))))
    assert "animasi.gif" in error.value.messages[0]
    assert "JPEG, PNG or WebP" in error.value.messages[0]


def test_text_file_named_like_a_photo_is_refused():
    with pytest.raises(ValidationError) as error:
        images.photo_from_upload(upload("foto-rapat.jpg", b"MZ this is not a photo at all"))
    assert error.value.messages == ["foto-rapat.jpg: this is not a JPEG, PNG or WebP photo."]


def test_oversized_file_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1024)
    with pytest.raises(ValidationError) as error:
        images.photo_from_upload(upload("besar.jpg", image_bytes(size=(800, 800)) + b"\0" * 2048))
    assert "besar.jpg" in error.value.messages[0] and "limit" in error.value.messages[0]


def test_empty_file_is_refused():
    with pytest.raises(ValidationError, match="kosong.jpg: the file is empty"):
        images.photo_from_upload(upload("kosong.jpg", b""))


def test_image_over_the_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 1_000_000)
    with pytest.raises(ValidationError) as error:
        images.photo_from_upload(upload("panorama.jpg", image_bytes(size=(2000, 1000))))
    assert "2000 × 1000 pixels" in error.value.messages[0]


def test_truncated_photo_is_refused_as_damaged_even_after_weasyprint_is_loaded():
    import weasyprint  # noqa: F401  (it sets Pillow's LOAD_TRUNCATED_IMAGES globally)

    raw = image_bytes(size=(1200, 900))
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        images.photo_from_upload(upload("putus.jpg", raw[: len(raw) // 3]))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as WeasyPrint wants it


def test_document_pdf_is_kept_as_sent_and_an_image_is_reencoded_without_gps():
    pdf = pdf_bytes()
    stored = images.document_from_upload(upload("bukti.pdf", pdf, "application/pdf"))
    stored.seek(0)
    assert stored.read() == pdf and stored.name == "bukti.pdf"

    scan = images.document_from_upload(upload("scan.png", image_bytes("PNG", gps=True)))
    assert scan.name == "scan.jpg" and not _opened(scan).getexif()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "the PDF is damaged or incomplete."),
        (b"PK\x03\x04 a zip or a docx", "this is not a PDF or a JPEG, PNG or WebP image."),
    ],
)
def test_document_that_is_not_a_whole_pdf_or_image_is_refused(content, problem):
    with pytest.raises(ValidationError) as error:
        images.document_from_upload(upload("laporan.pdf", content, "application/pdf"))
    assert error.value.messages == [f"laporan.pdf: {problem}"]


def test_photos_of_several_pages_are_joined_into_one_pdf():
    pages = [upload(f"hal-{n}.jpg", image_bytes(size=(600, 850))) for n in (1, 2, 3)]
    stored = images.scan_from_uploads(pages)
    stored.seek(0)
    content = stored.read()
    assert content.startswith(b"%PDF-") and b"/Count 3" in content
    assert stored.name == "hal-1.pdf"


def test_a_pdf_mixed_with_page_photos_is_refused_and_every_bad_file_named():
    files = [
        upload("hal-1.jpg"),
        upload("kesepakatan.pdf", pdf_bytes(), "application/pdf"),
        upload("catatan.txt", b"hello", "text/plain"),
    ]
    with pytest.raises(ValidationError) as error:
        images.scan_from_uploads(files)
    assert len(error.value.messages) == 2
    assert error.value.messages[0].startswith("kesepakatan.pdf:")
    assert error.value.messages[1].startswith("catatan.txt:")
