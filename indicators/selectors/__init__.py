"""Reads for pages and exports, one module per part, re-exported here. All start from in_area."""

from .organisation import (  # noqa: F401
    area_summary,
    district_list,
    partner_list,
    puskesmas_get,
    puskesmas_list,
    puskesmas_villages,
    service_point_list,
    subdistrict_list,
    unit_list,
    village_list,
)
from .reports import (  # noqa: F401
    completeness_by_district,
    report_entry,
    report_history,
    report_list,
    report_matrix,
)
