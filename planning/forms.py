"""Forms: field shapes and per-field checks; choice lists scoped; the rules live in services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q, QuerySet
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from indicators.models import ReportingYear, SPMService
from kernel.models import District, FundingSource
from kernel.tables import FilterForm
from kernel.versioning import OnceForm

from .models import Activity, BudgetSubActivity, Plan, ScheduleEntry
from .money import parse_rupiah, rupiah
from .selectors import next_plan_year, plan_years
from .selectors.sources import plan_service_points, ukbm_label


class RupiahField(forms.DecimalField):
    """A whole amount of rupiah, typed with or without thousands separators or "Rp"."""

    default_error_messages = {
        "invalid": _("Enter a whole amount in rupiah, e.g. 1.500.000."),
        "min_value": _("The amount cannot be negative."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            parsed = parse_rupiah(value)
            if parsed is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            return parsed
        return super().to_python(value)

    def prepare_value(self, value):
        # What the user typed comes back as typed; a saved amount is shown grouped.
        return rupiah(value) if isinstance(value, Decimal | int) else value


def plan_services(year: int):
    """The district SPM services of the plan year's edition (the latest edition if the year is
    not set up yet)."""
    services = SPMService.objects.filter(level=SPMService.Level.DISTRICT)
    edition_id = (
        ReportingYear.objects.filter(year__lte=year).order_by("-year").values("edition")[:1]
    )
    return services.filter(edition__in=edition_id).order_by("number")


FUNDING_SOURCE_ERRORS = {
    "invalid_choice": _("Unknown funding source “%(value)s”: choose one from the list."),
    "required": _("Choose the funding source."),
}


class ActivityForm(OnceForm, forms.ModelForm):
    budget_idr = RupiahField(
        label=_("Budget needed (Rp)"),
        help_text=_("Whole rupiah; 0 if the activity costs nothing."),
    )
    funding_source = forms.ChoiceField(
        label=_("Funding source"),
        choices=[("", "---------"), *FundingSource.choices],
        error_messages=FUNDING_SOURCE_ERRORS,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        fields = [
            "effort",
            "name",
            "goal",
            "target_group",
            "target",
            "responsible",
            "equipment_needed",
            "staff_needed",
            "partners",
            "timing",
            "budget_idr",
            "funding_source",
            "indicator",
            "service",
            "sub_activity",
            "service_point",
        ]
        widgets = {"effort": forms.TextInput(attrs={"list": "efforts"})}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = plan_services(plan.year)
        self.fields["service"].label_from_instance = lambda s: f"{s.number}. {s.label}"
        self.fields["sub_activity"].queryset = BudgetSubActivity.objects.filter(is_active=True)
        self.fields["sub_activity"].help_text = _(
            "Left empty for an SPM service, its own code is used."
        )
        # Issue #17: a posyandu or other UKBM of the plan's owner the activity develops.
        points = plan_service_points(plan).filter(
            Q(is_active=True) | Q(pk=self.instance.service_point_id)
        )
        self.fields["service_point"].queryset = points.select_related("village").order_by(
            "name", "pk"
        )
        self.fields["service_point"].label_from_instance = ukbm_label
        self.fields["service_point"].label = _("Posyandu or UKBM developed")
        self.fields["service_point"].help_text = _(
            "For UKBM development, e.g. paid from Dana Desa."
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def columns(self) -> dict:
        """The RUK columns for the service (everything but the version)."""
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the puskesmas should change; required to return the RUK."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


MONTH_CHOICES = [(number, name) for number, name in MONTHS.items()]


class ScheduleForm(OnceForm, forms.ModelForm):
    month = forms.TypedChoiceField(
        label=_("Month"),
        choices=[("", "---------"), *MONTH_CHOICES],
        coerce=int,
        error_messages={
            "invalid_choice": _(
                "Choose a month from 1 (January) to 12 (December), not “%(value)s”."
            ),
            "required": _("Choose the month."),
        },
    )
    cost_idr = RupiahField(label=_("Cost (Rp)"), required=False)

    class Meta:
        model = ScheduleEntry
        fields = ["month", "volume", "location", "details", "cost_idr"]


class PlanFilter(FilterForm):
    """The year of the plans (one of those offered, next year by default) and, for those who
    oversee several, a district of their area."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("All districts"),
    )

    def __init__(self, data, *, districts: QuerySet[District]):
        super().__init__(data)
        self.fields["year"].choices = [(y, y) for y in plan_years()]
        self.fields["year"].initial = next_plan_year()
        if districts.query.is_empty():  # a district's or puskesmas's user: one district
            del self.fields["district"]
        else:
            self.fields["district"].queryset = districts

    @property
    def chosen_year(self) -> int:
        return self.value("year", next_plan_year())

    @property
    def district_id(self) -> int | None:
        district = self.value("district", None) if "district" in self.fields else None
        return district.pk if district else None


class CompilationFilter(PlanFilter):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Plan.Status.choices, ("none", _("Not started"))],
    )


# Issue #16: budget


class RealisationForm(forms.Form):
    """One schedule entry's realisation: done or not, the cost realised, a note; the version the
    user saw. The rules (cost when done, reason when not, the activity's budget) are the
    service's."""

    realisation = forms.ChoiceField(
        label=_("Realisation"),
        choices=[
            (ScheduleEntry.Realisation.DONE, ScheduleEntry.Realisation.DONE.label),
            (ScheduleEntry.Realisation.NOT_DONE, ScheduleEntry.Realisation.NOT_DONE.label),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose done or not done."),
            "invalid_choice": _("Choose done or not done."),
        },
    )
    cost_realised_idr = RupiahField(
        label=_("Cost realised (Rp)"),
        required=False,
        help_text=_("Whole rupiah; 0 if it cost nothing."),
        error_messages={
            "max_digits": _("This amount cannot be right: at most 15 digits."),
            "max_whole_digits": _("This amount cannot be right: at most 15 digits."),
        },
    )
    realisation_note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("What was done, or why not (required when not done)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, entry: ScheduleEntry, **kwargs):
        kwargs.setdefault("prefix", f"e{entry.pk}")
        if not args and "data" not in kwargs:
            kwargs.setdefault(
                "initial",
                {
                    "realisation": entry.realisation if entry.is_reported else None,
                    "cost_realised_idr": entry.cost_realised_idr,
                    "realisation_note": entry.realisation_note,
                    "version": entry.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.entry = entry


class UndoForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
