from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Meetings and commitments")

    def ready(self) -> None:
        from . import (
            exports,  # noqa: F401  (registers the meeting papers' PDFs as export jobs)
            importers,  # noqa: F401  (registers the imports on the one pipeline)
            notifying,  # noqa: F401  (declares its notifications: kernel.notifications)
            todo,  # noqa: F401  (registers its to-do home providers: overdue items, next meeting)
        )
