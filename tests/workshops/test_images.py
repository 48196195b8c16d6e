"""Uploaded photos and documents are checked by content and stored without metadata
(workshops.images): type, size and pixel limits checked before decoding, EXIF orientation,
every metadata block dropped (GPS, comments, PNG text), resizing, bounded memory."""

import io
import json
import os
import struct
import subprocess
import sys
import zlib

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageChops, ImageCms, ImageFile, PdfParser
from PIL.PngImagePlugin import PngInfo

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


def image_bytes(
    fmt="JPEG", size=(2000, 1000), *, mode="RGB", orientation=None, gps=False, image=None, **options
):
    """An image file; `options` go to Pillow's save (comment=, xmp=, icc_profile=, pnginfo=)."""
    if image is None:
        image = Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else "red")
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        gps_ifd = exif.get_ifd(GPS_IFD)
        gps_ifd[1] = "S"  # GPSLatitudeRef
        gps_ifd[2] = (2.0, 25.0, 12.0)  # GPSLatitude: Amuntai, roughly
    if orientation or gps:
        options["exif"] = exif
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


SECRET = b"Rumah Pak Kades, Jl. Merdeka 12"  # what a comment or text chunk could give away
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>Rumah Pak Kades</rdf:Description>'
SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg_with_everything(size=(2000, 1000), image=None) -> bytes:
    """A JPEG with a comment (COM), EXIF with GPS, XMP and an ICC profile."""
    return image_bytes(
        size=size, gps=True, image=image, comment=SECRET, xmp=XMP, icc_profile=SRGB_PROFILE
    )


def png_with_text(size=(900, 600), mode="RGB") -> bytes:
    """A PNG with tEXt, iTXt (XMP) and zTXt chunks, an eXIf chunk with GPS and an ICC profile."""
    text = PngInfo()
    text.add_text("comment", SECRET)  # lower-case: Pillow's JPEG encoder would copy it into COM
    text.add_text("Author", "Bidan desa")
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    text.add_text("Description", SECRET, zip=True)
    return image_bytes("PNG", size, mode=mode, gps=True, pnginfo=text, icc_profile=SRGB_PROFILE)


def jpeg_segments(data: bytes) -> list[int]:
    """The marker of every segment between SOI and the image data (SOS): APPn, COM, DQT..."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    markers, at = [], 2
    while data[at] == 0xFF and data[at + 1] != 0xDA:
        markers.append(data[at + 1])
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return markers


def assert_pixels_only(data: bytes) -> None:
    """A stored JPEG holds pixels and nothing else: JFIF (APP0) and coding tables only."""
    markers = jpeg_segments(data)
    assert 0xFE not in markers, "a comment (COM) survived"
    assert [m for m in markers if 0xE0 <= m <= 0xEF] == [0xE0], "an APPn block survived"
    image = Image.open(io.BytesIO(data))
    assert [name for name, _content in image.applist] == ["APP0"]
    assert not image.getexif()
    assert not {"comment", "exif", "icc_profile", "xmp"} & set(image.info)
    assert SECRET not in data and b"Kades" not in data


def png_claiming(width: int, height: int) -> bytes:
    """A small valid PNG whose header (IHDR) claims another size, its CRC fixed: a huge image or a
    decompression bomb as it looks before anything is decoded."""
    raw = image_bytes("PNG", size=(8, 8))
    # signature (8), IHDR length (4), b"IHDR" (4), width, height, 5 more bytes, CRC (4)
    header = b"IHDR" + struct.pack(">II", width, height) + raw[24:29]
    return raw[:12] + header + struct.pack(">I", zlib.crc32(header)) + raw[33:]


@pytest.fixture
def never_decoded(monkeypatch):
    """Fails the test if any image is decoded."""

    def load(self):
        raise AssertionError(f"{self.size} image decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


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


def test_oversized_file_is_refused_before_it_is_decoded(settings):
    settings.SIMPUL_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        images.photo_from_upload(upload("besar.jpg", image_bytes(size=(800, 800)) + b"\0" * 2048))
    assert "besar.jpg" in error.value.messages[0] and "limit" in error.value.messages[0]


def test_empty_file_is_refused():
    with pytest.raises(ValidationError, match="kosong.jpg: the file is empty"):
        images.photo_from_upload(upload("kosong.jpg", b""))


def test_image_over_the_pixel_limit_is_refused(settings):
    settings.SIMPUL_IMAGE_MAX_PIXELS = 1_000_000
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


# --- Nothing but pixels is stored ---------------------------------------------------------------


def _read(content_file) -> bytes:
    content_file.seek(0)
    return content_file.read()


def test_jpeg_comment_gps_xmp_and_profile_are_gone_from_photo_and_thumbnail():
    raw = jpeg_with_everything()
    original = Image.open(io.BytesIO(raw))
    assert 0xFE in jpeg_segments(raw) and original.info["comment"] == SECRET
    assert original.getexif().get_ifd(GPS_IFD) and "xmp" in original.info

    stored = images.photo_from_upload(upload("rapat.jpg", raw))

    assert_pixels_only(_read(stored.image))
    assert_pixels_only(_read(stored.thumbnail))


def test_png_text_chunks_exif_and_profile_are_gone_from_the_stored_photo():
    raw = png_with_text()
    original = Image.open(io.BytesIO(raw))
    assert original.info["comment"] == SECRET.decode() and "Author" in original.info

    stored = images.photo_from_upload(upload("rapat.png", raw, "image/png"))

    assert_pixels_only(_read(stored.image))
    assert_pixels_only(_read(stored.thumbnail))


def test_scans_of_one_image_or_several_pages_keep_no_comment_or_text():
    single = images.document_from_upload(upload("kesepakatan.png", png_with_text(), "image/png"))
    assert_pixels_only(_read(single))

    pages = [upload(f"hal-{n}.jpg", jpeg_with_everything(size=(600, 850))) for n in (1, 2, 3)]
    content = _read(images.scan_from_uploads(pages))

    assert SECRET not in content and b"Kades" not in content
    pdf = PdfParser.PdfParser(buf=content)
    assert len(pdf.pages) == 3 and not pdf.info  # no title, author or dates either
    for page_ref in pdf.pages:
        xobject = pdf.read_indirect(page_ref)[b"Resources"][b"XObject"]
        stream = pdf.read_indirect(xobject[b"image"])
        assert stream.dictionary[b"Width"] == 600 and stream.dictionary[b"Height"] == 850
        assert_pixels_only(stream.buf)


def test_banded_resize_of_a_large_image_matches_a_whole_one(monkeypatch):
    """Images other than plain RGB are converted and resized a band at a time: no seams."""
    monkeypatch.setattr(images, "BAND_PIXELS", 40_000)  # about 20 bands for this image
    gradient = Image.linear_gradient("L").resize((1900, 1300))
    pattern = ImageChops.add(gradient, Image.effect_noise((1900, 1300), 30), scale=2)

    banded = images._resized_rgb(pattern, (800, 547))

    whole = pattern.convert("RGB").resize((800, 547), Image.Resampling.LANCZOS)
    difference = ImageChops.difference(banded, whole).getextrema()
    assert max(high for _low, high in difference) <= 1


@pytest.mark.parametrize("mode", ["RGBA", "P", "LA", "I;16", "CMYK"])
def test_photos_in_other_modes_come_out_as_plain_rgb(mode):
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    image = Image.new("RGB", (2400, 1800), "navy").convert(mode)
    stored = images.photo_from_upload(upload(f"foto.{fmt.lower()}", image_bytes(fmt, image=image)))
    photo = Image.open(io.BytesIO(_read(stored.image)))
    assert photo.mode == "RGB" and photo.size == (1600, 1200)


# --- Pixel limit, checked before decoding -------------------------------------------------------


def test_image_over_the_pixel_limit_is_refused_from_its_header(settings, never_decoded):
    settings.SIMPUL_IMAGE_MAX_PIXELS = 50_000_000
    with pytest.raises(ValidationError) as error:
        images.photo_from_upload(upload("panorama.png", png_claiming(9000, 6000), "image/png"))
    assert error.value.messages == [
        "panorama.png: the image is 9000 × 6000 pixels; the limit is 50 megapixels."
    ]


def test_decompression_bomb_is_refused_without_being_decoded(never_decoded):
    bomb = png_claiming(30000, 30000)  # 900 megapixels: 3.6 GB once decoded
    assert len(bomb) < 200
    for check in (images.photo_from_upload, images.document_from_upload):
        with pytest.raises(ValidationError) as error:
            check(upload("bom.png", bomb, "image/png"))
        assert error.value.messages == [
            "bom.png: the image has too many pixels; the limit is 50 megapixels."
        ]


# --- Memory -------------------------------------------------------------------------------------

# Runs in a fresh interpreter and reads its peak resident memory (VmHWM: Django, Pillow and the
# photos), not whatever this test process reached (a child's ru_maxrss starts from its parent's).
# Pillow's buffers are allocated outside Python's allocator, so tracemalloc would not see them.
PROCESS_PHOTOS = r"""
import json, os, re, shutil, sys
import django
django.setup()
from django.core.files.uploadedfile import TemporaryUploadedFile
from workshops import images

def megabytes(field):
    with open("/proc/self/status") as status:
        return int(re.search(field + r":\s+(\d+) kB", status.read()).group(1)) // 1024

path, count = sys.argv[1], int(sys.argv[2])
uploads = []
for number in range(count):  # as Django's parser keeps files over FILE_UPLOAD_MAX_MEMORY_SIZE
    upload = TemporaryUploadedFile(f"foto-{number}.png", "image/png", os.path.getsize(path), None)
    with open(path, "rb") as source:
        shutil.copyfileobj(source, upload)
    uploads.append(upload)
before = megabytes("VmRSS")
stored = [images.photo_from_upload(upload) for upload in uploads]  # as services.photos_add
print(json.dumps({"before_mb": before, "peak_mb": megabytes("VmHWM"), "stored": len(stored)}))
"""


def large_png(path, size=(6000, 4000)) -> None:
    """A 24-megapixel PNG photo of about 5 MB: smooth shapes and some blocky noise."""
    width, height = size
    shapes = Image.effect_mandelbrot((width // 8, height // 8), (-2.2, -1.2, 1.0, 1.2), 48)
    shapes = shapes.resize(size, Image.Resampling.BILINEAR)
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise((width // 4, height // 4), 30).resize(size, Image.Resampling.NEAREST)
    photo = Image.merge("RGB", (shapes, gradient, ImageChops.add(noise, gradient, scale=2)))
    photo.save(path, format="PNG", compress_level=1)


def test_twenty_large_png_photos_stay_under_300_mb_of_peak_memory(tmp_path):
    path = tmp_path / "besar.png"
    large_png(path)
    assert 2.5 * 1024**2 < path.stat().st_size < 10 * 1024**2  # streamed to a temporary file

    result = subprocess.run(
        [sys.executable, "-c", PROCESS_PHOTOS, str(path), "20"],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        check=True,
    )

    measured = json.loads(result.stdout.splitlines()[-1])
    print(f"20 photos of 6000 x 4000 px (PNG): {measured}")  # pytest -s shows it
    assert measured["stored"] == 20
    assert measured["peak_mb"] < 300, measured
