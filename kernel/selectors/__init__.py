"""Reads of the kernel for pages and exports, re-exported here. All start from in_area."""

from .accounts import user_list  # noqa: F401
from .audit import audit_history  # noqa: F401
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
