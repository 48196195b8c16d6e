"""Uploaded photos, scans and evidence files: checked by their content, never by their name.

Pure functions over file objects (no database). Every refusal is a `ValidationError` that names the
file, so a user who picked ten photos knows which one to leave out.

- Photos: JPEG, PNG or WebP as Pillow reads them; at most `SIMPUL_UPLOAD_MAX_BYTES` and
  `SIMPUL_IMAGE_MAX_PIXELS` (settings). Stored re-encoded as JPEG from the pixels alone: turned
  upright from the EXIF orientation, colours moved to sRGB when the file carries an RGB profile,
  then every metadata block dropped (EXIF with GPS position, XMP, ICC, JPEG comments, PNG text),
  at most PHOTO_LONG_SIDE px on the long side, plus a THUMB_LONG_SIDE px thumbnail. The upload
  itself is never kept. Phones on slow links load the small files.
- Documents (the signed agreement scan, evidence of a done item): a PDF (checked by its header
  and end marker, stored as sent, its own metadata included) or an image (stored like a photo,
  but larger, so a scan stays legible). Photos of several signed pages are joined into one PDF.

Memory: the pixel count is checked from the header before anything is decoded. A JPEG is decoded
by libjpeg at 1/2, 1/4 or 1/8 scale, no larger than needed; other formats are decoded whole (about
4 bytes a pixel, so the pixel limit bounds it), then resized a band of rows at a time, so no
second full-size copy is made. Files are handled one after the other and only the small encoded
results are kept, so a request with twenty photos needs no more than one (a test in
tests/workshops/test_images.py measures the peak).
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, PdfParser, UnidentifiedImageError

PHOTO_LONG_SIDE = 1600
THUMB_LONG_SIDE = 400
SCAN_LONG_SIDE = 3508  # an A4 page at 300 dpi
SCAN_RESOLUTION = 200  # dpi of the pages of a joined PDF: a phone photo of A4 prints about A4
JPEG_QUALITY = 80
SCAN_JPEG_QUALITY = 85
BAND_PIXELS = 2_000_000  # pixels resized at a time: about 8 MB besides the decoded image

IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"
DOCUMENT_ACCEPT = f"application/pdf,{PHOTO_ACCEPT}"
PDF_CONTENT_TYPE = "application/pdf"

ORIENTATION = 0x0112
_UPRIGHT = {  # EXIF orientation -> what turns the pixels upright (as ImageOps.exif_transpose)
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class StoredPhoto:
    """A photo ready to store: the resized image and its thumbnail, both JPEG."""

    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def max_upload_bytes() -> int:
    """The largest file accepted (setting `SIMPUL_UPLOAD_MAX_BYTES`)."""
    return settings.SIMPUL_UPLOAD_MAX_BYTES


def max_files() -> int:
    """The most photos or scanned pages in one upload (setting `SIMPUL_UPLOAD_MAX_FILES`)."""
    return settings.SIMPUL_UPLOAD_MAX_FILES


def display_name(upload) -> str:
    """The file's name as the user picked it (without any folder)."""
    return os.path.basename(getattr(upload, "name", "") or "") or _("(no name)")


def _refuse(upload, problem: str, code: str) -> ValidationError:
    return ValidationError(
        _("%(file)s: %(problem)s") % {"file": display_name(upload), "problem": problem}, code=code
    )


def check_size(upload) -> None:
    """Refuse empty files and files over the upload limit."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if not size:
        raise _refuse(upload, _("the file is empty."), "empty")
    if size > max_upload_bytes():
        raise _refuse(
            upload,
            _("the file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_upload_bytes())},
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


def _too_many_pixels(upload, *, width: int | None = None, height: int | None = None):
    limit = settings.SIMPUL_IMAGE_MAX_PIXELS // 1_000_000
    if width is None:  # Pillow's own bomb check fired before we saw the size
        problem = _("the image has too many pixels; the limit is %(limit)s megapixels.")
    else:
        problem = _(
            "the image is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels."
        )
    return _refuse(
        upload,
        problem % {"width": width, "height": height, "limit": limit},
        "too_many_pixels",
    )


def _opened(upload) -> ImageFile.ImageFile:
    """The image with only its header read; refused if it is not a JPEG, PNG or WebP or has more
    pixels than the limit, so a decompression bomb is never decoded."""
    not_image = _("this is not a JPEG, PNG or WebP photo.")
    upload.seek(0)
    try:
        image = Image.open(upload, formats=IMAGE_FORMATS)
    except Image.DecompressionBombError as error:
        raise _too_many_pixels(upload) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise _refuse(upload, not_image, "not_image") from error
    width, height = image.size
    if width * height > settings.SIMPUL_IMAGE_MAX_PIXELS:
        raise _too_many_pixels(upload, width=width, height=height)
    return image


def _draft_box(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    """The smallest size that still covers `long_side` on the long side, keeping the shape."""
    width, height = size
    ratio = long_side / max(width, height)
    return max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio))


def _flat_rgb(image: Image.Image) -> Image.Image:
    """Plain RGB, transparency flattened on white; an RGB image itself (no copy)."""
    if image.mode == "RGB" and "transparency" not in image.info:
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _resized_rgb(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`image` as RGB at `size` (LANCZOS), transparency flattened on white. Done a band of rows
    at a time, each cut with the filter's reach around it so the bands join without a seam: no
    second full-size copy of a large image is ever made."""
    width, height = image.size
    out_width, out_height = size
    scale = height / out_height
    reach = math.ceil(3 * max(scale, 1)) + 1  # LANCZOS reads 3 output pixels each side
    out_rows = max(1, int(BAND_PIXELS / width / max(scale, 1)))
    resized = Image.new("RGB", size)
    for out_top in range(0, out_height, out_rows):
        out_bottom = min(out_height, out_top + out_rows)
        top, bottom = out_top * scale, out_bottom * scale
        cut_top, cut_bottom = (
            max(0, math.floor(top) - reach),
            min(height, math.ceil(bottom) + reach),
        )
        band = _flat_rgb(image.crop((0, cut_top, width, cut_bottom)))
        box = (0, top - cut_top, width, bottom - cut_top)
        resized.paste(
            band.resize((out_width, out_bottom - out_top), Image.Resampling.LANCZOS, box=box),
            (0, out_top),
        )
        del band  # before the next band is cut
    return resized


def _in_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Colours of a wide-gamut photo (Display P3, Adobe RGB) moved to sRGB, since the profile
    itself is not stored; a profile that cannot be read is ignored."""
    if not icc_profile:
        return image
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if profile.profile.xcolor_space.strip() != "RGB":
            return image  # a CMYK or grey profile no longer fits pixels converted to RGB
        return ImageCms.profileToProfile(image, profile, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def _pixels(upload, *, long_side: int) -> Image.Image:
    """The upload's pixels alone: upright, RGB in sRGB, at most `long_side` px on the long side,
    with no metadata left to copy into what is stored. The decoded full-size image lives only in
    this function: it is released when the small one is returned."""
    image = _opened(upload)
    try:
        if image.format == "JPEG":
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale: far less memory for a large photo.
            image.draft("RGB", _draft_box(image.size, long_side))
        with _refusing_truncated_images():
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise _refuse(upload, _("the image is damaged or incomplete."), "broken") from error
    try:
        orientation = image.getexif().get(ORIENTATION)
    except Exception:  # noqa: BLE001 (broken EXIF only costs the orientation)
        orientation = None
    icc_profile = image.info.get("icc_profile")
    if max(image.size) > long_side:
        small = _resized_rgb(image, _draft_box(image.size, long_side))
    else:
        small = _flat_rgb(image)
    del image
    if orientation in _UPRIGHT:
        small = small.transpose(_UPRIGHT[orientation])
    small = _in_srgb(small, icc_profile)
    small.info = {}  # JPEG's encoder copies a comment from here; nothing else may travel
    return small


def _jpeg(image: Image.Image, *, quality: int, name: str) -> ContentFile:
    """JPEG bytes of pixels from `_pixels`: saved without exif=, icc_profile=, xmp= or comment=,
    so the file holds no metadata."""
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    content = ContentFile(buffer.getvalue(), name=name)
    content.image_size = image.size
    return content


def _stem(upload) -> str:
    stem = os.path.splitext(display_name(upload))[0]
    return (get_valid_filename(stem) or "file")[:60]


def photo_from_upload(upload) -> StoredPhoto:
    """Check one uploaded photo and prepare what is stored; raises a ValidationError naming it."""
    check_size(upload)
    image = _pixels(upload, long_side=PHOTO_LONG_SIDE)
    stem = _stem(upload)
    photo = _jpeg(image, quality=JPEG_QUALITY, name=f"{stem}.jpg")
    image.thumbnail((THUMB_LONG_SIDE, THUMB_LONG_SIDE), Image.Resampling.LANCZOS)
    thumb = _jpeg(image, quality=JPEG_QUALITY, name=f"{stem}-t.jpg")
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


def _scan_page(upload) -> ContentFile:
    """A photo of a page as a JPEG large enough to read, or a refusal."""
    try:
        image = _pixels(upload, long_side=SCAN_LONG_SIDE)
    except ValidationError as error:
        if error.code == "not_image":
            raise _refuse(
                upload, _("this is not a PDF or a JPEG, PNG or WebP image."), "not_document"
            ) from error
        raise
    return _jpeg(image, quality=SCAN_JPEG_QUALITY, name=f"{_stem(upload)}.jpg")


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
    return _scan_page(upload)


def _pdf_of_pages(pages: Sequence[ContentFile]) -> bytes:
    """One PDF page per JPEG, the JPEG bytes embedded as they are (DCTDecode): no page is decoded
    again, and the file has no document information (title, dates)."""
    buffer = io.BytesIO()
    pdf = PdfParser.PdfParser(f=buffer, mode="w+b")
    pdf.start_writing()
    pdf.write_header()
    page_refs = [pdf.next_object_id(0) for _page in pages]
    contents_refs = [pdf.next_object_id(0) for _page in pages]
    pdf.pages.extend(page_refs)
    pdf.write_catalog()
    name = PdfParser.PdfName
    for page, page_ref, contents_ref in zip(pages, page_refs, contents_refs, strict=True):
        width, height = page.image_size
        page.seek(0)
        image_ref = pdf.write_obj(
            None,
            stream=page.read(),
            Type=name("XObject"),
            Subtype=name("Image"),
            Width=width,
            Height=height,
            Filter=name("DCTDecode"),
            BitsPerComponent=8,
            ColorSpace=name("DeviceRGB"),
        )
        points = (width * 72.0 / SCAN_RESOLUTION, height * 72.0 / SCAN_RESOLUTION)
        pdf.write_page(
            page_ref,
            Resources=PdfParser.PdfDict(
                ProcSet=[name("PDF"), name("ImageC")], XObject=PdfParser.PdfDict(image=image_ref)
            ),
            MediaBox=[0, 0, *points],
            Contents=contents_ref,
        )
        pdf.write_obj(contents_ref, stream=b"q %f 0 0 %f 0 0 cm /image Do Q\n" % points)
    pdf.write_xref_and_trailer()
    return buffer.getvalue()


def scan_from_uploads(uploads: Sequence) -> ContentFile:
    """The signed agreement from what was picked: one PDF or image (as `document_from_upload`),
    or photos of several pages joined into one PDF in the order given. Pages are decoded one at a
    time and only their JPEG bytes kept. Raises a ValidationError listing every bad file."""
    if len(uploads) == 1:
        return document_from_upload(uploads[0])
    if len(uploads) > max_files():
        raise ValidationError(
            _("Send at most %(count)s pages; a PDF can hold more.") % {"count": max_files()}
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
            pages.append(_scan_page(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return ContentFile(_pdf_of_pages(pages), name=f"{_stem(uploads[0])}.pdf")


def is_pdf_name(name: str) -> bool:
    """Whether a stored document is a PDF (stored names end in .pdf or .jpg, see above)."""
    return name.lower().endswith(".pdf")
