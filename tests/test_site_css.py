"""css/site.css: the Bootstrap Simpul's pages use plus our own stylesheet, built from the installed
package (kernel/staticbuild.py, issue #13). Nothing a template asks for may go missing."""

import re
from pathlib import Path

import brotli
import tinycss2
from django.contrib.staticfiles import finders

from kernel import staticbuild
from kernel.staticbuild import Vocabulary, reduce_css

CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)


class _Everything(Vocabulary):
    def has(self, name: str) -> bool:
        return True


EVERYTHING = _Everything(frozenset(), ())


def _classes_in(css: str) -> set[str]:
    return {name.replace("\\", "") for name in staticbuild.CLASS.findall(css)} - {""}


def _bootstrap() -> str:
    return Path(finders.find(staticbuild.BOOTSTRAP_CSS)).read_text()


def _site_css() -> str:
    return Path(finders.find(staticbuild.SITE_CSS)).read_text()


def _selectors(css: str) -> set[str]:
    selectors = set()
    for rule in staticbuild._walk(staticbuild._rules(tinycss2.parse_stylesheet(css), EVERYTHING)):
        if rule.declarations is not None:
            selectors.update(staticbuild._split_selectors(rule.prelude))
    return selectors


def test_every_bootstrap_rule_for_classes_templates_name_is_in_the_site_stylesheet():
    named: set[str] = set()
    for path in staticbuild.source_files():
        if path.suffix == ".html":
            for value in CLASS_ATTRIBUTE.findall(path.read_text()):
                named.update(TEMPLATE_CODE.sub(" ", value).split())
    site = _selectors(_site_css())
    expected = set()
    for selector in _selectors(_bootstrap()):
        classes = _classes_in(staticbuild._unnested(selector))
        if classes and classes <= named and "[" not in selector:
            expected.add(selector)

    assert {"table-responsive", "form-control", "btn", "nav-link"} <= named  # the scan works
    assert ".btn-outline-secondary" in expected
    assert not expected - site


def test_classes_built_at_run_time_are_kept():
    """From Python (table badges), template prefixes (`alert-{{ level }}`) and crispy's tags."""
    site = _classes_in(_site_css())
    for name in [
        "text-bg-success",  # workshops/views/district.py
        "text-bg-light",
        "alert-success",  # base.html: alert-{{ message.level_tag }}
        "alert-warning",
        "alert-info",
        "form-control",  # crispy_forms_field adds it in Python
        "form-select",
        "is-invalid",
        "invalid-feedback",
        "d-md-table-cell",  # kernel/tables.py
    ]:
        assert name in site, name


def test_the_site_stylesheet_is_a_fraction_of_bootstrap_and_ends_with_ours():
    site, own = _site_css(), Path(finders.find(staticbuild.OWN_CSS)).read_text()

    assert site.startswith('@charset "UTF-8";/*!') and "Bootstrap" in site[:200]  # licence
    # Ours comes last, without its comments: it overrides Bootstrap as before. Then the page
    # stylesheets folded in, so those pages load one stylesheet.
    folded = [Path(finders.find(name)).read_text() for name in staticbuild.FOLDED_CSS]
    ours = "".join(staticbuild.without_comments(css) for css in [own, *folded])
    assert site.endswith(ours) and "/*" not in ours
    assert ".index-value" in ours and "Simpul's own styles" not in site
    assert len(site) - len(ours) < len(_bootstrap()) / 3
    # A phone waits for it before the first paint: compressed as WhiteNoise serves it, it fits
    # the first round trip of a new connection (10 segments of 1,460 bytes, headers included).
    assert len(brotli.compress(site.encode(), quality=11)) <= 13_600
    assert "accordion" not in _classes_in(site)  # no page has one


def test_reduce_keeps_what_is_used_and_drops_the_rest():
    css = """/*! licence */
    :root { --used: 1px; --chained: var(--used); --unused: 2px; }
    body { margin: 0; }
    .keep, .drop { padding: var(--chained); animation: spin 1s; }
    .keep:not(.never-used) { color: red; }
    .drop { color: blue; }
    .keep[data-unknown] { color: green; }
    .pre-fix { color: teal; }
    @media (min-width: 10px) { .drop { margin: 0; } .keep { margin: 1px; } }
    @keyframes spin { to { transform: rotate(1turn); } }
    @keyframes unused { to { opacity: 0; } }
    """
    used = Vocabulary(frozenset({"keep"}), ("pre-",))

    reduced = reduce_css(css, used)

    assert reduced.startswith("/*! licence */")
    assert "body{margin:0}" in reduced
    assert ".keep{padding:var(--chained);animation:spin 1s}" in reduced
    assert ".keep:not(.never-used){color:red}" in reduced
    assert ".pre-fix{color:teal}" in reduced
    assert "@media (min-width: 10px){.keep{margin:1px}}" in reduced
    assert "--used:1px" in reduced and "--chained:var(--used)" in reduced
    for gone in (".drop", "--unused", "data-unknown", "@keyframes unused"):
        assert gone not in reduced
    assert "@keyframes spin" in reduced


def test_vocabulary_reads_words_and_the_prefixes_templates_complete(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<div class="alert alert-{{ level }} badge status-{% if x %}a{% endif %}"></div>'
        "<script>el.className = 'is-' + state; el.classList.add(`x-${y}`)</script>"
    )
    module = tmp_path / "views.py"
    module.write_text('badge = f"text-bg-{band}"\n')

    used = staticbuild.vocabulary([page, module])

    assert {"alert", "badge"} <= used.words
    assert {"alert-", "status-", "is-", "x-", "text-bg-"} <= set(used.prefixes)
    assert used.has("alert-danger") and not used.has("accordion")


def test_the_stylesheet_is_built_again_when_a_template_starts_using_a_class(settings, tmp_path):
    settings.SIMPUL_STATIC_BUILD_DIR = tmp_path / "build"
    templates = tmp_path / "templates"
    templates.mkdir()
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [templates]}]
    before = staticbuild.site_css_build().read_text()
    (templates / "new.html").write_text('<div class="accordion"><b class="accordion-body">')

    after = staticbuild.site_css_build().read_text()

    assert ".accordion-body{" not in before
    assert ".accordion-body{" in after
