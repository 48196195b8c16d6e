"""Middleware: the language, hostile input, no caching of logged-in pages, and compression.

Language: Bahasa Indonesia unless the user chose English (STYLE.md §7). Django's LocaleMiddleware
would follow the browser's Accept-Language, and many phones in Indonesia are set to English;
Simpul's users expect Indonesian until they switch.
"""

import re
import secrets
from collections.abc import Iterator

import brotli
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import QueryDict
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in self.languages:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", code)
        return response


# Control characters no form or link of Simpul sends: C0 except tab, line feed and carriage return,
# and DEL. PostgreSQL refuses NUL in text, so one in a query would end in a 500.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
OTHER_CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _keys_and_values(data) -> Iterator[str]:
    for key, values in data.lists():
        yield key
        yield from (value for value in values if isinstance(value, str))


class HostileInputMiddleware:
    """Refuse with a 400 page what no Simpul page sends: a control character in the query
    string, or a NUL (or a control character in a field name) in a posted form. Other control
    characters in posted values (pasted from a word processor) are removed, so forms see clean
    text. Runs before sessions and CSRF read anything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(CONTROL_CHARACTERS.search(text) for text in _keys_and_values(request.GET)):
            raise BadRequest("control character in the query string")
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            post = request.POST
            if any("\x00" in text for text in _keys_and_values(post)) or any(
                CONTROL_CHARACTERS.search(key) for key in post
            ):
                raise BadRequest("control character in a posted form")
            if any(OTHER_CONTROL_CHARACTERS.search(text) for text in _keys_and_values(post)):
                cleaned = QueryDict(mutable=True)
                for key, values in post.lists():
                    cleaned.setlist(key, [OTHER_CONTROL_CHARACTERS.sub("", v) for v in values])
                cleaned._mutable = False
                request.POST = cleaned
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and downloads of a logged-in user are never kept by the browser or a proxy
    (`Cache-Control: no-store`), unless the view chose its own caching. A shared phone's back
    button or a proxy must not show one user's data to the next. Static files are served by
    WhiteNoise before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


# Brotli quality for pages made per request: 5 makes them 7-16 % smaller than gzip -6 (monthly entry
# page, 78 KB: 5.5 KB against 6.6 KB) in a few ms, as gzip; 11, right for static files collected
# once, takes a hundred times longer per page.
BROTLI_QUALITY = 5
# As Django's GZipMiddleware: up to 100 random bytes make each response's length vary (BREACH).
MAX_RANDOM_BYTES = 100
MIN_LENGTH = 200


def _accepted_encodings(header: str) -> set[str]:
    """Content codings the client accepts (`br;q=0` is a refusal, RFC 9110 §12.5.3)."""
    accepted = set()
    for item in header.split(","):
        coding, _, params = item.strip().partition(";")
        quality = re.search(r"q\s*=\s*([0-9.]+)", params)
        if coding and not (quality and float(quality.group(1) or 0) == 0):
            accepted.add(coding.strip().lower())
    return accepted


def _metadata_block(data: bytes) -> bytes:
    """A brotli metadata meta-block holding 1-256 bytes (RFC 7932 §9.2), decoders skip it.
    Bits, least significant first: ISLAST 0, MNIBBLES 0 (coded 3), reserved 0, MSKIPBYTES 1,
    MSKIPLEN - 1 on 8 bits, zeros to the byte's end; then the bytes."""
    assert 1 <= len(data) <= 256
    skip = len(data) - 1
    return bytes([(3 << 1) | (1 << 4) | ((skip & 3) << 6), skip >> 2]) + data


def brotli_compress(data: bytes, *, max_random_bytes: int = MAX_RANDOM_BYTES) -> bytes:
    """`data` in brotli with a metadata block of 1 to `max_random_bytes` random bytes after the
    stream header: the brotli twin of the random gzip file name Django writes for the same
    reason ("Heal the Breach", Paulsen et al., 2020), so an attacker cannot read a secret from
    the length of compressed pages. The library writes no metadata, but a flush before any data
    ends the stream header on a byte boundary, where a block of our own can go."""
    compressor = brotli.Compressor(mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY)
    header = compressor.flush()
    padding = b""
    if max_random_bytes:
        padding = _metadata_block(secrets.token_bytes(1 + secrets.randbelow(max_random_bytes)))
    return header + padding + compressor.process(data) + compressor.finish()


class CompressionMiddleware:
    """Pages in brotli when the browser accepts it, gzip otherwise (Django's GZipMiddleware,
    whose place in MIDDLEWARE this takes). Like it: short responses, responses already encoded
    and (here) streaming responses (files, already compressed) are left as they are; the length
    is padded at random against BREACH; `Vary: Accept-Encoding`; a strong ETag becomes weak."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming or len(response.content) < MIN_LENGTH:
            return response
        if response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        accepted = _accepted_encodings(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        if "br" in accepted:
            encoding, compressed = "br", brotli_compress(response.content)
        elif "gzip" in accepted:
            encoding = "gzip"
            compressed = compress_string(response.content, max_random_bytes=MAX_RANDOM_BYTES)
        else:
            return response
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag  # RFC 9110 §8.8.1, as Django's gzip does
        response.headers["Content-Encoding"] = encoding
        return response
