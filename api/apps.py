from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The JSON API under /api/ (issue #19): personal tokens and service accounts, every answer
    scoped by kernel.scoping and read by the same rules as the pages; the top layer."""

    name = "api"
    label = "api"
    verbose_name = _("API")
