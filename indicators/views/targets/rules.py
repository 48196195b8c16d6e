"""Estimate rules: the edition defaults beside each district's own, and the planner's edit."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.versioning import VersionedForm
from kernel.web import export, run_service, wants_xlsx

from ... import selectors, services
from ...models import AgeBand, SPMService
from ...rights import can_manage_targets
from .base import _planner_district, _service_label, _year


class EstimateRuleForm(VersionedForm, forms.Form):
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
        "provincial": selectors.provincial_services(year),
        "can_edit": bool(
            request.user.district_id and can_manage_targets(request.user, request.user.district)
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
    own = rule is not None and rule.district_id == district.pk
    # The version of the district's own rule the planner sees; 0: none yet (the default).
    initial = {"service": service.pk, "version": rule.version if own else 0}
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
