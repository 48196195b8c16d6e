"""Writes of the kernel (regions, organisation, users), one module per part, re-exported here."""

from .organisation import (  # noqa: F401
    partner_save,
    puskesmas_save,
    service_point_delete,
    service_point_headers,
    service_point_save,
    service_point_template,
    unit_delete,
    unit_save,
)
from .regions import (  # noqa: F401
    parse_population,
    parse_regions,
    population_import,
    regions_import,
    regions_import_file,
)
from .users import user_save  # noqa: F401
