"""The assessments' demo (issue #18): HSU's PKP of the year in various states, supervision
visits, and a planning mentor assigned to HSU with a baseline from the FGD, a plan and two
visits. Each part seeds its own records (demo_*.py); idempotent like every demo seeder."""

from __future__ import annotations

import importlib

PARTS = ("demo_supervision", "demo_pkp", "demo_mentoring")


def demo_seed() -> None:
    for name in PARTS:
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError:  # a part not built yet
            continue
        module.demo_seed()
