"""PDFs from our own templates (WeasyPrint): a PDF fetches only Simpul's own static files,
from disk, never the network (slow links, and no surprise dependencies)."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


def static_file(name: str) -> Path | None:
    """The file on disk behind a static name: the source file, else the collected one (hashed
    names exist only there)."""
    if not name or ".." in name.split("/") or name.startswith("/"):
        return None
    try:
        found = finders.find(name)
        if found:
            return Path(found)
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (SuspiciousFileOperation, NotImplementedError, ValueError):
        return None
    return None


class StaticFilesOnly(URLFetcher):
    """Serves WeasyPrint our own static files from disk and refuses every other URL."""

    def __init__(self, base_url: str) -> None:
        super().__init__(timeout=1, allowed_protocols=("http", "https", "data"))
        base = urlsplit(base_url)
        self.origin = (base.scheme, base.netloc)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):  # inline images in stylesheets: no network involved
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self.origin or not parts.path.startswith(
            settings.STATIC_URL
        ):
            raise ValueError(f"Only Simpul's own static files are fetched, not {url}")
        path = static_file(unquote(parts.path[len(settings.STATIC_URL) :]))
        if path is None or not path.is_file():
            raise ValueError(f"No such static file: {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def pdf_from_html(html: str, *, base_url: str) -> bytes:
    """A PDF of `html`; relative links resolve against `base_url`, served by StaticFilesOnly."""
    return HTML(string=html, base_url=base_url, url_fetcher=StaticFilesOnly(base_url)).write_pdf()
