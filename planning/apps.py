from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from . import (
            budget,  # noqa: F401  (provides indicators.budget: part C of the e-SPM report)
            exports,  # noqa: F401  (registers the RUK and RPK PDFs as export jobs)
            importers,  # noqa: F401  (registers the RUK activities import)
            notifying,  # noqa: F401  (declares its notifications: kernel.notifications)
            todo,  # noqa: F401  (registers its to-do home providers: RUKs to review or fix)
        )
