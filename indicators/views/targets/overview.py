"""The year's targets overview with its Excel export, and the district's actions on it:
estimate, choose a source, approve and reopen."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from kernel.models import District, Puskesmas
from kernel.scoping import get_in_area_or_404
from kernel.web import export, run_service, wants_xlsx

from ... import selectors, services
from ...rights import can_manage_targets
from .base import Source, _can_import, _overview_url, _service_label, _year


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for reopening"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _scope(request) -> tuple[District | None, Puskesmas | None]:
    """The district and puskesmas an overview shows: the user's own, or one picked inside it."""
    user, district, puskesmas = request.user, None, None
    if request.GET.get("puskesmas"):
        puskesmas = get_in_area_or_404(
            Puskesmas.objects.select_related("district"), user, pk=request.GET["puskesmas"]
        )
    elif user.puskesmas_id:
        puskesmas = user.puskesmas
    if puskesmas is not None:
        district = puskesmas.district
    elif request.GET.get("district"):
        district = get_in_area_or_404(District, user, pk=request.GET["district"])
    elif user.district_id:
        district = user.district
    return district, puskesmas


def _unit_name(unit) -> str:
    if unit is None:
        return _("Desa outside any working area")
    return unit.name


@login_required
def target_list(request):
    years = selectors.target_years()
    year = _year(request, years)
    district, puskesmas = _scope(request)
    overview = selectors.target_overview(
        user=request.user, year=year, district=district, puskesmas=puskesmas
    )
    if wants_xlsx(request):
        return _overview_export(overview, by_service=request.GET.get("table") == "services")
    status = district and selectors.target_status(user=request.user, district=district, year=year)
    keep = [
        (name, request.GET[name]) for name in ("district", "puskesmas") if request.GET.get(name)
    ]
    context = {
        "query_keep": keep,
        "export_query": urlencode([("year", year), *keep]),
        "overview": overview,
        "year": year,
        "years": years,
        "district": district,
        "puskesmas": puskesmas,
        "status": status,
        "sources": Source.choices,
        "can_manage": bool(district and can_manage_targets(request.user, district)),
        "can_import": _can_import(request.user),
        "reopen_form": ReopenForm(),
    }
    return render(request, "indicators/target_list.html", context)


def _overview_export(overview, *, by_service: bool) -> HttpResponse:
    year = overview.year
    if by_service:
        return export(
            filename=f"targets-by-service-{year}.xlsx",
            sheet=_("Targets %(year)s") % {"year": year},
            headers=[
                _("Target group"),
                _("Target of record"),
                *[s.label for s in selectors.targets.SOURCES],
                _("Desa without a target of record"),
            ],
            rows=overview.service_totals,
            row=lambda pair: [
                _service_label(pair[0]),
                pair[1].of_record,
                *pair[1].source_values(),
                pair[1].missing,
            ],
        )
    unit_header = {"district": _("District"), "puskesmas": "Puskesmas", "village": _("Village")}
    return export(
        filename=f"targets-{year}.xlsx",
        sheet=_("Targets %(year)s") % {"year": year},
        headers=[
            unit_header[overview.level],
            _("Villages"),
            *[_service_label(s) for s in overview.services],
            _("Desa x services without a target of record"),
        ],
        rows=overview.rows,
        row=lambda r: [
            _unit_name(r.unit),
            r.village_count,
            *[cell.of_record for cell in r.cells],
            r.missing,
        ],
    )


def _district_action(request, pk, call, success) -> HttpResponse:
    """Scope the district, run one service with the posted year, report, back to the overview."""
    district = get_in_area_or_404(District, request.user, pk=pk)
    year = _year(request)
    result = {}
    if run_service(request, None, lambda: result.update(value=call(district, year))):
        success(result["value"], year)
    return redirect(_overview_url(year, district))


@login_required
@require_POST
def target_estimate(request, pk):
    def done(summary, year):
        messages.success(
            request,
            ngettext("%(count)s estimate saved.", "%(count)s estimates saved.", summary.saved)
            % {"count": summary.saved},
        )
        if summary.services_without_rule:
            messages.warning(
                request,
                _("No rule estimates %(services)s: enter these from the program's figures.")
                % {"services": ", ".join(_service_label(s) for s in summary.services_without_rule)},
            )
        if summary.villages_without_population:
            messages.warning(
                request,
                ngettext(
                    "%(count)s desa has no population for %(year)s yet: import it first.",
                    "%(count)s desa have no population for %(year)s yet: import it first.",
                    summary.villages_without_population,
                )
                % {"count": summary.villages_without_population, "year": year},
            )

    return _district_action(
        request,
        pk,
        lambda district, year: services.targets_estimate(
            district=district, year=year, by=request.user
        ),
        done,
    )


@login_required
@require_POST
def target_choose_source(request, pk):
    source = request.POST.get("source", "")

    def done(count, year):
        label = Source(source).label
        messages.success(
            request,
            ngettext(
                "%(source)s is now the target of record for %(count)s desa and service.",
                "%(source)s is now the target of record for %(count)s desa and services.",
                count,
            )
            % {"source": label, "count": count},
        )

    return _district_action(
        request,
        pk,
        lambda district, year: services.targets_choose_source(
            district=district, year=year, source=source, by=request.user
        ),
        done,
    )


@login_required
@require_POST
def target_approve(request, pk):
    def done(approval, year):
        messages.success(request, _("The %(year)s targets are approved.") % {"year": year})

    return _district_action(
        request,
        pk,
        lambda district, year: services.targets_approve(
            district=district, year=year, by=request.user
        ),
        done,
    )


@login_required
@require_POST
def target_reopen(request, pk):
    def done(_none, year):
        messages.success(
            request, _("The %(year)s targets are open for changes again.") % {"year": year}
        )

    return _district_action(
        request,
        pk,
        lambda district, year: services.targets_reopen(
            district=district, year=year, reason=request.POST.get("reason", ""), by=request.user
        ),
        done,
    )
