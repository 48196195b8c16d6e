from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Areas and SPM data")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            importers,  # noqa: F401  (registers the imports on the one pipeline)
        )
