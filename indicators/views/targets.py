"""Targets (sasaran) pages: the year's overview and approval, figures from each source side by
side, population per desa with its Excel template, and the estimate rules (issue #4).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import UploadForm
from ..models import AgeBand, District, Puskesmas, SPMService, Target, Village
from ..scoping import can_manage_targets, get_in_area_or_404, in_area
from ..spreadsheets import XLSX_CONTENT_TYPE
from ..web import export, paginate, run_service, wants_xlsx

Source = Target.Source

# --- Forms (kept beside their views; indicators/forms.py holds the organisation's) ---------------


def _service_label(service: SPMService) -> str:
    """A service by its target group, which is what a target counts: "1. Estimated pregnant
    women"."""
    return f"{service.number}. {service.denominator}"


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


class EstimateRuleForm(forms.Form):
    service = forms.ModelChoiceField(
        label=gettext_lazy("Target group"), queryset=SPMService.objects
    )
    band = forms.ModelChoiceField(
        label=gettext_lazy("Population base"), queryset=AgeBand.objects.order_by("order")
    )
    factor = forms.DecimalField(
        label=gettext_lazy("Factor"),
        max_digits=6,
        decimal_places=3,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("e.g. 1.1 for pregnant women, 1.05 for women giving birth."),
    )
    rate = forms.DecimalField(
        label=gettext_lazy("Rate"),
        max_digits=9,
        decimal_places=6,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy(
            "A share of the population base: the crude birth rate (0.0164), a prevalence "
            "(0.308), or 1 for everyone in the base."
        ),
    )
    rate_source = forms.CharField(
        label=gettext_lazy("Source of the rate"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("e.g. BPS 2024 district crude birth rate, or SKI 2023."),
    )

    def __init__(self, *args, service_list: list[SPMService], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = SPMService.objects.filter(
            pk__in=[s.pk for s in service_list]
        ).order_by("number")
        self.fields["service"].label_from_instance = _service_label


class PopulationUploadForm(UploadForm):
    source = forms.CharField(
        label=gettext_lazy("Source of the counts"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("e.g. Dukcapil, semester 2 of 2024."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for reopening"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Helpers -------------------------------------------------------------------------------------


def _year(request, years: list[int] | None = None) -> int:
    years = selectors.target_years() if years is None else years
    return selectors.target_year(request.POST.get("year") or request.GET.get("year"), years)


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


def _overview_url(year: int, district: District | None = None) -> str:
    url = f"{reverse('indicators:target-list')}?year={year}"
    return f"{url}&district={district.pk}" if district else url


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


def _unit_name(unit) -> str:
    if unit is None:
        return _("Desa outside any working area")
    return unit.name


# --- Overview and approval -----------------------------------------------------------------------


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
        "can_manage": bool(district and can_manage_targets(request.user, district.pk)),
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


# --- Sources side by side ------------------------------------------------------------------------


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
        "can_choose": can_manage_targets(request.user, puskesmas.district_id)
        and not status.approval,
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
        "can_choose": can_manage_targets(request.user, village.subdistrict.district_id),
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


# --- Figures from Excel ------------------------------------------------------------------------


class TargetUploadForm(UploadForm):
    source = forms.ChoiceField(label=gettext_lazy("Source of the figures"))

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s, Source(s).label) for s in sources]


def _can_import(user) -> bool:
    try:
        services.target_import_scope(by=user)
    except PermissionDenied:
        return False
    return True


def _import_scope(request) -> tuple[District, tuple[str, ...]]:
    """The district and sources the user may import for; PermissionDenied (403) otherwise."""
    district, _villages, sources = services.target_import_scope(by=request.user)
    return district, sources


@login_required
def target_template(request):
    _district, sources = _import_scope(request)
    year = _year(request)
    source = request.GET.get("source") if request.GET.get("source") in sources else sources[0]
    content = services.target_template(year=year, source=source, by=request.user)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="targets-{source}-{year}.xlsx"'
    return response


@login_required
def target_import(request):
    district, sources = _import_scope(request)
    years = selectors.target_years()
    year = _year(request, years)
    form = TargetUploadForm(
        request.POST or None,
        request.FILES or None,
        sources=sources,
        initial={"source": request.GET.get("source")},
    )
    if request.method == "POST" and form.is_valid():
        result = {}
        if run_service(
            request,
            form,
            lambda: result.update(
                count=services.targets_import(
                    year=year,
                    source=form.cleaned_data["source"],
                    upload=form.cleaned_data["file"],
                    by=request.user,
                )
            ),
        ):
            messages.success(
                request,
                ngettext("%(count)s figure saved.", "%(count)s figures saved.", result["count"])
                % result,
            )
            return redirect(_overview_url(year))
    context = {
        "form": form,
        "year": year,
        "years": years,
        "district": district,
        "sources": [(s, Source(s).label) for s in sources],
    }
    return render(request, "indicators/target_import.html", context)


# --- Population ----------------------------------------------------------------------------------


def _planner_district(request) -> District:
    district = request.user.district if request.user.district_id else None
    if district is None or not can_manage_targets(request.user, district.pk):
        raise PermissionDenied
    return district


@login_required
def population_list(request):
    years = selectors.target_years()
    year = _year(request, years)
    search = request.GET.get("q", "").strip()
    bands, villages = selectors.population_list(user=request.user, year=year, search=search)
    if wants_xlsx(request):
        return export(
            filename=f"population-{year}.xlsx",
            sheet=_("Population %(year)s") % {"year": year},
            headers=[
                _("Village code"),
                _("Village"),
                _("Subdistrict"),
                "Puskesmas",
                *[b.label for b in bands],
                _("Source"),
            ],
            rows=villages,
            row=lambda v: [
                v.code,
                v.name,
                v.subdistrict.name,
                v.puskesmas.name if v.puskesmas else "",
                *selectors.population_counts(v, bands),
                v.population_source or "",
            ],
        )
    context = {
        "year": year,
        "years": years,
        "bands": bands,
        "search": search,
        "can_import": bool(
            request.user.district_id and can_manage_targets(request.user, request.user.district_id)
        ),
        **paginate(request, villages),
    }
    context["rows"] = [(v, selectors.population_counts(v, bands)) for v in context["rows"]]
    return render(request, "indicators/population_list.html", context)


@login_required
def population_template(request):
    district = _planner_district(request)
    year = _year(request)
    content = services.village_population_template(district=district, year=year, by=request.user)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"population-{district.code}-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def population_import(request):
    district = _planner_district(request)
    years = selectors.target_years()
    year = _year(request, years)
    form = PopulationUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = {}
        if run_service(
            request,
            form,
            lambda: result.update(
                count=services.village_population_import(
                    district=district,
                    year=year,
                    upload=form.cleaned_data["file"],
                    source=form.cleaned_data["source"],
                    by=request.user,
                )
            ),
        ):
            messages.success(
                request,
                _("%(count)s population figures saved. Estimate the targets again to use them.")
                % result,
            )
            return redirect(f"{reverse('indicators:population-list')}?year={year}")
    context = {"form": form, "year": year, "years": years, "district": district}
    return render(request, "indicators/population_import.html", context)


# --- Estimate rules ------------------------------------------------------------------------------


@login_required
def estimaterule_list(request):
    years = selectors.target_years()
    year = _year(request, years)
    rows = selectors.estimate_rule_list(user=request.user, year=year)
    formula = selectors.rule_formula
    if wants_xlsx(request):
        return export(
            filename=f"estimate-rules-{year}.xlsx",
            sheet=_("Estimate rules"),
            headers=[
                _("Target group"),
                _("Default"),
                _("Source of the rate"),
                _("District"),
                _("District's own rule"),
                _("Source of the rate"),
            ],
            rows=[(r, o) for r in rows for o in (r.overrides or [None])],
            row=lambda pair: [
                _service_label(pair[0].service),
                pair[0].default_formula,
                pair[0].default.rate_source if pair[0].default else "",
                pair[1].district.name if pair[1] else "",
                formula(pair[1]) if pair[1] else "",
                pair[1].rate_source if pair[1] else "",
            ],
        )
    context = {
        "year": year,
        "years": years,
        "rows": rows,
        "can_edit": bool(
            request.user.district_id and can_manage_targets(request.user, request.user.district_id)
        ),
    }
    return render(request, "indicators/estimaterule_list.html", context)


@login_required
def estimaterule_edit(request):
    """The district planner's own rule for one service (the edition default stays as it is)."""
    district = _planner_district(request)
    year = _year(request)
    service_list = services.monthly_services(year)
    wanted = request.POST.get("service") or request.GET.get("service")
    service = next((s for s in service_list if str(s.pk) == wanted), service_list[0])
    rule = services.estimate_rules(district=district, services=[service]).get(service.pk)
    initial = {"service": service.pk}
    if rule is not None:
        initial |= {
            "band": rule.band_id,
            "factor": rule.factor.normalize(),
            "rate": rule.rate.normalize(),
            "rate_source": rule.rate_source,
        }
    form = EstimateRuleForm(request.POST or None, service_list=service_list, initial=initial)
    back = f"{reverse('indicators:estimaterule-list')}?year={year}"
    if request.method == "POST" and "reset" in request.POST:
        if run_service(
            request,
            None,
            lambda: services.estimate_rule_reset(
                district=district, service=service, by=request.user
            ),
        ):
            messages.success(
                request,
                _("%(service)s uses the default rule again.")
                % {"service": _service_label(service)},
            )
        return redirect(back)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            request,
            form,
            lambda: services.estimate_rule_save(
                district=district, by=request.user, **form.cleaned_data
            ),
        )
    ):
        messages.success(
            request,
            _("Rule saved for %(district)s. Estimate the targets again to use it.")
            % {"district": district},
        )
        return redirect(back)
    has_own = rule is not None and rule.district_id == district.pk
    context = {
        "form": form,
        "year": year,
        "district": district,
        "service": service,
        "has_own": has_own,
        "default_rule": rule if rule and not has_own else None,
        "cancel_url": back,
    }
    return render(request, "indicators/estimaterule_form.html", context)


urlpatterns = [
    path("targets/", target_list, name="target-list"),
    path("targets/puskesmas/<int:pk>/", target_choose, name="target-choose"),
    path("targets/village/<int:pk>/", target_village, name="target-village"),
    path("targets/district/<int:pk>/estimate/", target_estimate, name="target-estimate"),
    path(
        "targets/district/<int:pk>/choose-source/",
        target_choose_source,
        name="target-choose-source",
    ),
    path("targets/district/<int:pk>/approve/", target_approve, name="target-approve"),
    path("targets/district/<int:pk>/reopen/", target_reopen, name="target-reopen"),
    path("targets/import/", target_import, name="target-import"),
    path("targets/import/template/", target_template, name="target-template"),
    path("targets/population/", population_list, name="population-list"),
    path("targets/population/template/", population_template, name="population-template"),
    path("targets/population/import/", population_import, name="population-import"),
    path("targets/rules/", estimaterule_list, name="estimaterule-list"),
    path("targets/rules/edit/", estimaterule_edit, name="estimaterule-edit"),
]
