"""Both SATUSEHAT imports declared on the one pipeline (kernel.imports): regions (system
administrators) and a district's facilities (its planners, or a system administrator)."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..imports import Column, Importer, Outcome, Parsed, SheetSpec, Target, Text, register
from ..imports.reader import FileRefused
from ..models import District, ImportJob
from ..roles import is_district_planner, is_system_admin
from ..spreadsheets import CellError
from . import tasks  # noqa: F401  (registers the fetch task with Celery)
from .facilities import proposals_stage
from .facility_parsing import parse_facilities
from .parsing import parse_regions
from .regions import parents_check, satusehat_regions_import
from .rights import can_keep_satusehat

# JSON files have no sheet; the hostile files suite names files by this title.
JSON_SHEET = SheetSpec(title=gettext_lazy("SATUSEHAT"), columns=(Column("data", "data", Text()),))


def district_for(user, params: Mapping) -> District:
    """The district a SATUSEHAT import or page is about: a planner's own; a system
    administrator's choice (params["district"])."""
    if not (is_system_admin(user) or is_district_planner(user)):
        raise PermissionDenied(_("Your role cannot import SATUSEHAT facilities."))
    if user.district_id and not is_system_admin(user):
        district = user.district
    else:
        try:
            district = District.objects.select_related("province").get(
                pk=int(params.get("district") or 0)
            )
        except (District.DoesNotExist, TypeError, ValueError):
            raise ValidationError(_("Choose a district.")) from None
    if not can_keep_satusehat(user, district):
        raise PermissionDenied(_("Your role cannot import SATUSEHAT facilities."))
    return district


def _parsed(extra) -> Parsed:
    return Parsed(sheet="", rows=[], errors=[], extra=extra)


def _refused(name: str, messages: list[str]) -> FileRefused:
    """Each problem located by its path in the file ("data[12].code: ..."), under the file's
    name, like every import's refusals."""
    return FileRefused([CellError(name, None, None, message) for message in messages])


@register
class RegionsImporter(Importer):
    kind = ImportJob.Kind.SATUSEHAT_REGIONS
    sheet = JSON_SHEET
    file_kind = "json"
    result_template = "kernel/satusehat/_result_regions.html"

    def target(self, *, user, params: Mapping) -> Target:
        if not is_system_admin(user):
            raise PermissionDenied(_("Only a system administrator imports regions."))
        return Target(label=_("Regions"), back_url=reverse("kernel:satusehat-regions"))

    def parse(self, workbook, *, user, params, target) -> Parsed:
        try:
            items = parse_regions(workbook.data)
        except ValidationError as error:
            raise _refused(workbook.name, error.messages) from None
        if errors := parents_check(items=items):
            raise _refused(workbook.name, errors)
        return _parsed(items)

    def apply(self, *, rows, parsed, user, params, target, progress) -> Outcome:
        result = satusehat_regions_import(items=parsed.extra, progress=progress)
        counts = result["counts"]
        summary = _(
            "%(bps)s BPS codes set, %(created)s regions added, %(differ)s names differ."
        ) % {
            "bps": counts["bps_set"],
            "created": counts["created"],
            "differ": counts["names_differ"],
        }
        return Outcome(summary=summary, done=len(parsed.extra), details=result)


@register
class FacilitiesImporter(Importer):
    kind = ImportJob.Kind.SATUSEHAT_FACILITIES
    sheet = JSON_SHEET
    file_kind = "json"
    result_template = "kernel/satusehat/_result_facilities.html"

    def target(self, *, user, params: Mapping) -> Target:
        district = district_for(user, params)
        return Target(
            province_id=district.province_id,
            district_id=district.pk,
            label=str(district),
            back_url=reverse("kernel:satusehat") + f"?district={district.pk}",
            obj=district,
        )

    def parse(self, workbook, *, user, params, target) -> Parsed:
        try:
            return _parsed(parse_facilities(workbook.data))
        except ValidationError as error:
            raise _refused(workbook.name, error.messages) from None

    def apply(self, *, rows, parsed, user, params, target, progress) -> Outcome:
        # The runner's progress knows its job (kernel.imports.runner.RowProgress).
        job_id = getattr(progress, "job_id", None)
        job = ImportJob.objects.get(pk=job_id) if job_id else None
        if job is None:
            raise ValidationError(_("This import runs only as a job."))
        result = proposals_stage(district=target.obj, job=job, items=parsed.extra)
        counts = result["counts"]
        summary = (
            _(
                "%(matched)s puskesmas matched (%(changed)s with changes), %(new)s new proposed, "
                "%(skipped)s facilities skipped. Nothing changes before you accept."
            )
            % counts
        )
        return Outcome(summary=summary, done=len(parsed.extra), details=result)
