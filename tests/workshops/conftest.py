"""Fixtures shared by the meetings tests: a lokmin of the HSU puskesmas and a district forum."""

import pytest
from django.utils import translation

from tests.factories import MeetingFactory


@pytest.fixture
def lokmin(world, puskesmas_head):
    """A quarterly cross-sector lokmin of the Hulu Sungai Utara puskesmas, still planned."""
    return MeetingFactory(puskesmas=world["hsu"]["puskesmas"], created_by=puskesmas_head)


@pytest.fixture
def forum(world, district_user):
    """A cross-sector forum of the Hulu Sungai Utara district, still planned."""
    return MeetingFactory(
        title="Forum lintas sektor kabupaten",
        kind="district_forum",
        puskesmas=None,
        district=world["hsu"]["district"],
        created_by=district_user,
    )


@pytest.fixture(autouse=True)
def english_messages():
    """Service messages in English, whatever an earlier request left active (pages still follow
    the language cookie)."""
    with translation.override("en"):
        yield
