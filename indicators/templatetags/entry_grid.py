"""The monthly entry grid as HTML, built in Python (issues #13, #15).

The grid is every desa of the puskesmas x 12 services (about 200 cells, each with an input, its
figures, warnings and a comment). Rendered through the template engine it cost about 70 % of the
page's server time; here it is one pass of string joins, with every value escaped.

One markup, laid out two ways by css/simpul.css ("Entry grid (#15)"): a table, rows desa and
columns services (<th> headers with scope), which wide screens show as a grid with a sticky
header row and first column; phones show the same cells as cards grouped by service, each
service's header a <details> that opens and closes its column. Inputs keep their names
(`v-`/`o-`/`c-<village>-<service>`), so the full-form save, per-cell saves and the offline draft
read them as before; static/js/report-entry.js adds keyboard movement and block paste.
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
    """The entry form's grid (see report_entry.html) from `selectors.report_entry`'s groups
    (one per service, each with a row per desa), for entry or read only."""
    if not groups:
        return mark_safe("")
    separator = get_format("THOUSAND_SEPARATOR")
    words = {
        "ytd_group": escape(_("year to date")),
        "ytd": escape(_("YTD")),
        "comment": escape(_("Comment")),
        "no_target": escape(_("no target")),  # target 0 or none: never "88 / 0" (#15 part A)
    }
    out: list[str] = []
    add = out.append
    add(
        '<div id="entry-grid" data-pasted="{}" data-pasted-one="{}" data-skipped="{}" '
        'data-outside="{}">'.format(
            *(
                escape(text)
                for text in (
                    _("Pasted %(count)s values"),
                    _("Pasted 1 value"),
                    _("%(count)s skipped: not numbers"),
                    _("%(count)s left out: outside the grid"),
                )
            )
        )
    )
    if can_enter:
        add(
            '<p class="eg-hint">{}</p><span id="eg-c" hidden>{}</span>'.format(
                escape(
                    _(
                        "Arrow keys, Enter and Tab move between cells; Shift+F2 opens a cell's "
                        "comment. A block copied from a spreadsheet can be pasted into a cell."
                    )
                ),
                words["comment"],
            )
        )
    add(
        '<p id="eg-status" class="eg-status" role="status"></p>'
        '<div class="entry-grid-wrap"><table class="entry-grid">'
        f'<caption class="visually-hidden">{escape(_("Values of the month by desa and service"))}'
        f'</caption><thead><tr><th scope="col" class="eg-corner">{escape(_("Desa"))}</th>'
    )
    for index, group in enumerate(groups):
        _head(add, group, index == 0 or group.has_problem, words, separator)
    add("</tr></thead><tbody>")
    heads = [f"eg-s{group.service.pk}" for group in groups]
    for rows in zip(*(group.rows for group in groups), strict=True):
        village = rows[0].village
        name = escape(village.name)  # once per desa, not per cell
        add(f'<tr><th scope="row" id="eg-d{village.pk}">{name}</th>')
        for row, head in zip(rows, heads, strict=True):
            _cell(add, row, name, f"eg-d{village.pk} {head}", can_enter, words, separator)
        add("</tr>")
    add("</tbody></table></div></div>")
    return mark_safe("".join(out))  # every value above is escaped


def _head(add, group, is_open: bool, words: dict[str, str], separator: str) -> None:
    service, target, ytd = group.service, group.target, group.year_to_date
    add(
        f'<th scope="col" class="service-group" data-service="{service.pk}">'
        f"<details{' open' if is_open else ''}><summary>"
        f'<span class="eg-service" id="eg-s{service.pk}">{service.number}. '
        f"{escape(service.label)}</span> "
        f'<span class="group-figures">{words["ytd_group"]} '
        f'<b class="gytd">{_number(ytd, separator)}</b> '
        + (
            f'/ <span class="gtarget">{_number(target, separator)}</span>'
            if target
            else f'· <span class="gtarget no-target">{words["no_target"]}</span>'
        )
    )
    if target:
        add(f' · <b class="gpct">{_percent(100 * ytd / target)}</b>')
    add(f"</span></summary><p>{escape(service.numerator)}</p></details></th>")


def _cell(add, row, village: str, names: str, can_enter: bool, words, separator: str) -> None:
    """One cell: `village` is the desa's escaped name, `names` the ids of its two headers."""
    field, target = row.field, row.target
    key = field[1:]  # "-<village>-<service>"
    # id: the review summary's and the return notes' links land on the cell (part E).
    data = "" if target is None else f' data-target="{target}"'
    if row.before:
        data += f' data-before="{row.before}"'
    add(f'<td class="entry-row{" has-problem" if row.warnings else ""}" id="cell{key}"{data}')
    if can_enter:
        seen_value, seen_comment = row.seen
        add(
            f'><label class="entry-label" for="{field}">{village}</label>'
            f'<input class="form-control entry-input" inputmode="numeric" name="{field}" '
            f'id="{field}" value="{_text(row.value)}" aria-labelledby="{names}" '
            f'aria-describedby="f{field}"><input type="hidden" name="o{key}" '
            f'value="{_text(seen_value)}">'
        )
        if seen_comment:
            add(f'<input type="hidden" name="oc{key}" value="{escape(seen_comment)}">')
    else:
        add(
            f'><span class="entry-label">{village}</span><span class="entry-value">'
            f"{'–' if row.value is None else _text(row.value)}</span>"
        )
    add(
        f'<small class="entry-figures" id="f{field}">{words["ytd"]} '
        f'<b class="ytd">{_number(row.year_to_date, separator)}</b> '
        + (f"/ {target}" if target else f'· <span class="no-target">{words["no_target"]}</span>')
    )
    if target:
        add(f' · <b class="pct">{_percent(row.achievement)}</b>')
    add("</small>")
    for message in row.warnings:
        add(f'<div class="entry-problem">{escape(message)}</div>')
    if can_enter:
        add(
            f'<details class="entry-comment"{" open" if row.comment or row.warnings else ""}>'
            f'<summary>{words["comment"]}</summary><textarea class="form-control" rows="2" '
            f'name="c{key}" aria-labelledby="eg-c {names}">{_text(row.comment)}</textarea>'
            "</details>"
        )
    elif row.comment:
        add(f'<div class="entry-comment-text">“{escape(row.comment)}”</div>')
    add("</td>")
