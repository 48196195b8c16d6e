"""Reads for each role's dashboard (issue #5 must-have 3): puskesmas, district, province.

Achievement figures come from the tables `quarter_aggregate` fills (Achievement, ReportingRate),
read at the level the page shows; the puskesmas page adds per-desa figures and the monthly trend,
summed by the database from monthly values. Every read costs a fixed number of queries, whatever
the number of puskesmas, desa, districts or reports. Everything starts from `in_area`.

Pace: a year's target spread evenly, so after `m` ended months `m / 12 x 100 %` is expected.
Colours compare an achievement with that pace (achievement / pace x 100) and place the result in
the SPM index categories (IndexBand) of the year's edition; at the end of the year it is the
achievement itself. Names, edges and weights are data (unverified, DOMAIN.md §2).

One module per part, re-exported here: `base` (period, quarters, bands, computation), `figures`
(Figure and the service and area lines), `puskesmas`, `district`, `province`, and `ytd` (year to
date through a month, for meeting packs).
"""

from .base import (  # noqa: F401
    APPROVED,
    CENT,
    HUNDRED,
    Band,
    Computation,
    Period,
    band_of,
    dashboard_default_quarter,
    dashboard_period,
    dashboard_quarters,
    index_bands,
    index_parts,
    months_ended,
)
from .district import DistrictDashboard, dashboard_district  # noqa: F401
from .figures import (  # noqa: F401
    FIGURE_FIELDS,
    AreaIndex,
    AreaLine,
    Figure,
    IndexFigure,
    MonthServed,
    ServiceLine,
    area_index,
)
from .province import ProvinceDashboard, dashboard_province  # noqa: F401
from .puskesmas import (  # noqa: F401
    NOT_SUBMITTED,
    DueMonth,
    PuskesmasDashboard,
    dashboard_puskesmas,
)
from .ytd import YearToDate, month_period, year_to_date  # noqa: F401
