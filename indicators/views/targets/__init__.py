"""Targets (sasaran) pages: the year's overview and approval, figures from each source side by
side, population per desa with its Excel template, and the estimate rules (issue #4).

One module per part, each with its forms beside its views; `urlpatterns` gathers them.
"""

from django.urls import path

from .imports import target_import, target_template
from .overview import (
    target_approve,
    target_choose_source,
    target_estimate,
    target_list,
    target_reopen,
)
from .population import population_import, population_list, population_template
from .rules import estimaterule_edit, estimaterule_list
from .sources import target_choose, target_village

urlpatterns = [
    path("targets/", target_list, name="target-list"),
    path("targets/puskesmas/<int:pk>/", target_choose, name="target-choose"),
    path("targets/village/<int:pk>/", target_village, name="target-village"),
    path("targets/district/<int:pk>/estimate/", target_estimate, name="target-estimate"),
    path(
        "targets/district/<int:pk>/choose-source/",
        target_choose_source,
        name="target-choose-source",
    ),
    path("targets/district/<int:pk>/approve/", target_approve, name="target-approve"),
    path("targets/district/<int:pk>/reopen/", target_reopen, name="target-reopen"),
    path("targets/import/", target_import, name="target-import"),
    path("targets/import/template/", target_template, name="target-template"),
    path("targets/population/", population_list, name="population-list"),
    path("targets/population/template/", population_template, name="population-template"),
    path("targets/population/import/", population_import, name="population-import"),
    path("targets/rules/", estimaterule_list, name="estimaterule-list"),
    path("targets/rules/edit/", estimaterule_edit, name="estimaterule-edit"),
]
