"""Uploaded photos, scans and evidence files: checked by their content, never by their name.

Pure functions over file objects (no database). Every refusal is a `ValidationError` that names the
file, so a user who picked ten photos knows which one to leave out.

- Photos: JPEG, PNG or WebP as Pillow reads them; at most MAX_UPLOAD_BYTES and MAX_PIXELS. Stored
  re-encoded as JPEG: turned upright from the EXIF orientation, every metadata block dropped (EXIF
  with GPS position, XMP, ICC, comments), at most PHOTO_LONG_SIDE px on the long side, plus a
  THUMB_LONG_SIDE px thumbnail. Phones on slow links load the small files.
- Documents (the signed agreement scan, evidence of a done item): a PDF (checked by its header
  and end marker, stored as sent) or an image (stored like a photo, but larger, so a scan stays
  legible). Photos of several signed pages are joined into one PDF.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

# Settings-like limits: change here, not in the code below.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # 10 MB per file
MAX_PIXELS = 50_000_000  # a 48-megapixel phone camera fits; decompression bombs do not
PHOTO_LONG_SIDE = 1600
THUMB_LONG_SIDE = 400
SCAN_LONG_SIDE = 3508  # an A4 page at 300 dpi
JPEG_QUALITY = 80
SCAN_JPEG_QUALITY = 85
MAX_SCAN_PAGES = 20

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"
DOCUMENT_ACCEPT = f"application/pdf,{PHOTO_ACCEPT}"
PDF_CONTENT_TYPE = "application/pdf"


@dataclass(frozen=True)
class StoredPhoto:
    """A photo ready to store: the resized image and its thumbnail, both JPEG."""

    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def display_name(upload) -> str:
    """The file's name as the user picked it (without any folder)."""
    return os.path.basename(getattr(upload, "name", "") or "") or _("(no name)")


def _refuse(upload, problem: str, code: str) -> ValidationError:
    return ValidationError(
        _("%(file)s: %(problem)s") % {"file": display_name(upload), "problem": problem}, code=code
    )


def check_size(upload) -> None:
    """Refuse empty files and files over MAX_UPLOAD_BYTES."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if not size:
        raise _refuse(upload, _("the file is empty."), "empty")
    if size > MAX_UPLOAD_BYTES:
        raise _refuse(
            upload,
            _("the file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
            "too_big",
        )


_strict_lock = threading.Lock()


@contextlib.contextmanager
def _refusing_truncated_images():
    """WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES on import, which would let a cut-off
    upload through as a half-grey photo: refuse truncated files while we decode ours."""
    with _strict_lock:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _open_image(upload) -> Image.Image:
    """The decoded image, or a refusal: not an image, another format, too many pixels, broken."""
    not_image = _("this is not a JPEG, PNG or WebP photo.")
    upload.seek(0)
    try:
        image = Image.open(upload)
    except Image.DecompressionBombError as error:
        raise _refuse(upload, _("the image has too many pixels."), "too_many_pixels") from error
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise _refuse(upload, not_image, "not_image") from error
    if image.format not in IMAGE_FORMATS:
        raise _refuse(upload, not_image, "not_image")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _refuse(
            upload,
            _("the image is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels.")
            % {"width": width, "height": height, "limit": MAX_PIXELS // 1_000_000},
            "too_many_pixels",
        )
    try:
        # JPEG can decode at a reduced scale: far less memory for a large phone photo.
        if image.format == "JPEG":
            image.draft("RGB", (SCAN_LONG_SIDE, SCAN_LONG_SIDE))
        with _refusing_truncated_images():
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise _refuse(upload, _("the image is damaged or incomplete."), "broken") from error
    return image


def _upright_rgb(image: Image.Image) -> Image.Image:
    """Turned upright from its EXIF orientation, transparency flattened on white, plain RGB."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _jpeg(image: Image.Image, *, long_side: int, quality: int, name: str) -> ContentFile:
    """A resized copy as JPEG bytes. Saved without exif=, icc_profile= or comment: no metadata."""
    copy = image.copy()
    copy.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    content = ContentFile(buffer.getvalue(), name=name)
    content.image_size = copy.size
    return content


def _stem(upload) -> str:
    stem = os.path.splitext(display_name(upload))[0]
    return (get_valid_filename(stem) or "file")[:60]


def photo_from_upload(upload) -> StoredPhoto:
    """Check one uploaded photo and prepare what is stored; raises a ValidationError naming it."""
    check_size(upload)
    image = _upright_rgb(_open_image(upload))
    stem = _stem(upload)
    photo = _jpeg(image, long_side=PHOTO_LONG_SIDE, quality=JPEG_QUALITY, name=f"{stem}.jpg")
    thumb = _jpeg(image, long_side=THUMB_LONG_SIDE, quality=JPEG_QUALITY, name=f"{stem}-t.jpg")
    width, height = photo.image_size
    return StoredPhoto(image=photo, thumbnail=thumb, width=width, height=height)


def _looks_like_pdf(upload: IO[bytes]) -> bool:
    upload.seek(0)
    head = upload.read(1024)
    if not head.startswith(b"%PDF-"):
        return False
    upload.seek(0, os.SEEK_END)
    end = upload.tell()
    upload.seek(max(0, end - 2048))
    tail = upload.read()
    upload.seek(0)
    return b"%%EOF" in tail


def document_from_upload(upload) -> ContentFile:
    """Check a signed scan or an evidence file (a PDF or a photo of the page) and return what is
    stored: the PDF as sent, an image re-encoded without metadata. Raises a ValidationError."""
    check_size(upload)
    upload.seek(0)
    if upload.read(5) == b"%PDF-":
        if not _looks_like_pdf(upload):
            raise _refuse(upload, _("the PDF is damaged or incomplete."), "broken")
        upload.seek(0)
        return ContentFile(upload.read(), name=f"{_stem(upload)}.pdf")
    try:
        image = _upright_rgb(_open_image(upload))
    except ValidationError as error:
        if error.code == "not_image":
            raise _refuse(
                upload, _("this is not a PDF or a JPEG, PNG or WebP image."), "not_document"
            ) from error
        raise
    return _jpeg(
        image, long_side=SCAN_LONG_SIDE, quality=SCAN_JPEG_QUALITY, name=f"{_stem(upload)}.jpg"
    )


def scan_from_uploads(uploads: Sequence) -> ContentFile:
    """The signed agreement from what was picked: one PDF or image (as `document_from_upload`),
    or photos of several pages joined into one PDF in the order given. Raises a
    ValidationError listing every bad file."""
    if len(uploads) == 1:
        return document_from_upload(uploads[0])
    if len(uploads) > MAX_SCAN_PAGES:
        raise ValidationError(
            _("Send at most %(count)s pages; a PDF can hold more.") % {"count": MAX_SCAN_PAGES}
        )
    pages, errors = [], []
    for upload in uploads:
        try:
            check_size(upload)
            upload.seek(0)
            if upload.read(5) == b"%PDF-":
                raise _refuse(
                    upload, _("send one PDF alone, or photos of the pages."), "mixed_pages"
                )
            page = _upright_rgb(_open_image(upload))
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        page.thumbnail((SCAN_LONG_SIDE, SCAN_LONG_SIDE), Image.Resampling.LANCZOS)
        pages.append(page)
    if errors:
        raise ValidationError(errors)
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=200)
    return ContentFile(buffer.getvalue(), name=f"{_stem(uploads[0])}.pdf")


def is_pdf_name(name: str) -> bool:
    """Whether a stored document is a PDF (stored names end in .pdf or .jpg, see above)."""
    return name.lower().endswith(".pdf")
