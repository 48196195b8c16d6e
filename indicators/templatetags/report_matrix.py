"""The district's puskesmas x month matrix of report statuses, built in Python (issue #13).

A district has 20-30 puskesmas x 12 months; through the template engine each cell's link,
label, symbol and lateness cost more than the rest of the page.
"""

from __future__ import annotations

from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from ..models import MonthlyReport

register = template.Library()


@register.simple_tag
def report_matrix_rows(matrix) -> SafeString:
    """The matrix's table rows: one per puskesmas, a status badge linking to each report."""
    entry = reverse("indicators:report-entry", args=[0])[: -len("0/")]
    labels = {value: escape(str(label)) for value, label in MonthlyReport.Status.choices}
    symbols = MonthlyReport.STATUS_SYMBOLS
    today = timezone.localdate()
    empty = '<td class="text-center"><span class="text-body-secondary">·</span></td>'
    out: list[str] = []
    add = out.append
    for line in matrix:
        add(f'<tr><td class="wrap">{escape(line["puskesmas"].name)}</td>')
        for report in line["months"]:
            if report is None:
                add(empty)
                continue
            status, label = report.status, labels[report.status]
            late = " is-late" if report.late_on(today) else ""
            add(
                f'<td class="text-center"><a class="badge status-{status}{late}" '
                f'href="{entry}{report.pk}/" title="{label}" aria-label="{label}">'
                f"{symbols[status]}</a></td>"
            )
        add("</tr>")
    return mark_safe("".join(out))  # every value above is escaped
