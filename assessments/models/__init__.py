"""Assessments (issue #18): instruments as versioned data, the yearly puskesmas performance
assessment (PKP), planning-capacity mentoring of a district, supervision of health units."""

from .instruments import Instrument, Item, Level, Part, Rank, RankBand, Section  # noqa: F401
from .mentoring import (  # noqa: F401
    CapacityAssessment,
    CapacityScore,
    MentoringActivity,
    MentoringItem,
    MentoringVisit,
)
from .pkp import PkpAssessment, PkpScore, PkpServiceResult  # noqa: F401
from .supervision import SupervisionAction, SupervisionScore, SupervisionVisit  # noqa: F401
