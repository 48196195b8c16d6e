"""Plan documents to print or file: the RUK (or Dinkes plan) and the RPK, as .xlsx in their usual
column layouts and as PDF (kernel.documents.pdf_from_html: no network, our static files
only); the district's compilation and totals as .xlsx.

Pure: they take what a selector returned and give bytes; no database access.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kernel.documents import pdf_from_html
from kernel.spreadsheets import Sheet, build_workbook

from .models import Activity, Plan
from .selectors import RPK, PlanDetail, Totals


def origin_text(activity: Activity) -> str:
    """Where an activity came from, in one line (the RUK's last column)."""
    Origin = Activity.Origin
    if activity.origin == Origin.GAP and activity.gap_achievement is not None:
        return _(
            "SPM gap, quarter %(quarter)s of %(year)s: %(achievement)s%% achieved against a pace "
            "of %(pace)s%% (target %(target)s, served %(served)s)"
        ) % {
            "quarter": activity.gap_quarter,
            "year": activity.gap_year,
            "achievement": number_format(activity.gap_achievement, 1),
            "pace": number_format(activity.gap_pace, 1),
            "target": activity.gap_target,
            "served": activity.gap_served,
        }
    if activity.origin == Origin.RTL and activity.follow_up_id:
        meeting = activity.follow_up.meeting
        return _("RTL item of %(meeting)s: %(item)s") % {
            "meeting": str(meeting),
            "item": activity.follow_up.activity,
        }
    if activity.origin == Origin.MUSRENBANG and activity.proposal_id:
        return _("Musrenbang proposal: %(title)s") % {"title": activity.proposal.title}
    return str(activity.get_origin_display())


def plan_title(plan: Plan) -> str:
    if plan.is_dinkes:
        return _("Dinkes activity plan %(district)s %(year)s") % {
            "district": plan.district.name,
            "year": plan.year,
        }
    return _("RUK %(puskesmas)s %(year)s") % {"puskesmas": plan.puskesmas.name, "year": plan.year}


def plan_filename(plan: Plan, kind: str, extension: str) -> str:
    owner = plan.district.code if plan.is_dinkes else plan.puskesmas.code
    return f"{kind}-{owner}-{plan.year}.{extension}"


RUK_HEADERS = (
    gettext_noop("No."),
    gettext_noop("Health effort"),
    gettext_noop("Activity"),
    gettext_noop("Goal"),
    gettext_noop("Target group"),
    gettext_noop("Target to reach"),
    gettext_noop("Person responsible"),
    gettext_noop("Equipment needed"),
    gettext_noop("Staff needed"),
    gettext_noop("Partners"),
    gettext_noop("Timing"),
    gettext_noop("Budget needed (Rp)"),
    gettext_noop("Performance indicator"),
    gettext_noop("Funding source"),
    gettext_noop("SPM service"),
    gettext_noop("Budget sub-activity code"),
    gettext_noop("Origin"),
    gettext_noop("Posyandu or UKBM"),  # issue #17: the UKBM the activity develops
)


def _ruk_headers() -> list[str]:
    # The same English msgids the templates use, translated when the file is built.
    return [_(header) for header in RUK_HEADERS]


def ruk_row(number: int, activity: Activity) -> list:
    return [
        number,
        activity.effort,
        activity.name,
        activity.goal,
        activity.target_group,
        activity.target,
        activity.responsible,
        activity.equipment_needed,
        activity.staff_needed,
        activity.partners,
        activity.timing,
        activity.budget_idr,
        activity.indicator,
        activity.get_funding_source_display(),
        f"{activity.service.number}. {activity.service.label}" if activity.service else "",
        activity.sub_activity.code if activity.sub_activity else "",
        origin_text(activity),
        str(activity.service_point) if activity.service_point else "",
    ]


def ruk_xlsx(detail: PlanDetail) -> bytes:
    """The RUK in its usual columns (DOMAIN.md §3, P1), then the totals by funding source."""
    rows = [ruk_row(n, a) for n, a in enumerate(detail.activities, start=1)]
    rows.append(["", "", _("Total"), *[""] * 8, detail.total])
    sources = [[line.label, line.count, line.total] for line in detail.by_source]
    sources.append([_("Total"), detail.count, detail.total])
    return build_workbook(
        sheet=plan_title(detail.plan),
        headers=_ruk_headers(),
        rows=rows,
        more=[
            Sheet(
                _("Per funding source"),
                [_("Funding source"), _("Activities"), _("Budget (Rp)")],
                sources,
            )
        ],
    )


def ruk_pdf(detail: PlanDetail, *, base_url: str) -> bytes:
    html = render_to_string(
        "planning/plan_pdf.html", {"detail": detail, "title": plan_title(detail.plan)}
    )
    return pdf_from_html(html, base_url=base_url)


def rpk_xlsx(rpk: RPK) -> bytes:
    """The RPK: one row per approved activity with its cost in each month it runs, then every
    schedule entry (month, volume, location, details, cost)."""
    months = [m.name for m in rpk.months]
    rows = []
    for number, line in enumerate(rpk.lines, start=1):
        per_month = dict.fromkeys(range(1, 13))
        for entry in line.entries:
            per_month[entry.month] = (per_month[entry.month] or 0) + entry.cost_idr
        activity = line.activity
        rows.append(
            [
                number,
                activity.effort,
                activity.name,
                activity.target_group,
                activity.target,
                activity.responsible,
                *[per_month[m] for m in range(1, 13)],
                line.scheduled_idr,
                activity.budget_idr,
                activity.get_funding_source_display(),
            ]
        )
    rows.append(
        ["", "", _("Total"), "", "", "", *[m.total for m in rpk.months], rpk.total, rpk.budget]
    )
    entries = [
        [
            str(entry.month),
            rpk.months[entry.month - 1].name,
            line.activity.name,
            entry.volume,
            entry.location,
            entry.details,
            entry.cost_idr,
        ]
        for line in rpk.lines
        for entry in line.entries
    ]
    entries.sort(key=lambda row: int(row[0]))
    return build_workbook(
        sheet=_("RPK %(year)s") % {"year": rpk.plan.year},
        headers=[
            _("No."),
            _("Health effort"),
            _("Activity"),
            _("Target group"),
            _("Target to reach"),
            _("Person responsible"),
            *months,
            _("Scheduled (Rp)"),
            _("Budget (Rp)"),
            _("Funding source"),
        ],
        rows=rows,
        more=[
            Sheet(
                _("Schedule"),
                [
                    _("Month"),
                    _("Month name"),
                    _("Activity"),
                    _("Volume"),
                    _("Location"),
                    _("Details"),
                    _("Cost (Rp)"),
                ],
                entries,
            )
        ],
    )


def rpk_pdf(rpk: RPK, *, base_url: str) -> bytes:
    html = render_to_string("planning/rpk_pdf.html", {"rpk": rpk})
    return pdf_from_html(html, base_url=base_url)


def totals_xlsx(totals: Totals, *, area: str) -> bytes:
    """The year's totals: by plan and funding source, by funding source, by SPM service and by
    budget sub-activity code."""
    sources = totals.sources
    owners = [
        [line.district, line.name, line.status_label, *line.cells, line.total]
        for line in totals.owners
    ]
    owners.append(["", _("Total"), "", *[s.total for s in sources], totals.total])

    def codes(lines):
        return [[c.code, c.label, c.count, c.dinkes, c.puskesmas, c.total] for c in lines]

    code_headers = [_("Activities"), _("Dinkes (Rp)"), _("Puskesmas (Rp)"), _("Total (Rp)")]
    return build_workbook(
        sheet=_("Per plan"),
        headers=[_("District"), _("Plan"), _("Status"), *[s.label for s in sources], _("Total")],
        rows=owners,
        more=[
            Sheet(
                _("Per funding source"),
                [_("Funding source"), _("Activities"), _("Budget (Rp)")],
                [[s.label, s.count, s.total] for s in sources]
                + [[_("Total"), totals.count, totals.total]],
            ),
            Sheet(
                _("Per SPM service"),
                [_("No."), _("SPM service"), *code_headers],
                codes(totals.by_service),
            ),
            Sheet(
                _("Per budget code"),
                [_("Code"), _("Budget sub-activity"), *code_headers],
                codes(totals.by_sub_activity),
            ),
            Sheet(_("About"), [_("Area"), _("Year")], [[area, totals.year]]),
        ],
    )
