"""The Bahasa Indonesia catalogue is whole and its compiled .mo matches the .po (STYLE.md §7)."""

from pathlib import Path

import polib
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"


def test_indonesian_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = polib.pofile(str(PO))
    gaps = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not gaps, f"Untranslated in {PO.name}: {gaps[:20]} (run `make messages`, translate)"
    assert not fuzzy, f"Fuzzy in {PO.name}: {fuzzy[:20]}"


def test_compiled_catalogue_matches_the_po_file():
    catalogue = polib.pofile(str(PO))
    compiled = polib.mofile(str(PO.with_suffix(".mo")))
    expected = {e.msgid: e.msgstr for e in catalogue.translated_entries() if not e.msgid_plural}
    actual = {e.msgid: e.msgstr for e in compiled if not e.msgid_plural and e.msgid}
    assert actual == expected, "Run `make messages` (or manage.py compile_translations) and commit"


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(PO)).translated_entries():
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            for token in ("%(", "{{", "{%"):
                assert entry.msgid.count(token) == text.count(token), entry.msgid
