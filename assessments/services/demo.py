"""The assessments' demo (issue #18): HSU's PKP of the year in various states, supervision
visits, and a planning mentor assigned to HSU with a baseline from the FGD, a plan and two
visits. Each part seeds its own records (demo_*.py); idempotent like every demo seeder."""

from __future__ import annotations

import importlib

from django.conf import settings
from django.utils import translation

PARTS = ("demo_supervision", "demo_pkp", "demo_mentoring")


def demo_seed() -> None:
    # The notes the data rules write ("11 monthly lokmin held") are stored words: in the
    # interface's default language, as a puskesmas filling its PKP would see them.
    with translation.override(settings.LANGUAGE_CODE):
        for name in PARTS:
            importlib.import_module(f"{__package__}.{name}").demo_seed()
