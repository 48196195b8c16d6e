"""Models of the kernel: regions, organisation, users, edits, the audit log and import jobs."""

from .areas import (  # noqa: F401
    AreaOwned,
    District,
    Province,
    RegionPopulation,
    Subdistrict,
    Village,
)
from .audit import AuditEvent  # noqa: F401
from .edits import Reviewed, SubmittedForm, Versioned  # noqa: F401
from .finance import FundingSource  # noqa: F401
from .jobs import ExportJob, ImportJob  # noqa: F401
from .notifications import Notification  # noqa: F401
from .organisation import (  # noqa: F401
    HealthOffice,
    HealthOfficeUnit,
    PartnerOrganisation,
    Puskesmas,
    ServicePoint,
)
from .satusehat import FacilityProposal, SatusehatConnection  # noqa: F401
from .users import MentorAssignment, User  # noqa: F401
