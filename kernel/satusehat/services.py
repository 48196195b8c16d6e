"""A district's SATUSEHAT credentials, and starting a fetch from the endpoints."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import District, ImportJob, SatusehatConnection
from .client import allowed_hosts
from .rights import can_keep_satusehat


def base_url_check(url: str) -> str:
    """The environment's base URL, refused unless http(s) to a known SATUSEHAT host (the worker
    calls it: never an address inside the network)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or (parts.hostname or "") not in allowed_hosts():
        raise ValidationError(
            {
                "base_url": _("Use the base URL of a SATUSEHAT environment: %(hosts)s.")
                % {"hosts": ", ".join(f"https://{host}" for host in allowed_hosts())}
            }
        )
    return url.strip().rstrip("/")


@transaction.atomic
def connection_save(
    *, district: District, by, base_url: str, client_id: str, client_secret: str = ""
) -> SatusehatConnection:
    """Save the district's credentials; an empty secret keeps the saved one."""
    if not can_keep_satusehat(by, district):
        raise PermissionDenied(_("Your role cannot change this district's SATUSEHAT settings."))
    base_url = base_url_check(base_url)
    connection = SatusehatConnection.objects.select_for_update().filter(district=district).first()
    if connection is None:
        if not client_secret:
            raise ValidationError({"client_secret": _("Enter the client secret.")})
        connection = SatusehatConnection(district=district)
    connection.base_url, connection.client_id = base_url, client_id.strip()
    if client_secret:
        connection.client_secret = client_secret.strip()
    connection.updated_by = by
    connection.save()
    return connection


def fetch_start(*, district: District, by) -> ImportJob:
    """Queue a fetch of the district's facilities; it runs once this commits."""
    if not can_keep_satusehat(by, district):
        raise PermissionDenied(_("Your role cannot import SATUSEHAT facilities."))
    if not SatusehatConnection.objects.filter(district=district).exists():
        raise ValidationError(_("Save this district's SATUSEHAT credentials first."))
    from .tasks import satusehat_fetch

    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=ImportJob.Kind.SATUSEHAT_FACILITIES,
            province_id=district.province_id,
            district=district,
            params={
                "district": district.pk,
                "source": "satusehat",
                "_label": str(district),
                "_back": reverse("kernel:satusehat") + f"?district={district.pk}",
            },
            language=translation.get_language() or settings.LANGUAGE_CODE,
            file_name=f"satusehat-{district.code}.json",
            created_by=by,
        )
        attempt = job.attempt
        transaction.on_commit(lambda: satusehat_fetch.delay(job.pk, attempt), robust=True)
    return job
