import pytest


@pytest.fixture(autouse=True)
def _instruments(spm_catalogue):
    """The shipped instrument editions (assessments 0002), reloaded by `spm_catalogue` when a
    transactional test on the same worker flushed them (tests run in random order)."""
