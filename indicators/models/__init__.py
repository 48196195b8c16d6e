"""Models of SPM data; one module per part, re-exported here."""

from .achievement import (  # noqa: F401
    Achievement,
    AggregationRun,
    IndexBand,
    IndexWeight,
    Level,
    QuarterServiceNote,
    ReportingRate,
)
from .quality import (  # noqa: F401
    IndexParts,
    QualityItem,
    QualityReport,
    QualityValue,
)
from .reports import (  # noqa: F401
    MonthlyReport,
    MonthlyValue,
    UnlockRequest,
    ValueChange,
)
from .spm import (  # noqa: F401
    AgeBand,
    EstimateRule,
    ReportingYear,
    SPMEdition,
    SPMService,
    Target,
    TargetApproval,
    VillagePopulation,
)
