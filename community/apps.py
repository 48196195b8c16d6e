from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community health efforts (UKBM)")

    def ready(self) -> None:
        from . import (
            importers,  # noqa: F401  (registers the imports on the one pipeline)
            notifying,  # noqa: F401  (declares its notifications: kernel.notifications)
            tasks,  # noqa: F401  (its hook on the nightly aggregation)
            todo,  # noqa: F401  (registers its to-do home providers)
        )
        from .pack import register_pack_section

        register_pack_section()  # the UKBM situation in the meeting pack
