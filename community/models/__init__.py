from .cadres import Cadre, SkillAssessment, TrainingAttendance  # noqa: F401
from .indicators import IndicatorResult, IndicatorSet, IndicatorTarget, UkbmIndicator  # noqa: F401
from .reviews import PosyanduReview, VillageReview  # noqa: F401
from .standards import (  # noqa: F401
    CadreLevel,
    Criterion,
    LevelRule,
    Skill,
    SkillGroup,
    SkillSet,
    Stratum,
    UkbmStandard,
)
