from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KernelConfig(AppConfig):
    """Regions, organisation, users and roles, scoping and the shared mechanisms (imports, edits,
    audit, tables, jobs) that every domain app builds on and that import none of them."""

    name = "kernel"
    verbose_name = _("Areas and organisation")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            importers,  # noqa: F401  (registers the kernel's imports on the one pipeline)
            notifications,
        )
        from .satusehat import importers as satusehat_importers  # noqa: F401  (SATUSEHAT imports)
        from .services import (
            exports,  # noqa: F401  (declares export jobs to the jobs' sweep)
        )
        from .twofactor import signals_connect

        signals_connect()  # User.two_factor_on follows the authenticators
        notifications.signals_connect()  # audit events reach the notification rules
