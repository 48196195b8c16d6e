"""The apps import one way: kernel <- indicators <- workshops <- planning (STYLE.md §1, issue
#12). The contracts live in pyproject.toml ([tool.importlinter]); `make lint` runs them too."""

from pathlib import Path

from django.conf import settings
from importlinter.cli import lint_imports


def test_apps_import_one_way_through_the_kernel(monkeypatch):
    monkeypatch.chdir(Path(settings.BASE_DIR))
    assert lint_imports(config_filename="pyproject.toml", no_cache=True) == 0
