"""One router per part of the API (issue #19): each module here declares `router` (a ninja
Router with its tags) and `PREFIX` (where it mounts under /api/v1/); they are found by name, so a
new part is one new module."""

from __future__ import annotations

import importlib
import pkgutil

from ninja import Router


def _routers() -> list[tuple[str, Router]]:
    found = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, Router):
            found.append((module.PREFIX, router))
    return found


ROUTERS = _routers()
