"""What other apps add to the nightly aggregation (indicators.tasks.aggregate_recent_quarters):
functions without arguments, called after the SPM quarters are rebuilt. An app appends its own
once at import (e.g. community.tasks: the UKBM indicators); indicators imports no other app."""

from __future__ import annotations

from collections.abc import Callable

after_nightly: list[Callable[[], None]] = []


def register_after_nightly(hook: Callable[[], None]) -> Callable[[], None]:
    """Add `hook` once (a module imported twice does not run it twice); usable as a decorator."""
    if hook not in after_nightly:
        after_nightly.append(hook)
    return hook
