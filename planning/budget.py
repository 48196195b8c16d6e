"""Planning provides indicators' budget (issue #16, the e-SPM report's part C): the dashboards
and the quarterly report read allocated and realised per service and per district through
`indicators.budget`, which cannot import planning. Registered in PlanningConfig.ready(); the
numbers are those of the budget pages (planning.selectors.budget)."""

from __future__ import annotations

from indicators.budget import budget_register

from .selectors.budget import budget_by_district, budget_by_service

budget_register(by_service=budget_by_service, by_district=budget_by_district)
