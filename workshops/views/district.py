"""District views: the follow-up board, commitments by partner, Musrenbang proposals by
kecamatan and their outcomes, and the management score (issue #6, items 4 and 5).

Each view scopes through the selectors (which start from `in_area`), renders or exports the same
rows to .xlsx, and writes only through `services`.
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.models import FundingSource
from kernel.scoping import get_in_area_or_404
from kernel.spreadsheets import XLSX_CONTENT_TYPE, Sheet, build_workbook
from kernel.tables import Action, Col, Table, table_page
from kernel.web import paginate, run_service, safe_next, wants_xlsx

from .. import rights, selectors, services
from ..forms.district import (
    BoardFilterForm,
    ProposalFilterForm,
    ProposalOutcomeForm,
    YearForm,
)
from ..models import MusrenbangProposal, Tracked
from ..selectors.district import COUNT_COLUMNS, RTL


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _partner_sheet(title: str, table) -> Sheet:
    def line(label: str, district: str, row: dict) -> list:
        return [label, district, *(row[name] for name in COUNT_COLUMNS)]

    rows = [
        line(
            row["partner__name"] or _("Without partner organisation"),
            row["partner__district__name"] or "",
            row,
        )
        for row in table.rows
    ]
    rows.append(line(_("Total"), "", table.total))
    return Sheet(title=title, headers=_partner_headers(), rows=rows)


def _partner_headers() -> list[str]:
    return [
        _("Partner organisation"),
        _("District"),
        _("Planned"),
        _("In progress"),
        _("Done"),
        _("Dropped"),
        _("Overdue"),
        _("Total"),
    ]


def _partners_xlsx(*, commitments, follow_ups, year: int | None) -> HttpResponse:
    first = _partner_sheet(_("Commitments"), commitments)
    second = _partner_sheet(_("RTL items"), follow_ups)
    content = build_workbook(
        sheet=first.title, headers=first.headers, rows=first.rows, more=[second]
    )
    return _xlsx(content, f"partners-{year or 'all'}.xlsx")


def _proposals_xlsx(*, proposals, totals: list[dict], grand_total: dict) -> HttpResponse:
    outcomes = dict(MusrenbangProposal.Outcome.choices)
    funding = dict(FundingSource.choices)
    rows = [
        [
            p.subdistrict.district.name,
            p.subdistrict.name,
            p.village.name if p.village else "",
            p.priority,
            p.title,
            p.service.label if p.service else "",
            p.volume,
            p.estimated_cost_idr,
            p.meeting.title,
            p.meeting.held_on,
            outcomes.get(p.outcome, p.outcome),
            funding.get(p.funding_source, p.funding_source),
            p.budget_year,
            p.outcome_note,
        ]
        for p in proposals
    ]
    headers = [
        _("District"),
        _("Subdistrict"),
        _("Village"),
        _("Priority"),
        _("Proposal"),
        _("SPM service"),
        _("Volume"),
        _("Estimated cost (Rp)"),
        _("Meeting"),
        _("Meeting date"),
        _("Outcome"),
        _("Funded from"),
        _("Budget year"),
        _("Outcome note"),
    ]
    names = ("pending", "accepted", "rejected", "funded", "total", "estimated_idr", "funded_idr")
    total_rows = [
        [t["subdistrict__district__name"], t["subdistrict__name"], *(t[n] for n in names)]
        for t in totals
    ]
    total_rows.append([_("Total"), "", *(grand_total[n] for n in names)])
    summary = Sheet(
        title=_("Totals by subdistrict"),
        headers=[
            _("District"),
            _("Subdistrict"),
            *(outcomes[n] for n in names[:4]),
            _("Total"),
            _("Estimated cost (Rp)"),
            _("Funded cost (Rp)"),
        ],
        rows=total_rows,
    )
    content = build_workbook(
        sheet=_("Musrenbang proposals"), headers=headers, rows=rows, more=[summary]
    )
    return _xlsx(content, "musrenbang-proposals.xlsx")


def _score_bands_sheet(bands) -> Sheet:
    return Sheet(
        title=_("Score bands"),
        headers=[
            _("Kind of meeting"),
            _("Held at least"),
            _("Held at most"),
            _("Score"),
            _("Source"),
        ],
        rows=[
            [band.get_kind_display(), band.min_held, band.max_held, band.score, band.source]
            for band in [*bands.monthly, *bands.quarterly]
        ],
    )


def _many_districts(user) -> bool:
    """Province reviewers and administrators see several districts: tables name the district."""
    return not (user.district_id or user.puskesmas_id)


def _item_status_badge(row: dict) -> str:
    if row["is_late"]:
        return "text-bg-danger"
    return {
        "done": "text-bg-success",
        "in_progress": "text-bg-primary",
        "dropped": "text-bg-light border",
    }.get(row["status"], "text-bg-secondary")


def _item_url(row: dict) -> str:
    name = "workshops:followup-status" if row["item_type"] == RTL else "workshops:commitment-status"
    return reverse(name, args=[row["pk"]])


BOARD_TABLE = Table(
    filename="follow-up.xlsx",
    sheet=gettext_lazy("Follow-up"),
    empty=gettext_lazy("No RTL item or commitment in your area matches."),
    columns=[
        Col(
            gettext_lazy("Kind of item"),
            lambda r: _("RTL item") if r["item_type"] == RTL else _("Commitment"),
            phone=False,
            badge=lambda r: "text-bg-info" if r["item_type"] == RTL else "text-bg-warning",
        ),
        Col(gettext_lazy("RTL item or commitment"), "item_text", wrap=True),
        Col(
            gettext_lazy("Meeting"),
            "meeting_title",
            wrap=True,
            link=lambda r: reverse("workshops:meeting-detail", args=[r["meeting_pk"]]),
        ),
        Col(gettext_lazy("Kind of meeting"), "kind_label", phone=False),
        Col(gettext_lazy("Meeting date"), "meeting_held_on", format="date", phone=False),
        Col("Puskesmas", "puskesmas_name", phone=False),
        Col(gettext_lazy("District"), "district_name", phone=False),
        Col(gettext_lazy("Responsible or party"), "item_who", wrap=True, phone=False),
        Col(gettext_lazy("Partner organisation"), "partner_label", wrap=True, phone=False),
        Col(gettext_lazy("Due date"), "due_on", format="date"),
        Col(gettext_lazy("Status"), "status_label", badge=_item_status_badge),
        Col(
            gettext_lazy("Overdue"),
            "is_late",
            format="yesno",
            phone=False,
            badge=lambda r: "text-bg-danger" if r["is_late"] else "",
        ),
        # Issue #17: the posyandu or other UKBM an RTL item names.
        Col(gettext_lazy("Posyandu or UKBM"), "service_point_name", wrap=True, phone=False),
    ],
    actions=[Action(gettext_lazy("Details"), _item_url)],
)


@login_required
def followup_board(request):
    form = BoardFilterForm(request.GET or None, user=request.user)
    filters, today = form.filters(), timezone.localdate()
    # The counts above the table also give the paginator its count: no COUNT of every item.
    counts = selectors.followup_counts(user=request.user, filters=filters, today=today)
    rows = selectors.followup_board(user=request.user, filters=filters, today=today, counts=counts)
    params = request.GET.copy()
    for name in ("status", "overdue", "page", "format"):
        params.pop(name, None)
    context = {
        "form": form,
        "filters": filters,
        "counts": counts,
        "status_counts": [(s, label, counts[s]) for s, label in Tracked.Status.choices],
        "base_query": params.urlencode(),
    }
    return table_page(
        request,
        table=BOARD_TABLE,
        rows=rows,
        template="workshops/board.html",
        context=context,
        prepare=selectors.board_labels,
    )


@login_required
def commitment_partners(request):
    form = YearForm(request.GET or None, blank=_("All years"))
    year = form.chosen_year()
    commitments = selectors.commitments_by_partner(user=request.user, year=year)
    follow_ups = selectors.followups_by_partner(user=request.user, year=year)
    if wants_xlsx(request):
        return _partners_xlsx(commitments=commitments, follow_ups=follow_ups, year=year)
    context = {
        "form": form,
        "year": year,
        "show_district": _many_districts(request.user),
        "tables": [
            ("commitment", _("Commitments"), commitments),
            ("rtl", _("RTL items"), follow_ups),
        ],
    }
    return render(request, "workshops/partners.html", context)


@login_required
def proposal_board(request):
    form = ProposalFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    proposals = selectors.proposal_list(user=request.user, filters=filters)
    totals, grand_total = selectors.proposal_totals(user=request.user, filters=filters)
    if wants_xlsx(request):
        return _proposals_xlsx(proposals=proposals, totals=totals, grand_total=grand_total)
    context = {
        "form": form,
        "totals": totals,
        "grand_total": grand_total,
        "show_district": _many_districts(request.user),
    }
    page = paginate(request, proposals)
    for proposal in page["rows"]:
        proposal.can_record = rights.can_follow_up(request.user, proposal.meeting)
    return render(request, "workshops/musrenbang.html", {**context, **page})


@login_required
def proposal_outcome(request, pk):
    proposal = get_in_area_or_404(
        MusrenbangProposal.objects.select_related(
            "meeting", "subdistrict", "village", "service", "outcome_by"
        ),
        request.user,
        pk=pk,
    )
    if not rights.can_follow_up(request.user, proposal.meeting):
        raise PermissionDenied(_("You may not record the outcome of this proposal."))
    initial = {
        "outcome": proposal.outcome,
        "funding_source": proposal.funding_source,
        "budget_year": proposal.budget_year,
        "note": proposal.outcome_note,
        "version": proposal.version,
    }
    form = ProposalOutcomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        call = lambda: services.proposal_outcome_save(  # noqa: E731
            proposal=proposal,
            outcome=data["outcome"],
            funding_source=data["funding_source"],
            budget_year=data["budget_year"],
            note=data["note"],
            by=request.user,
            version=data["version"],
        )
        if run_service(request, form, call):
            messages.success(request, _("Outcome of the proposal saved."))
            return redirect(safe_next(request, "workshops:proposal-board"))
    context = {"proposal": proposal, "form": form, "next": safe_next(request, "")}
    return render(request, "workshops/musrenbang_outcome.html", context)


def _score_badge(score: int | None) -> str:
    if score is None:
        return "text-bg-light border"
    if score >= 10:
        return "text-bg-success"
    return "text-bg-warning" if score >= 7 else "text-bg-danger"


SCORE_TABLE = Table(
    filename="management-score.xlsx",
    sheet=gettext_lazy("Management score"),
    empty=gettext_lazy("No puskesmas in your area."),
    columns=[
        Col(gettext_lazy("District"), "puskesmas.district.name", phone=False),
        Col("Puskesmas", "puskesmas.name", wrap=True),
        Col(gettext_lazy("Monthly lokmin held"), "monthly_held", format="number"),
        Col(
            gettext_lazy("Score (monthly)"),
            "monthly_score",
            format="number",
            badge=lambda r: _score_badge(r.monthly_score),
        ),
        Col(gettext_lazy("Quarterly lokmin held"), "quarterly_held", format="number"),
        Col(
            gettext_lazy("Score (quarterly)"),
            "quarterly_score",
            format="number",
            badge=lambda r: _score_badge(r.quarterly_score),
        ),
    ],
)


@login_required
def management_score(request):
    form = YearForm(request.GET or None)
    year = form.chosen_year() or int(form.fields["year"].choices[0][0])
    bands = selectors.score_bands()
    table = replace(
        SCORE_TABLE,
        filename=f"management-score-{year}.xlsx",
        sheet=_("Management score %(year)s") % {"year": year},
    )
    groups = [
        (_("Monthly lokmin"), bands.monthly),
        (_("Quarterly cross-sector lokmin"), bands.quarterly),
    ]
    return table_page(
        request,
        table=table,
        rows=selectors.lokmin_held(user=request.user, year=year),
        template="workshops/score.html",
        context={"form": form, "year": year, "bands": bands, "band_groups": groups},
        prepare=lambda rows: selectors.management_scores(rows, bands=bands),
        more=[_score_bands_sheet(bands)],
    )


urlpatterns = [
    path("follow-up/", followup_board, name="followup-board"),
    path("follow-up/partners/", commitment_partners, name="commitment-partners"),
    path("musrenbang/", proposal_board, name="proposal-board"),
    path("musrenbang/<int:pk>/outcome/", proposal_outcome, name="proposal-outcome"),
    path("management-score/", management_score, name="management-score"),
]
