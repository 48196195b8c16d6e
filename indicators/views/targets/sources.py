"""Figures from each source side by side: one puskesmas and service (where the planner picks
the target of record), and one desa (where staff propose a local count)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kernel.models import Puskesmas, Village
from kernel.scoping import get_in_area_or_404, in_area
from kernel.web import export, run_service, wants_xlsx

from ... import selectors, services
from ...models import SPMService, Target
from ...rights import can_manage_targets
from .base import Source, _service_label, _year


class TargetProposeForm(forms.Form):
    service = forms.ModelChoiceField(
        label=gettext_lazy("Target group"), queryset=SPMService.objects
    )
    source = forms.ChoiceField(label=gettext_lazy("Source"))
    value = forms.IntegerField(
        label=gettext_lazy("People"),
        min_value=0,
        max_value=services.targets.MAX_PEOPLE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=250,
        required=False,
        help_text=gettext_lazy("Where the count comes from, e.g. the register of January."),
    )

    def __init__(self, *args, service_list: list[SPMService], sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = SPMService.objects.filter(
            pk__in=[s.pk for s in service_list]
        ).order_by("number")
        self.fields["service"].label_from_instance = _service_label
        self.fields["source"].choices = [(s, Source(s).label) for s in sources]


def _figure(target: Target | None):
    return target.value if target is not None else None


def _chosen(target: Target | None) -> list:
    if target is None:
        return ["", "", ""]
    chosen_at = ""
    if target.chosen_at:
        chosen_at = date_format(timezone.localtime(target.chosen_at), "SHORT_DATETIME_FORMAT")
    who = (
        (target.chosen_by.get_full_name() or target.chosen_by.username) if target.chosen_by else ""
    )
    return [target.get_source_display(), who, chosen_at]


@login_required
def target_choose(request, pk):
    """One puskesmas, one service: each desa's figures side by side; the planner picks one."""
    puskesmas = get_in_area_or_404(
        Puskesmas.objects.select_related("district"), request.user, pk=pk
    )
    years = selectors.target_years()
    year = _year(request, years)
    service_list = services.monthly_services(year)
    wanted = request.POST.get("service") or request.GET.get("service")
    service = next((s for s in service_list if str(s.pk) == wanted), service_list[0])
    url = f"{reverse('indicators:target-choose', args=[pk])}?year={year}&service={service.pk}"
    if request.method == "POST":
        ids = [v for k, v in request.POST.items() if k.startswith("r-") and v.isdigit()]
        chosen = in_area(
            Target.objects.filter(
                pk__in=ids, year=year, service=service, village__puskesmas=puskesmas
            ),
            request.user,
        )
        result = {}
        if run_service(
            request,
            None,
            lambda: result.update(count=services.targets_choose(targets=chosen, by=request.user)),
        ):
            messages.success(
                request,
                ngettext(
                    "%(count)s target of record changed.",
                    "%(count)s targets of record changed.",
                    result["count"],
                )
                % result,
            )
        return redirect(url)
    rows = selectors.target_sources(
        user=request.user, year=year, puskesmas=puskesmas, service=service
    )
    if wants_xlsx(request):
        return _sources_export(
            rows,
            f"targets-{puskesmas.code}-{service.code}-{year}.xlsx",
            headers=[_("Village code"), _("Village"), _("Population base")],
            first=lambda r: [r.village.code, r.village.name, r.population],
        )
    status = selectors.target_status(user=request.user, district=puskesmas.district, year=year)
    shown = _shown_sources(rows)
    context = {
        "puskesmas": puskesmas,
        "year": year,
        "years": years,
        "service": service,
        "service_list": service_list,
        "status": status,
        "sources": shown,
        "rows": [(row, [row.figures.get(source.value) for source in shown]) for row in rows],
        "export_query": urlencode({"year": year, "service": service.pk}),
        "rule": rows[0].rule if rows else None,
        "formula": rows[0].rule and selectors.rule_formula(rows[0].rule) if rows else "",
        "can_choose": can_manage_targets(request.user, puskesmas) and not status.approval,
    }
    return render(request, "indicators/target_choose.html", context)


def _shown_sources(rows) -> list:
    """The estimate, and every other source that has a figure on the page."""
    present = {source for row in rows for source in row.figures}
    return [s for s in selectors.targets.SOURCES if s == Source.ESTIMATE or s.value in present]


def _sources_export(rows, filename: str, *, headers: list[str], first) -> HttpResponse:
    """Each row's own columns (`headers`, `first`), then every source's figure and the choice."""
    return export(
        filename=filename,
        sheet=_("Targets"),
        headers=[
            *headers,
            *[s.label for s in selectors.targets.SOURCES],
            _("Target of record"),
            _("Chosen by"),
            _("Chosen at"),
        ],
        rows=rows,
        row=lambda r: [*first(r), *[_figure(t) for t in r.figure_list()], *_chosen(r.of_record)],
    )


@login_required
def target_village(request, pk):
    """One desa: each service's figures side by side, and a form to propose a local count."""
    village = get_in_area_or_404(
        Village.objects.select_related("subdistrict__district", "puskesmas"), request.user, pk=pk
    )
    years = selectors.target_years()
    year = _year(request, years)
    sources = services.proposable_sources(user=request.user, village=village)
    service_list = services.monthly_services(year)
    form = TargetProposeForm(
        request.POST or None,
        service_list=service_list,
        sources=sources,
        initial={"service": request.GET.get("service")},
    )
    if request.method == "POST":
        if not sources:
            raise PermissionDenied
        if form.is_valid() and run_service(
            request,
            form,
            lambda: services.target_propose(
                village=village, year=year, by=request.user, **form.cleaned_data
            ),
        ):
            messages.success(request, _("Figure saved beside the others."))
            return redirect(f"{reverse('indicators:target-village', args=[pk])}?year={year}")
    rows = selectors.village_targets(user=request.user, year=year, village=village)
    if wants_xlsx(request):
        return _sources_export(
            rows,
            f"targets-{village.code}-{year}.xlsx",
            headers=[_("Target group"), _("Population base")],
            first=lambda r: [_service_label(r.service), r.population],
        )
    shown = _shown_sources(rows)
    context = {
        "village": village,
        "year": year,
        "years": years,
        "form": form,
        "export_query": urlencode({"year": year}),
        "can_propose": bool(sources),
        "sources": shown,
        "can_choose": can_manage_targets(request.user, village),
        "rows": [
            (
                row,
                [row.figures.get(source.value) for source in shown],
                row.rule and selectors.rule_formula(row.rule),
            )
            for row in rows
        ],
    }
    return render(request, "indicators/target_village.html", context)
