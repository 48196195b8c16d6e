"""Pages for areas and the health organisation (one module per part); urls.py reads them
here. Each view scopes, calls a selector or service."""

from .partners import (  # noqa: F401
    partner_create,
    partner_edit,
    partner_list,
    unit_create,
    unit_delete,
    unit_edit,
    unit_list,
)
from .puskesmas import (  # noqa: F401
    puskesmas_create,
    puskesmas_detail,
    puskesmas_edit,
    puskesmas_list,
    servicepoint_create,
    servicepoint_delete,
    servicepoint_edit,
    servicepoint_import,
    servicepoint_list,
    servicepoint_template,
)
from .regions import district_detail, home, region_list, subdistrict_detail  # noqa: F401
