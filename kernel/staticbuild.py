"""Simpul's one stylesheet, `css/site.css`: the part of the installed Bootstrap that Simpul's
templates, Python and JS use, followed by our own `css/simpul.css`.

Why: Bootstrap's full stylesheet (230 KB, 31 KB compressed) blocks a cheap phone's first paint
for over a second at 400 kbps, and most of it styles components Simpul never shows. The file is
built, never committed (STYLE.md §8: no copied third-party files): a staticfiles finder gives
it to `collectstatic` (hashed and compressed by WhiteNoise like any other file) and to the
development and test servers, and builds it again when a template, a Python module or the
Bootstrap package changes.

What is kept: every rule whose selectors name only classes (and attributes) that appear as a word
in the scanned sources (our templates, Python and JS; crispy-forms and its Bootstrap 5 pack,
which add classes from Python), or start with a prefix a template completes (`alert-{{ level }}`,
f"text-bg-{x}"); element selectors; custom properties some kept value reads; keyframes some kept
rule plays. A word that is not a class (a Python name, a sentence) only keeps more CSS, never less.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tinycss2
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

SITE_CSS = "css/site.css"
BOOTSTRAP_CSS = "js-lib-bootstrap5/css/bootstrap.min.css"
OWN_CSS = "css/simpul.css"
# Page stylesheets of pages a phone opens most (the dashboards and quarterly report's SPM index;
# the meeting papers), folded into site.css after ours: a second stylesheet in <head> costs a
# phone one more round trip (400 ms) before the first paint. They stay files of their own too
# (the PDFs load them without Bootstrap). The other page stylesheets stay separate: folding
# them all would push site.css past the 14 KB a new connection's first round trip carries.
FOLDED_CSS = ("css/index.css", "css/meetings.css")
# Simpul's own apps: every template, Python module, script and stylesheet.
OWN_APPS = ("kernel", "indicators", "workshops", "community", "planning", "assessments", "cycle")
SCANNED_SUFFIXES = {".html", ".txt", ".py", ".js", ".css"}
SKIPPED_DIRS = {"migrations", "__pycache__", "locale", "tests"}
# crispy-forms renders forms with crispy_bootstrap5's templates and adds classes in its template
# tags. The templates of layout objects (crispy_forms.bootstrap, crispy_bootstrap5.bootstrap5)
# count only once Simpul's code names the object: an accordion's CSS is no use before that.
CRISPY_TEMPLATES = ("crispy_bootstrap5", "templates")
CRISPY_TAGS = ("crispy_forms", "templatetags")
CRISPY_LAYOUT_TEMPLATES = {
    "accordion.html": "Accordion",
    "accordion-group.html": "AccordionGroup",
    "modal.html": "Modal",
    "floating_field.html": "FloatingField",
    "switch.html": "Switch",
    "tab.html": "TabHolder",
    "tab-link.html": "TabHolder",
    "alert.html": "Alert",
}

WORD = re.compile(r"[A-Za-z_][\w-]*")
# `alert-{{ level }}`, `status-{% ... %}`, f"text-bg-{band}", `is-${state}`, 'is-' + state
PREFIX = re.compile(r"([A-Za-z_][\w-]*-)(?=\{|\$\{|['\"`]\s*\+)")
CLASS = re.compile(r"\.((?:\\.|[\w-])+)")
ATTRIBUTE = re.compile(r"\[\s*([\w-]+)")
VAR = re.compile(r"var\(\s*(--[\w-]+)")
ANIMATION = re.compile(r"[\w-]+")


@dataclass(frozen=True)
class Vocabulary:
    """Words the sources use, and prefixes they complete at run time."""

    words: frozenset[str]
    prefixes: tuple[str, ...]

    def has(self, name: str) -> bool:
        return name in self.words or name.startswith(self.prefixes)


def _files(root: Path, suffixes: set[str]) -> Iterator[Path]:
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRS)
        yield from (Path(directory, n) for n in sorted(names) if Path(n).suffix in suffixes)


def own_files() -> list[Path]:
    """Simpul's templates, Python, scripts and stylesheets."""
    roots = [Path(d) for template in settings.TEMPLATES for d in template.get("DIRS", [])]
    roots += [Path(d) for d in settings.STATICFILES_DIRS]
    roots += [Path(apps.get_app_config(label).path) for label in OWN_APPS]
    files = {path for root in roots for path in _files(root, SCANNED_SUFFIXES)}
    return sorted(files - {Path(__file__)})  # this module names classes it does not use


def crispy_files(own_words: frozenset[str]) -> list[Path]:
    """The crispy-forms templates and tags that render Simpul's forms."""
    app, folder = CRISPY_TEMPLATES
    templates = _files(Path(apps.get_app_config(app).path) / folder, {".html"})
    app, folder = CRISPY_TAGS
    tags = _files(Path(apps.get_app_config(app).path) / folder, {".py"})
    return [
        path
        for path in [*templates, *tags]
        if CRISPY_LAYOUT_TEMPLATES.get(path.name, "crispy") in own_words | {"crispy"}
    ]


def source_files() -> list[Path]:
    """Every file whose words decide what survives, in a stable order."""
    own = own_files()
    return own + crispy_files(vocabulary(own).words)


def vocabulary(paths: Iterable[Path]) -> Vocabulary:
    words: set[str] = set()
    prefixes: set[str] = set()
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        words.update(WORD.findall(text))
        prefixes.update(PREFIX.findall(text))
    return Vocabulary(frozenset(words), tuple(sorted(prefixes)))


def _unnested(selector: str) -> str:
    """The selector without what its functional pseudo-classes and attribute tests hold:
    `.btn:not(.btn-check)` must not need `.btn-check` to be used."""
    depth, kept = 0, []
    for char in selector:
        if char in "([":
            depth += 1
        if depth == 0:
            kept.append(char)
        if char in ")]":
            depth -= 1
    return "".join(kept)


def selector_is_used(selector: str, used: Vocabulary) -> bool:
    classes = [name.replace("\\", "") for name in CLASS.findall(_unnested(selector))]
    attributes = ATTRIBUTE.findall(selector)  # an attribute's name is never built at run time
    return all(used.has(name) for name in classes) and all(a in used.words for a in attributes)


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in prelude:
        depth += char in "([" and 1 or char in ")]" and -1 or 0
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


@dataclass
class _Rule:
    """A style rule, an at-rule holding rules, or a statement kept as written."""

    prelude: str
    declarations: list[tuple[str, str]] | None = None  # (name, value) of a style rule
    children: list[_Rule] | None = None  # rules inside @media, @supports, @layer, @container
    text: str | None = None  # @keyframes, @font-face, @charset, ...: kept whole or dropped
    keyframes: str | None = None


def _declarations(content: list) -> list[tuple[str, str]]:
    kept = []
    for node in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if node.type == "declaration":
            value = tinycss2.serialize(node.value).strip()
            kept.append((node.name, value + ("!important" if node.important else "")))
    return kept


def _rules(nodes: list, used: Vocabulary) -> list[_Rule]:
    rules: list[_Rule] = []
    for node in nodes:
        if node.type == "qualified-rule":
            prelude = tinycss2.serialize(node.prelude).strip()
            selectors = [s for s in _split_selectors(prelude) if selector_is_used(s, used)]
            if selectors:
                rules.append(_Rule(",".join(selectors), declarations=_declarations(node.content)))
        elif node.type == "at-rule":
            prelude = f"@{node.at_keyword} {tinycss2.serialize(node.prelude).strip()}".strip()
            if (
                node.lower_at_keyword in {"media", "supports", "layer", "container"}
                and node.content
            ):
                children = _rules(tinycss2.parse_rule_list(node.content, True, True), used)
                if children:
                    rules.append(_Rule(prelude, children=children))
            elif node.lower_at_keyword == "keyframes":
                name = tinycss2.serialize(node.prelude).strip()
                body = tinycss2.serialize(node.content or [])
                rules.append(_Rule(prelude, text=f"{prelude}{{{body}}}", keyframes=name))
            else:
                rules.append(_Rule(prelude, text=tinycss2.serialize([node])))
    return rules


def _walk(rules: list[_Rule]) -> Iterator[_Rule]:
    for rule in rules:
        yield rule
        yield from _walk(rule.children or [])


def _prune(rules: list[_Rule], keep_property, keep_keyframes) -> list[_Rule]:
    kept = []
    for rule in rules:
        if rule.children is not None:
            rule.children = _prune(rule.children, keep_property, keep_keyframes)
            if not rule.children:
                continue
        if rule.declarations is not None:
            rule.declarations = [d for d in rule.declarations if keep_property(d[0])]
            if not rule.declarations:
                continue
        if rule.keyframes is not None and not keep_keyframes(rule.keyframes):
            continue
        kept.append(rule)
    return kept


def _serialize(rules: list[_Rule]) -> str:
    out = []
    for rule in rules:
        if rule.text is not None:
            out.append(rule.text)
        elif rule.children is not None:
            out.append(f"{rule.prelude}{{{_serialize(rule.children)}}}")
        else:
            body = ";".join(f"{name}:{value}" for name, value in rule.declarations or [])
            out.append(f"{rule.prelude}{{{body}}}")
    return "".join(out)


def reduce_css(css: str, used: Vocabulary, *, also_read: str = "") -> str:
    """`css` with only what `used` needs; `also_read` is CSS that follows it (custom properties
    and keyframes it reads are kept). `@charset` stays first, then the `/*! ... */` notice (the
    licence)."""
    notice = re.search(r"/\*!.*?\*/", css[:4000], re.DOTALL)
    rules = _rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), used)
    # Custom properties and keyframes: keep what a kept value (or our own CSS) reads, until
    # nothing more is added (a property may read another).
    declared = [d for rule in _walk(rules) for d in rule.declarations or []]
    reads = set(VAR.findall(also_read)) | {name for name in used.words if name.startswith("--")}
    values = [value for name, value in declared if not name.startswith("--")]
    reads |= {name for value in values for name in VAR.findall(value)}
    custom = [(name, value) for name, value in declared if name.startswith("--")]
    while True:
        more = {n for name, value in custom if name in reads for n in VAR.findall(value)} - reads
        if not more:
            break
        reads |= more
    played = {
        word
        for name, value in declared
        if name.startswith("animation") or name.startswith("--")
        for word in ANIMATION.findall(value)
    } | set(ANIMATION.findall(also_read))
    rules = _prune(
        rules,
        keep_property=lambda name: not name.startswith("--") or name in reads,
        keep_keyframes=lambda name: name in played,
    )
    charset = [rule.text for rule in rules if rule.prelude.startswith("@charset")]
    rules = [rule for rule in rules if not rule.prelude.startswith("@charset")]
    head = "".join(charset) + (notice.group(0) + "\n" if notice else "")
    return head + _serialize(rules) + "\n"


def _static_source(path: str) -> Path:
    """A static file from the finders other than this one (the installed package, static/)."""
    for finder in finders.get_finders():
        if isinstance(finder, SiteStylesheetFinder):
            continue
        found = finder.find(path)
        if found:
            return Path(found)
    raise FileNotFoundError(path)


def build_dir() -> Path:
    return Path(
        getattr(settings, "SIMPUL_STATIC_BUILD_DIR", Path(settings.BASE_DIR) / "var" / "build")
    )


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    return digest.hexdigest()


@cache
def _built(fingerprint: str) -> str:
    """The stylesheet's text for one state of its sources (remembered per process)."""
    sources = source_files()
    own = _static_source(OWN_CSS).read_text(encoding="utf-8")
    page_css = "".join(
        path.read_text(encoding="utf-8") for path in sources if path.suffix == ".css"
    )
    bootstrap = _static_source(BOOTSTRAP_CSS).read_text(encoding="utf-8")
    reduced = reduce_css(bootstrap, vocabulary(sources), also_read=own + page_css)
    ours = [own] + [_static_source(name).read_text(encoding="utf-8") for name in FOLDED_CSS]
    return reduced + "".join(without_comments(css) for css in ours)


def without_comments(css: str) -> str:
    """A stylesheet as written, less its comments (they are a sixth of ours, compressed)."""
    nodes = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=False)
    return tinycss2.serialize(nodes)


def site_css_build() -> Path:
    """Write `css/site.css` under the build directory if its sources changed; its path.
    Safe when several processes build at once (each writes its own file, then renames)."""
    crispy = [
        path
        for app, folder in (CRISPY_TEMPLATES, CRISPY_TAGS)
        for path in _files(Path(apps.get_app_config(app).path) / folder, SCANNED_SUFFIXES)
    ]
    inputs = [*own_files(), *crispy, _static_source(OWN_CSS), _static_source(BOOTSTRAP_CSS)]
    fingerprint = _fingerprint(inputs)
    target = build_dir() / SITE_CSS
    stamp = target.with_name(f".{target.name}.sources")
    if target.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return target  # built from these very sources (by this or another process)
    target.parent.mkdir(parents=True, exist_ok=True)
    for path, text in ((target, _built(fingerprint)), (stamp, fingerprint)):
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    return target


class SiteStylesheetFinder(BaseFinder):
    """Gives `css/site.css`, built (kernel.staticbuild), to collectstatic and to the development
    and test servers: listed in STATICFILES_FINDERS."""

    def check(self, **kwargs):
        try:
            _static_source(BOOTSTRAP_CSS)
        except FileNotFoundError:
            return [Error(f"{BOOTSTRAP_CSS} not found: is js_lib_bootstrap5 installed?")]
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != SITE_CSS:
            return [] if find_all else None
        built = str(site_css_build())
        return [built] if find_all else built

    def list(self, ignore_patterns):
        site_css_build()
        yield SITE_CSS, FileSystemStorage(location=build_dir())
