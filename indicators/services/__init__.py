"""Writes to areas and organisation. Each module holds one part; import from here."""

from .organisation import (  # noqa: F401
    partner_save,
    puskesmas_save,
    service_point_delete,
    service_point_headers,
    service_point_save,
    service_point_template,
    service_points_import,
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
from .reports import (  # noqa: F401
    CellInput,
    CellProblem,
    SaveResult,
    monthly_services,
    parse_cells,
    report_approve,
    report_lock,
    report_open,
    report_return,
    report_save,
    report_submit,
    report_unlock,
    report_warnings,
    reporting_year,
    unlock_request_create,
    unlock_request_decide,
    working_area,
)
