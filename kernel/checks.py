"""System checks of Simpul's own promises (run by `manage.py check`, some only with --deploy)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs) -> list[Error]:
    """Production must take SECRET_KEY from the environment, never the development default."""
    if settings.SECRET_KEY == getattr(settings, "DEVELOPMENT_SECRET_KEY", None):
        return [
            Error(
                "SECRET_KEY is the development default.",
                hint="Set the SECRET_KEY environment variable to a long random string.",
                id="simpul.E001",
            )
        ]
    return []
