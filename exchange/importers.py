"""The DHIS2 import, declared on the one pipeline (kernel/imports): a data value set (JSON) or
an ADX document for one district, written as draft monthly values by the monthly import's
write path."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from indicators.rights import can_import_monthly
from indicators.services.monthly_excel import monthly_import_apply
from kernel.imports import Importer, Outcome, Parsed, SheetSpec, Target, register
from kernel.models import District, ImportJob
from kernel.scoping import get_in_area_or_404

from .services.importing import MAX_VALUES, plan_data_values, read_data_values


@register
class Dhis2ValuesImporter(Importer):
    """DHIS2 data values of one district's desa, mapped back by its DHIS2 mapping."""

    kind = ImportJob.Kind.DHIS2_VALUES
    file_kind = "dhis2"
    sheet = SheetSpec(title="dataValues", columns=(), max_rows=MAX_VALUES)

    def target(self, *, user, params: Mapping) -> Target:
        try:
            district_id = int(params.get("district"))
        except (TypeError, ValueError):
            raise PermissionDenied from None
        district = get_in_area_or_404(District, user, pk=district_id)
        if not can_import_monthly(user):
            raise PermissionDenied(_("Your role cannot import monthly values."))
        return Target(
            province_id=district.province_id,
            district_id=district.pk,
            puskesmas_id=getattr(user, "puskesmas_id", None),
            label=_("DHIS2 values of %(district)s") % {"district": district.name},
            back_url=reverse("exchange:dhis2-district", args=[district.pk]),
            obj=district,
        )

    def parse(self, workbook, *, user, params: Mapping, target: Target) -> Parsed:
        incoming, errors = read_data_values(workbook)
        plans = []
        if not errors:
            plans, errors = plan_data_values(
                incoming=incoming, district=target.obj, user=user, file_name=workbook.name
            )
        return Parsed(sheet="dataValues", rows=[], errors=errors, extra=plans)

    def apply(self, *, rows, parsed: Parsed, user, params, target, progress) -> Outcome:
        changed = created = updated = reports = 0
        for plan in parsed.extra:
            result = monthly_import_apply(
                plan=plan,
                user=user,
                progress=progress,
                reason=_("DHIS2 import: %(file)s") % {"file": plan.file_name},
            )
            changed += result["values_changed"]
            created += result["values_created"]
            updated += result["values_updated"]
            reports += result["reports_touched"]
        summary = _(
            "%(changed)s values changed (%(created)s new) in %(reports)s draft reports."
        ) % {"changed": changed, "created": created, "reports": reports}
        return Outcome(
            summary=summary,
            done=changed,
            details={"values_changed": changed, "values_created": created, "reports": reports},
        )
