from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("SPM data")

    def ready(self) -> None:
        from . import (
            exports,  # noqa: F401  (registers its exports: the year's values, quarterly PDFs)
            importers,  # noqa: F401  (registers the imports on the one pipeline)
        )
        from .services import runs  # noqa: F401  (declares aggregation runs to the jobs' sweep)
