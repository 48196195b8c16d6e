"""Load, once in gunicorn's master, what Django otherwise loads on each worker's first request.

Django imports the URL conf (and, through it, every view and the API's pydantic schemas), reads
the translation catalogues of a language and compiles each template only when a request first
needs them: in a process that has just forked, that first request pays 0.4-0.8 s. gunicorn's
workers are forked from the master (`preload_app`) and recycled every `max_requests`, so without
this every new worker made one person wait, and spent that CPU again. Run in the master before
the workers fork (config/gunicorn.py, `when_ready`), all of it is inherited.

Nothing here touches the database or the cache; connections are closed at the end anyway, so
no forked worker shares a socket with another.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.template import TemplateSyntaxError, engines
from django.template.backends.django import DjangoTemplates
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver
from django.utils import translation

TEMPLATE_SUFFIXES = (".html", ".txt", ".xml", ".svg", ".js")


def _template_names(directories: list[Path]) -> list[str]:
    """Every template file under the directories, by the name a loader finds it by; the first
    directory that holds a name wins, as with the loaders."""
    names: dict[str, None] = {}
    for directory in directories:
        for path in sorted(directory.rglob("*")):
            if path.suffix in TEMPLATE_SUFFIXES and path.is_file():
                names.setdefault(path.relative_to(directory).as_posix(), None)
    return list(names)


def templates_compile() -> tuple[int, int]:
    """Compile every template of the Django engines into their cached loaders; (compiled,
    skipped: fragments that do not compile on their own)."""
    compiled = skipped = 0
    for backend in engines.all():
        if not isinstance(backend, DjangoTemplates):
            continue
        directories = [Path(d) for d in backend.engine.dirs]
        if backend.engine.app_dirs:
            directories += [Path(d) for d in get_app_template_dirs("templates")]
        for name in _template_names(directories):
            try:
                backend.engine.get_template(name)
            except (TemplateSyntaxError, LookupError, UnicodeDecodeError, OSError):
                skipped += 1  # a file that is not a template, or a fragment needing a parent
            else:
                compiled += 1
    return compiled, skipped


def warm_up() -> dict[str, float | int]:
    """URL conf and reverse maps per language, translation catalogues, templates; returns what
    was done and the seconds it took (gunicorn logs it)."""
    started = time.perf_counter()
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # loads the catalogue; reverse maps are per language
            resolver.reverse_dict  # noqa: B018  (populates the resolver for this language)
    compiled, skipped = templates_compile()
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    caches.close_all()
    return {
        "templates": compiled,
        "skipped": skipped,
        "seconds": round(time.perf_counter() - started, 2),
    }
