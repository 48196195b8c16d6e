"""The SPM application cycle (issue #16): the four stages worksheet per district, service and
year, and who does what across agencies (the role matrix and data requests)."""

from .roles import DataRequest, RoleAssignment  # noqa: F401
from .stages import IntegrationLine, NeedLine, StageSheet  # noqa: F401
