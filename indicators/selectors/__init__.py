"""Reads for pages and exports, one module per part, re-exported here. All start from in_area."""

from .audit import audit_history  # noqa: F401
from .dashboards import (  # noqa: F401
    DistrictDashboard,
    ProvinceDashboard,
    PuskesmasDashboard,
    band_of,
    dashboard_default_quarter,
    dashboard_district,
    dashboard_period,
    dashboard_province,
    dashboard_puskesmas,
    dashboard_quarters,
    index_bands,
)
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
from .quarterly import (  # noqa: F401
    STAGES,
    Feedback,
    FeedbackLine,
    QuarterlyReport,
    can_read_quarterly,
    feedback_get,
    feedback_list,
    last_ended_quarter,
    month_pace,
    quarter_notes,
    quarter_pace,
    quarterly_districts,
    quarterly_latest,
    quarterly_list,
    quarterly_report,
)
from .reports import (  # noqa: F401
    completeness_by_district,
    readable_reports,
    readable_values,
    reads_approved_only,
    report_entry,
    report_history,
    report_list,
    report_matrix,
)
from .targets import (  # noqa: F401
    TargetOverview,
    TargetStatus,
    estimate_rule_list,
    population_counts,
    population_list,
    rule_formula,
    target_overview,
    target_sources,
    target_status,
    target_year,
    target_years,
    village_targets,
)
