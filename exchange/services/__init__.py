"""DHIS2 data exchange: the mapping (mapping.py), the export of monthly values as a data value
set or ADX (export.py) and their import through the import pipeline (importing.py)."""

from .export import (  # noqa: F401
    Dhis2Value,
    ExportResult,
    adx_period,
    as_adx,
    as_json,
    dhis2_period,
    dhis2_values,
)
from .mapping import (  # noqa: F401
    Mapping,
    elements_save,
    mapping_of,
    org_units_save,
    profile_of,
    profile_save,
)
