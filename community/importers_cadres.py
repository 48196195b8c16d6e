"""The cadres of a puskesmas's posyandu from Excel (issue #17), on the one import pipeline
(kernel/imports): a row per cadre, the posyandu by its name. A row adds a cadre or, when the
posyandu already has the cadre (same name and birth year), updates it, through the cadre
form's service (`cadre_save`). Every problem is located by sheet, row and column; all rows or
none. The template lists the cadres the puskesmas has now.

params: {"puskesmas": id} (the user's own puskesmas, or one a district planner chose).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kernel.imports import (
    BadCell,
    Column,
    Importer,
    Integer,
    Lookup,
    Outcome,
    Parsed,
    Row,
    SheetSpec,
    Target,
    Text,
    YesNo,
    refusal,
    register,
)
from kernel.imports.schema import text_of
from kernel.models import ImportJob, Puskesmas, ServicePoint
from kernel.scoping import get_in_area_or_404
from kernel.spreadsheets import CellError, build_workbook

from .models import Cadre
from .rights import can_keep_cadres
from .services.cadres import cadre_save

CADRE_SHEET = gettext_lazy("Cadres")
SEXES = {
    "f": Cadre.Sex.FEMALE,
    "p": Cadre.Sex.FEMALE,
    "female": Cadre.Sex.FEMALE,
    "perempuan": Cadre.Sex.FEMALE,
    "wanita": Cadre.Sex.FEMALE,
    "m": Cadre.Sex.MALE,
    "l": Cadre.Sex.MALE,
    "male": Cadre.Sex.MALE,
    "laki-laki": Cadre.Sex.MALE,
    "laki laki": Cadre.Sex.MALE,
    "pria": Cadre.Sex.MALE,
}


class Sex:
    """F or M (also P or L, and the words in either language); blank: female."""

    def __call__(self, value: object, context: Mapping) -> str:
        text = text_of(value).casefold()
        if not text:
            return ""
        if text not in SEXES:
            raise BadCell(_("write F (female) or M (male)."))
        return SEXES[text]


CADRE_SPEC = SheetSpec(
    title=CADRE_SHEET,
    columns=(
        Column(
            "posyandu",
            "Posyandu",
            Lookup("posyandu", gettext_lazy("posyandu %(text)s is not one of this puskesmas's.")),
            required=True,
        ),
        Column("name", gettext_lazy("Name"), Text(150, multiline=False), required=True),
        Column("sex", gettext_lazy("Sex (F/M)"), Sex()),
        Column(
            "birth_year",
            gettext_lazy("Birth year"),
            Integer(minimum=1930, maximum=2100),
        ),
        Column("phone", gettext_lazy("Phone"), Text(40, multiline=False)),
        Column(
            "since_year",
            gettext_lazy("Cadre since"),
            Integer(minimum=1950, maximum=2100),
        ),
        Column("trained", gettext_lazy("Trained"), YesNo(empty=False)),
        Column("active", gettext_lazy("Active"), YesNo(empty=True)),
    ),
    max_rows=3_000,
)


# Where a refusal of the cadre service points in the row.
FIELD_COLUMNS = {
    "service_point": "posyandu",
    "name": "name",
    "sex": "sex",
    "birth_year": "birth_year",
    "phone": "phone",
    "since_year": "since_year",
    "is_trained": "trained",
    "is_active": "active",
}


def _puskesmas(user, params: Mapping) -> Puskesmas:
    try:
        pk = int(str(params.get("puskesmas")))
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Choose the puskesmas.")) from error
    puskesmas = get_in_area_or_404(Puskesmas.objects.select_related("district"), user, pk=pk)
    if not can_keep_cadres(user, puskesmas):
        raise PermissionDenied(_("Only the puskesmas's or the district's officers can do this."))
    return puskesmas


def _posyandu(puskesmas: Puskesmas):
    return ServicePoint.objects.filter(
        puskesmas=puskesmas, kind=ServicePoint.Kind.POSYANDU
    ).order_by("name")


def cadre_template(*, puskesmas: Puskesmas) -> bytes:
    """The import template of a puskesmas, listing its cadres now (ready to correct or add)."""
    yes, no = _("Yes"), _("No")
    rows = [
        [
            cadre.service_point.name,
            cadre.name,
            cadre.sex,
            cadre.birth_year,
            cadre.phone,
            cadre.since_year,
            yes if cadre.is_trained else no,
            yes if cadre.is_active else no,
        ]
        for cadre in Cadre.objects.filter(puskesmas=puskesmas)
        .select_related("service_point")
        .order_by("service_point__name", "name")
    ]
    return build_workbook(sheet=str(CADRE_SHEET), headers=CADRE_SPEC.headings(), rows=rows)


@register
class CadresImporter(Importer):
    """A puskesmas's cadres: added, or updated by posyandu, name and birth year."""

    kind = ImportJob.Kind.CADRES
    sheet = CADRE_SPEC

    def target(self, *, user, params: Mapping) -> Target:
        puskesmas = _puskesmas(user, params)
        return Target(
            province_id=puskesmas.district.province_id,
            district_id=puskesmas.district_id,
            puskesmas_id=puskesmas.pk,
            label=str(puskesmas),
            back_url=reverse("community:cadre-list"),
            obj=puskesmas,
        )

    def lookups(self, *, user, params, target) -> dict:
        return {"posyandu": {p.name.casefold(): p for p in _posyandu(target.obj)}}

    def parse(self, workbook, *, user, params: Mapping, target: Target) -> Parsed:
        """The typed rows; a cadre (posyandu, name, birth year) twice is an error on the
        second row: which one would count?"""
        parsed = super().parse(workbook, user=user, params=params, target=target)
        first_row: dict[tuple, int] = {}
        for row in parsed.rows:
            if row["posyandu"] is None or not row["name"]:
                continue
            key = (row["posyandu"].pk, row["name"].casefold(), row["birth_year"])
            if key in first_row:
                message = _("this cadre is already on row %(row)s.") % {"row": first_row[key]}
                parsed.errors.append(
                    CellError(parsed.sheet, row.number, self.sheet.letter("name"), message)
                )
            else:
                first_row[key] = row.number
        return parsed

    def apply(self, *, rows: list[Row], parsed, user, params, target, progress) -> Outcome:
        errors: list[CellError] = []

        def located(row: Row, key: str, problem: str) -> None:
            errors.append(CellError(parsed.sheet, row.number, self.sheet.letter(key), problem))

        existing = {
            (c.service_point_id, c.name.casefold(), c.birth_year): c
            for c in Cadre.objects.filter(puskesmas=target.obj)
        }
        seen: dict[tuple, int] = {}
        saved = 0
        for index, row in enumerate(rows):
            point = row["posyandu"]
            key = (point.pk, row["name"].casefold(), row["birth_year"])
            if key in seen:
                message = _("this cadre is already on row %(row)s.")
                located(row, "name", message % {"row": seen[key]})
                continue
            seen[key] = row.number
            cadre = existing.get(key) or Cadre(service_point=point, puskesmas=target.obj)
            cadre.name = row["name"]
            cadre.sex = row["sex"] or cadre.sex or Cadre.Sex.FEMALE
            cadre.birth_year, cadre.since_year = row["birth_year"], row["since_year"]
            cadre.phone = row["phone"] or ""
            cadre.is_trained, cadre.is_active = bool(row["trained"]), row["active"] is not False
            try:
                # Read in this transaction: the file's edit is made at the row's version.
                cadre_save(cadre=cadre, by=user, version=cadre.version if cadre.pk else None)
            except (ValidationError, PermissionDenied) as error:
                fields = getattr(error, "error_dict", None) or {"name": [error]}
                for field, problems in fields.items():
                    column = FIELD_COLUMNS.get(field, "name")
                    for message in ValidationError(problems).messages:
                        located(row, column, message)
                continue
            saved += 1
            progress(index + 1, len(rows))
        if errors:
            raise refusal(errors)
        summary = ngettext("%(count)s cadre saved.", "%(count)s cadres saved.", saved) % {
            "count": saved
        }
        return Outcome(summary=summary, done=saved)
