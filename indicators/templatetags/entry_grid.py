"""The monthly entry grid as HTML, built in Python (issue #13).

The grid is 12 services x every desa of the puskesmas (about 200 rows, each with an input, its
figures, warnings and a comment). Rendered through the template engine it cost about 70 % of the
page's server time; here it is one pass of string joins, with every value escaped.
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _number(value: int, separator: str) -> str:
    return f"{value:,}".replace(",", separator)


def _percent(value: float) -> str:
    return f"{int(value + 0.5)}%"  # as floatformat:0 for the positive figures shown here


def _text(value) -> str:
    return "" if value is None else escape(str(value))


@register.simple_tag
def entry_grid(groups, can_enter: bool) -> SafeString:
    """The service groups of the entry form (see report_entry.html): the same markup for the
    phone (one column) and the desktop, for entry or read only."""
    separator = get_format("THOUSAND_SEPARATOR")
    words = {
        "ytd_group": escape(_("year to date")),
        "ytd": escape(_("YTD")),
        "comment": escape(_("Comment")),
    }
    out: list[str] = []
    add = out.append
    for index, group in enumerate(groups):
        service = group.service
        rows = group.rows
        target = group.target
        ytd = group.year_to_date
        add(
            f'<details class="service-group mb-2" data-service="{service.pk}"'
            f"{' open' if index == 0 or group.has_problem else ''}><summary>"
            f'<span class="fw-semibold">{service.number}. {escape(service.label)}</span> '
            f'<span class="group-figures small text-body-secondary">{words["ytd_group"]} '
            f'<b class="gytd">{_number(ytd, separator)}</b> / '
            f'<span class="gtarget">{_number(target, separator) if target else "–"}</span>'
        )
        if target:
            add(f' · <b class="gpct">{_percent(100 * ytd / target)}</b>')
        add(
            f'</span></summary><p class="small text-body-secondary mb-2">'
            f"{escape(service.numerator)}</p>"
        )
        for row in rows:
            _row(add, row, can_enter, words, separator)
        add("</details>")
    return mark_safe("".join(out))  # every value above is escaped


def _row(add, row, can_enter: bool, words: dict[str, str], separator: str) -> None:
    field, village = row.field, escape(row.village.name)
    target = row.target
    problem = " has-problem" if row.warnings else ""
    add(
        f'<div class="entry-row{problem}" data-target="{"" if target is None else target}" '
        f'data-before="{row.before}"><label class="entry-label" for="id_{field}">{village}'
        "</label>"
    )
    if can_enter:
        seen_value, seen_comment = row.seen
        add(
            '<input class="form-control form-control-sm entry-input" type="text" '
            f'inputmode="numeric" autocomplete="off" name="{field}" id="id_{field}" '
            f'value="{_text(row.value)}" aria-describedby="fig_{field}">'
            f'<input type="hidden" name="o{field[1:]}" value="{_text(seen_value)}">'
        )
        if seen_comment:
            add(f'<input type="hidden" name="oc{field[1:]}" value="{escape(seen_comment)}">')
    else:
        add(f'<span class="entry-value">{"–" if row.value is None else _text(row.value)}</span>')
    add(
        f'<span class="entry-figures small text-body-secondary" id="fig_{field}">{words["ytd"]} '
        f'<b class="ytd">{_number(row.year_to_date, separator)}</b> / '
        f"{'–' if target is None else target}"
    )
    if target:
        add(f' · <b class="pct">{_percent(row.achievement)}</b>')
    add("</span>")
    for message in row.warnings:
        add(f'<div class="entry-problem small">{escape(message)}</div>')
    if can_enter:
        add(
            f'<details class="entry-comment"{" open" if row.comment or row.warnings else ""}>'
            f'<summary class="small">{words["comment"]}</summary>'
            f'<textarea class="form-control form-control-sm" rows="2" name="{row.comment_field}" '
            f'aria-label="{words["comment"]} {village}">{_text(row.comment)}</textarea></details>'
        )
    elif row.comment:
        add(f'<div class="entry-comment-text small">“{escape(row.comment)}”</div>')
    add("</div>")
