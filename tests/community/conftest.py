import pytest


@pytest.fixture(autouse=True)
def _community_standards(spm_catalogue):
    """The criteria, skills and indicators the community migration loads, reloaded when a
    transactional test on the same worker flushed them (tests run in random order)."""
