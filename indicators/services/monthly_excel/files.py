"""Monthly values out to Excel: the template to fill in and the export of saved values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kernel.models import Puskesmas, User, Village
from kernel.spreadsheets import Sheet, build_workbook

from ...models import MonthlyReport, MonthlyValue, Target
from ...readable import readable_values
from ...reporting import monthly_services
from .layout import DATA_SHEET, META_KIND, META_SHEET, Status, month_header, monthly_headers


def _comment_text(comments: dict[int, str], *, year: int, months: Sequence[int]) -> str:
    """One cell for a row's comments: plain for a one-month file, else prefixed by month."""
    if len(months) == 1:
        return comments.get(months[0], "")
    return "; ".join(
        f"{month_header(year, month)}: {comments[month]}" for month in months if comments.get(month)
    )


def _instructions(*, year: int, months: Sequence[int], statuses: list[list[str]]) -> Sheet:
    example = "; ".join(f"{month_header(year, m)}: …" for m in list(months)[:2])
    lines = [
        _("One row per puskesmas, village (desa) and SPM service; one column per month."),
        _("In each month, type the number of people served to standard in that village."),
        _("Leave a cell empty when the month is not reported; 0 means nobody was served."),
        _("Whole numbers only: no text, no formulas, no merged cells in the month columns."),
        _("Do not change the headings, the codes in columns A, B and D, or the sheet names."),
        _(
            "Comment: in a file with one month, just write it. With several months, start each "
            "comment with its month, for example “%(example)s”."
        )
        % {"example": example},
        _(
            "Reports already submitted, approved or locked cannot be changed by import (their "
            "status is listed below)."
        ),
        _(
            "If anything in the file is wrong, nothing is saved and every problem is listed with "
            "its sheet, row and column."
        ),
        _(
            "A value someone else changed in Simpul after you downloaded this file is not "
            "overwritten: download a new template then."
        ),
    ]
    rows = [[line] for line in lines]
    rows += [[], ["Puskesmas", _("Month"), _("Status")], *statuses]
    return Sheet(title=_("Instructions"), headers=[_("How to fill in this file")], rows=rows)


def monthly_template(*, puskesmas_list: Iterable[Puskesmas], year: int, months: list[int]) -> bytes:
    """An .xlsx to fill in: a row per puskesmas x desa x monthly service, current values filled.

    Read-only; seven queries whatever the number of rows (the caller scopes `puskesmas_list`).
    """
    months = sorted(set(months))
    puskesmas_list = list(puskesmas_list)
    ids = [p.pk for p in puskesmas_list]
    services = monthly_services(year)
    villages = defaultdict(list)
    for village in Village.objects.filter(puskesmas_id__in=ids).order_by("code"):
        villages[village.puskesmas_id].append(village)
    targets = dict(
        ((v, s), value)
        for v, s, value in Target.objects.filter(
            village__puskesmas_id__in=ids, year=year, is_of_record=True
        ).values_list("village_id", "service_id", "value")
    )
    reports = MonthlyReport.objects.filter(puskesmas_id__in=ids, year=year, month__in=months)
    status_of = {(r.puskesmas_id, r.month): r.get_status_display() for r in reports}
    values: dict[tuple[int, int, int, int], tuple[int | None, str]] = {}
    for p, m, v, s, value, comment in MonthlyValue.objects.filter(
        report__puskesmas_id__in=ids, report__year=year, report__month__in=months
    ).values_list(
        "report__puskesmas_id", "report__month", "village_id", "service_id", "value", "comment"
    ):
        values[(p, v, s, m)] = (value, comment)
    rows = []
    for puskesmas in puskesmas_list:
        for village in villages[puskesmas.pk]:
            for service in services:
                cells = [values.get((puskesmas.pk, village.pk, service.pk, m)) for m in months]
                comments = {m: cell[1] for m, cell in zip(months, cells, strict=True) if cell}
                rows.append(
                    [
                        puskesmas.code,
                        village.code,
                        village.name,
                        service.code,
                        service.label,
                        targets.get((village.pk, service.pk)),
                        *(cell[0] if cell else None for cell in cells),
                        _comment_text(comments, year=year, months=months),
                    ]
                )
    statuses = [
        [p.name, month_header(year, m), status_of.get((p.pk, m), _("Not started"))]
        for p in puskesmas_list
        for m in months
    ]
    meta = Sheet(
        title=META_SHEET,
        headers=["key", "value"],
        rows=[["kind", META_KIND], ["downloaded_at", timezone.now().isoformat()], ["year", year]],
        hidden=True,
    )
    return build_workbook(
        sheet=DATA_SHEET,
        headers=monthly_headers(year=year, months=months),
        rows=rows,
        more=[_instructions(year=year, months=months, statuses=statuses), meta],
    )


def monthly_values_headers() -> list[str]:
    return [
        _("Puskesmas code"),
        "Puskesmas",
        _("Village code"),
        _("Village"),
        _("Service code"),
        _("Service"),
        _("Month"),
        _("People served"),
        _("Comment"),
        _("Status"),
    ]


# Column widths of the export when its rows are streamed (not read first for their widths).
MONTHLY_VALUES_WIDTHS = (14, 30, 14, 24, 12, 50, 12, 12, 30, 12)


def monthly_values_rows(*, user: User, year: int) -> tuple[int, Iterator[list]]:
    """Every monthly value `user` may read for `year` (`readable_values`: a province gets
    approved and locked reports only): how many, and the rows, read from the database in
    chunks (a province's year is hundreds of thousands of rows). Two queries."""
    name = "service__name_en" if translation.get_language() == "en" else "service__name_id"
    values = readable_values(user=user, queryset=MonthlyValue.objects.filter(report__year=year))
    count = values.count()
    rows = values.order_by(
        "report__puskesmas__name", "report__month", "village__code", "service__number"
    ).values_list(
        "report__puskesmas__code",
        "report__puskesmas__name",
        "village__code",
        "village__name",
        "service__code",
        name,
        "report__month",
        "value",
        "comment",
        "report__status",
    )
    statuses = dict(Status.choices)
    months = {month: month_header(year, month) for month in range(1, 13)}
    return count, (
        [*row[:6], months[row[6]], row[7], row[8], statuses.get(row[9], row[9])]
        for row in rows.iterator(chunk_size=2000)
    )


def monthly_values_export(*, user: User, year: int) -> bytes:
    """Every monthly value `user` may read for `year` as .xlsx, a row per value, built in
    memory (small areas; a province's year goes through the export job, indicators/exports.py)."""
    __, rows = monthly_values_rows(user=user, year=year)
    return build_workbook(sheet=_("Monthly values"), headers=monthly_values_headers(), rows=rows)
