"""Meetings (lokakarya mini, cross-sector forums) and what they produce; one module per part."""

from .meetings import (  # noqa: F401
    HEALTH_SECTOR,
    SECTOR_CHOICES,
    Meeting,
    Participant,
    Photo,
)
from .outcomes import (  # noqa: F401
    Commitment,
    FollowUp,
    MusrenbangProposal,
    Problem,
    RootCause,
    StatusUpdate,
    Tracked,
)
from .scores import ManagementScoreBand  # noqa: F401
