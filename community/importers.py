"""The imports of the community layer, declared on the one pipeline (kernel/imports).

Posyandu reviews (issue #17, ImportJob.Kind.UKBM_REVIEWS): a puskesmas downloads a template
with a row per active posyandu of its own for a year (the figures saved so far), fills it and
uploads it. Every row is checked (a posyandu of the puskesmas, once; counts 0 or more,
percentages 0-100; reviews still editable), every problem located by sheet, row and column;
then all rows are written through `services.reviews` (opened where needed, saved, placed), or
none.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kernel.imports import (
    BadCell,
    Column,
    Importer,
    Lookup,
    Outcome,
    Parsed,
    Row,
    SheetSpec,
    Target,
    Text,
    refusal,
    register,
)
from kernel.models import ImportJob, Puskesmas, ServicePoint, User
from kernel.spreadsheets import CellError, Sheet, build_workbook

from .models import PosyanduReview
from .rights import can_fill_review
from .services import reviews as services

SHEET_TITLE = gettext_lazy("Posyandu reviews")
MAX_ROWS = 500  # a puskesmas has a few dozen posyandu


class Figure:
    """One figure of a posyandu review, checked as the form checks it."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, value: object, context: Mapping):
        if isinstance(value, bool):
            raise BadCell(_("write a number."))
        if isinstance(value, float):
            value = Decimal(str(value))
        try:
            return services.clean_figure(PosyanduReview, self.name, value)
        except ValidationError as error:
            raise BadCell(" ".join(error.messages)) from error


def _figure_heading(name: str):
    return PosyanduReview._meta.get_field(name).verbose_name


REVIEW_SHEET = SheetSpec(
    title=SHEET_TITLE,
    columns=(
        Column(
            "posyandu",
            gettext_lazy("Posyandu id"),
            Lookup(
                "posyandu", gettext_lazy("no posyandu of your puskesmas has the id “%(text)s”.")
            ),
            required=True,
        ),
        Column("name", gettext_lazy("Posyandu"), Text(250)),
        Column("village", gettext_lazy("Desa"), Text(250)),
        *(Column(name, _figure_heading(name), Figure(name)) for name in services.POSYANDU_FIGURES),
        Column("note", gettext_lazy("Note"), Text(services.NOTE_LENGTH)),
    ),
    max_rows=MAX_ROWS,
)


def _posyandu_of(puskesmas: Puskesmas):
    return (
        ServicePoint.objects.filter(
            puskesmas=puskesmas, kind=ServicePoint.Kind.POSYANDU, is_active=True
        )
        .select_related("village")
        .order_by("village__name", "name")
    )


def review_template(*, puskesmas: Puskesmas, year: int) -> bytes:
    """A row per active posyandu of the puskesmas with its review figures of `year` saved so
    far, and a sheet saying how to fill it. In the active language."""
    reviews = {
        review.service_point_id: review
        for review in PosyanduReview.objects.filter(puskesmas=puskesmas, year=year)
    }
    rows = []
    for point in _posyandu_of(puskesmas):
        review = reviews.get(point.pk)
        rows.append(
            (
                point.pk,
                point.name,
                point.village.name if point.village else "",
                *(getattr(review, name) if review else None for name in services.POSYANDU_FIGURES),
                review.note if review else "",
            )
        )
    about = Sheet(
        title=str(_("How to fill")),
        headers=[str(_("Posyandu reviews")), ""],
        rows=[
            (str(_("Puskesmas")), f"{puskesmas.code} {puskesmas.name}"),
            (str(_("Year")), year),
            (
                str(_("Figures")),
                _(
                    "Counts are whole numbers, 0 or more; coverages are percentages from 0 to "
                    "100. Leave a cell empty when it is not known yet."
                ),
            ),
            (
                str(_("Posyandu id")),
                _("Keep the posyandu id as it is; the posyandu and desa names are not read."),
            ),
            (
                str(_("Import")),
                _(
                    "If any row has a problem nothing is saved. Submitted and approved reviews "
                    "cannot be changed by a file."
                ),
            ),
        ],
    )
    return build_workbook(
        sheet=str(SHEET_TITLE), headers=REVIEW_SHEET.headings(), rows=rows, more=[about]
    )


def _year_of(params: Mapping) -> int:
    try:
        return services._year(params["year"])
    except KeyError as error:
        raise ValidationError(_("Choose the year to import.")) from error


def _unchanged(row: Row, review: PosyanduReview | None) -> bool:
    """The row says what the review holds already (a template downloaded and sent back)."""
    if review is None:
        return _blank(row)
    return (
        all(row.values.get(name) == getattr(review, name) for name in services.POSYANDU_FIGURES)
        and (row.values.get("note") or "") == review.note
    )


def _blank(row: Row) -> bool:
    return not row.bad and all(
        row.values.get(name) in (None, "") for name in (*services.POSYANDU_FIGURES, "note")
    )


@register
class PosyanduReviewsImporter(Importer):
    """A filled posyandu reviews template of one puskesmas and year (params: {"year": 2026}):
    the puskesmas's heads and staff only."""

    kind = ImportJob.Kind.UKBM_REVIEWS
    sheet = REVIEW_SHEET

    def target(self, *, user: User, params: Mapping) -> Target:
        puskesmas = user.puskesmas if user.puskesmas_id else None
        if puskesmas is None or not can_fill_review(user, puskesmas):
            raise PermissionDenied(_("Only the puskesmas's own staff can fill its reviews."))
        year = _year_of(params)
        return Target(
            district_id=puskesmas.district_id,
            puskesmas_id=puskesmas.pk,
            label=f"{puskesmas.name} {year}",
            back_url=f"{reverse('community:review-list')}?year={year}",
            obj=puskesmas,
        )

    def lookups(self, *, user: User, params: Mapping, target: Target) -> dict:
        return {"posyandu": {str(point.pk): point for point in _posyandu_of(target.obj)}}

    def parse(self, workbook, *, user, params: Mapping, target: Target) -> Parsed:
        parsed = super().parse(workbook, user=user, params=params, target=target)
        year = _year_of(params)
        reviews = {
            review.service_point_id: review
            for review in PosyanduReview.objects.filter(puskesmas=target.obj, year=year)
        }
        first_row: dict[int, int] = {}
        letter = REVIEW_SHEET.letter("posyandu")
        for row in parsed.rows:
            point = row["posyandu"]
            if point is None:
                continue
            if point.pk in first_row:
                parsed.errors.append(
                    CellError(
                        parsed.sheet,
                        row.number,
                        letter,
                        _("this posyandu is already on row %(row)s.")
                        % {"row": first_row[point.pk]},
                    )
                )
                continue
            first_row[point.pk] = row.number
            review = reviews.get(point.pk)
            if review is not None and not review.is_editable and not _unchanged(row, review):
                parsed.errors.append(
                    CellError(
                        parsed.sheet,
                        row.number,
                        letter,
                        _("the review of %(name)s is %(status)s: it cannot be changed.")
                        % {
                            "name": point.name,
                            "status": str(review.get_status_display()).lower(),
                        },
                    )
                )
        return parsed

    def apply(self, *, rows, parsed: Parsed, user, params, target, progress) -> Outcome:
        year = _year_of(params)
        reviews = {
            review.service_point_id: review
            for review in PosyanduReview.objects.filter(puskesmas=target.obj, year=year)
        }
        errors: list[CellError] = []
        saved = 0
        for index, row in enumerate(rows):
            point = row["posyandu"]
            if point is None or _unchanged(row, reviews.get(point.pk)):
                continue
            try:
                review = services.posyandu_review_open(service_point=point, year=year, by=user)
                values = {name: row[name] for name in services.POSYANDU_FIGURES}
                if row["note"]:
                    values["note"] = row["note"]
                services.review_save(
                    review=review,
                    values=values,
                    version=review.version,
                    by=user,
                    action=services.Action.IMPORTED,
                )
            except (ValidationError, PermissionDenied) as error:
                for message in getattr(error, "messages", [str(error)]):
                    errors.append(CellError(parsed.sheet, row.number, None, message))
                continue
            saved += 1
            progress(index + 1, len(rows))
        if errors:
            raise refusal(errors)
        summary = ngettext(
            "%(count)s posyandu review saved.", "%(count)s posyandu reviews saved.", saved
        ) % {"count": saved}
        return Outcome(summary=summary, done=saved)


# Issue #17: cadres (ImportJob.Kind.CADRES), declared in its own module.
from . import importers_cadres  # noqa: E402, F401
