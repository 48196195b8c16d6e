"""Writes to areas and organisation. Each module holds one part; import from here."""

from .aggregation import (  # noqa: F401
    Scope,
    achievement_refresh,
    achievement_refresh_later,
    aggregation_start,
    quarter_aggregate,
    quarter_months,
    quarter_of,
)
from .monthly_excel import (  # noqa: F401
    ImportPlan,
    can_import_monthly,
    monthly_import_apply,
    monthly_import_parse,
    monthly_import_start,
    monthly_template,
    monthly_values_export,
)
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
from .quarter_notes import quarter_notes_save  # noqa: F401
from .regions import (  # noqa: F401
    parse_population,
    parse_regions,
    population_import,
    regions_import,
    regions_import_file,
)
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
from .targets import (  # noqa: F401
    EstimateSummary,
    demo_targets,
    estimate_rule_reset,
    estimate_rule_save,
    estimate_rules,
    proposable_sources,
    target_choose,
    target_import_scope,
    target_propose,
    target_template,
    targets_approve,
    targets_choose,
    targets_choose_source,
    targets_estimate,
    targets_missing_count,
    targets_reopen,
    village_population_save,
    village_population_template,
)
from .users import user_save  # noqa: F401
