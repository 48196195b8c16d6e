from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Data exchange with other systems (issue #19): DHIS2 data value sets and ADX, with the
    mapping kept as data; above every domain app, below the API."""

    name = "exchange"
    verbose_name = _("Data exchange")

    def ready(self) -> None:
        from . import exports, importers  # noqa: F401  (the DHIS2 export job and import)
