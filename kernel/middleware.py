"""Middleware: the language, hostile input, and no caching of logged-in pages.

Language: Bahasa Indonesia unless the user chose English (STYLE.md §7). Django's LocaleMiddleware
would follow the browser's Accept-Language, and many phones in Indonesia are set to English;
Simpul's users expect Indonesian until they switch.
"""

import re
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import QueryDict
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
