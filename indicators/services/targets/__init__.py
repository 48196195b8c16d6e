"""Targets (sasaran): population by age band, estimates from editable rules, figures from each
source side by side, the target of record and the year's approval (issue #4, DOMAIN.md §2).

A district planner sets and approves the year's targets; a puskesmas proposes local counts for
the desa of its working area. Every write checks rights here, through `kernel.scoping`.
"""

from ._common import (  # noqa: F401
    BATCH_SIZE,
    DISTRICT_SOURCES,
    MAX_PEOPLE,
    PUSKESMAS_SOURCES,
    Source,
    audit,
)
from .approval import (  # noqa: F401
    is_approved,
    targets_approve,
    targets_missing_count,
    targets_reopen,
)
from .demo import DEMO_BAND_SHARES, DEMO_REGISTER_SERVICES, demo_targets  # noqa: F401
from .estimates import (  # noqa: F401
    EstimateSummary,
    estimate_rule_reset,
    estimate_rule_save,
    estimate_rules,
    targets_estimate,
)
from .population import (  # noqa: F401
    POPULATION_SHEET,
    band_key,
    population_bands,
    population_sheet,
    population_spec,
    village_population_save,
    village_population_template,
)
from .record import (  # noqa: F401
    proposable_sources,
    target_choose,
    target_propose,
    targets_choose,
    targets_choose_source,
)
from .source_excel import (  # noqa: F401
    service_key,
    target_import_scope,
    target_sheet,
    target_spec,
    target_template,
)
