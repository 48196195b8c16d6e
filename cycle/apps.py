from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    name = "cycle"
    verbose_name = _("SPM cycle")

    def ready(self) -> None:
        from . import exports  # noqa: F401  (the e-SPM package's export kinds)
