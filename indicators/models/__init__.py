"""Models of areas, organisation and SPM data; one module per part, re-exported here."""

from .achievement import (  # noqa: F401
    Achievement,
    AggregationRun,
    IndexBand,
    IndexWeight,
    Level,
    QuarterServiceNote,
    ReportingRate,
)
from .areas import (  # noqa: F401
    AreaOwned,
    District,
    HealthOffice,
    HealthOfficeUnit,
    PartnerOrganisation,
    Province,
    Puskesmas,
    RegionPopulation,
    ServicePoint,
    Subdistrict,
    User,
    Village,
)
from .audit import AuditEvent  # noqa: F401
from .edits import SubmittedForm, Versioned  # noqa: F401
from .finance import FundingSource  # noqa: F401
from .reports import (  # noqa: F401
    ImportJob,
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
