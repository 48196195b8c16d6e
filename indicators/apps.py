from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("SPM data")

    def ready(self) -> None:
        from . import (
            exports,  # noqa: F401  (registers its exports: the year's values, quarterly PDFs)
            importers,  # noqa: F401  (registers the imports on the one pipeline)
            notifying,  # noqa: F401  (declares its notifications: kernel.notifications)
            todo,  # noqa: F401  (registers its to-do home providers: reports and targets)
        )
        from .services import runs  # noqa: F401  (declares aggregation runs to the jobs' sweep)
