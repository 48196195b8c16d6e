from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments (PKP, mentoring, supervision)")

    def ready(self) -> None:
        from . import (
            exports,  # noqa: F401  (registers the PKP's PDF as an export job)
            importers,  # noqa: F401  (registers the instrument import on the one pipeline)
            notifying,  # noqa: F401  (PKP notifications: kernel.notifications rules)
            pkp_rules,  # noqa: F401  (registers the data rules of the PKP: data_rules.RULES)
            todo,  # noqa: F401  (the PKPs waiting, returned: kernel.todo)
        )
