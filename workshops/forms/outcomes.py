"""Forms for what a meeting produces: problems and their scores, root causes, RTL items,
commitments and Musrenbang proposals. Choices are the meeting's (selectors.outcomes), narrowed to
the user's area with `in_area`; the rules themselves live in the services."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel.scoping import in_area
from kernel.versioning import OnceForm, VersionedForm

from ..models import (
    Commitment,
    FollowUp,
    Meeting,
    MusrenbangProposal,
    Problem,
    RootCause,
)
from ..priority import METHODS
from ..selectors.outcomes import (
    partners_of_meeting,
    service_points_of_meeting,
    spm_services_of_meeting,
    subdistricts_of_meeting,
    villages_of_meeting,
)
from ..services.items import COMMITMENT_FIELDS, FOLLOW_UP_FIELDS, PROPOSAL_FIELDS

NEGATIVE_COST = {"min_value": _("The cost cannot be negative.")}


class DataSelect(forms.Select):
    """A select whose options carry `data-*` attributes of their object (read by outcomes.js to
    fill related fields)."""

    def __init__(self, *args, data: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_attributes = data or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        for key, attribute in self.data_attributes.items():
            if instance is not None:
                option["attrs"][f"data-{key}"] = getattr(instance, attribute) or ""
        return option


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _service_label(service) -> str:
    return f"{service.number}. {service.label}"


def _village_label(village) -> str:
    return f"{village.name} ({village.subdistrict.name})"


def _partners(meeting: Meeting, user, current_id: int | None):
    """Active partners of the meeting's area (and the one already chosen, even if inactive)."""
    return (
        in_area(partners_of_meeting(meeting), user)
        .filter(Q(is_active=True) | Q(pk=current_id))
        .order_by("subdistrict__code", "name")
    )


def service_point_label(point) -> str:
    """A posyandu or other UKBM as the choices and lists name it: kind, name and desa."""
    village = f" ({point.village.name})" if point.village_id else ""
    return f"{point}{village}"


def _service_point_field(form: forms.ModelForm, meeting: Meeting, user) -> None:
    """Narrow the form's `service_point` to the UKBM of the meeting's area the user may see
    (active ones, and the one already chosen); drop it for a provincial meeting."""
    if meeting.level == "province":
        del form.fields["service_point"]
        return
    current_id = form.instance.service_point_id
    points = (
        in_area(service_points_of_meeting(meeting), user)
        .filter(Q(is_active=True) | Q(pk=current_id))
        .select_related("village")
        .order_by("name", "pk")
    )
    field = form.fields["service_point"]
    field.queryset = points
    field.label_from_instance = service_point_label
    field.label = _("Posyandu or UKBM")
    field.help_text = _("When the problem or item is about one posyandu or other UKBM.")


class ProblemForm(VersionedForm, OnceForm, forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["statement", "evidence", "service", "village", "service_point"]
        widgets = {"evidence": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, meeting: Meeting, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.fields["service"].queryset = spm_services_of_meeting(meeting)
        self.fields["service"].label_from_instance = _service_label
        if meeting.level == "province":
            del self.fields["village"]
        else:
            villages = in_area(villages_of_meeting(meeting), user).select_related("subdistrict")
            self.fields["village"].queryset = villages.order_by("subdistrict__code", "name")
            self.fields["village"].label_from_instance = _village_label
            self.fields["village"].label = _("Desa")
        _service_point_field(self, meeting, user)


class MethodForm(VersionedForm, forms.Form):
    method = forms.ChoiceField(label=_("Prioritisation method"), choices=Meeting.PriorityMethod)


class ScoresForm(forms.Form):
    """One row per problem (in order of entry), one number per criterion of the method. Values
    stay text here: the service checks them, so its message names the problem and criterion."""

    method = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, problems: list[Problem], method: str, **kwargs):
        super().__init__(*args, initial={"method": method}, **kwargs)
        self.criteria = METHODS[method].criteria
        self.rows = []
        for problem in sorted(problems, key=lambda p: p.number):
            names = []
            for criterion in self.criteria:
                name = f"p{problem.pk}-{criterion.code}"
                self.fields[name] = forms.CharField(
                    required=False,
                    label=f"{problem.number}. {criterion.label}",
                    initial=problem.method_scores.get(criterion.code),
                    widget=forms.NumberInput(
                        attrs={
                            "min": criterion.low,
                            "max": criterion.high,
                            "step": 1,
                            "inputmode": "numeric",
                            "class": "form-control form-control-sm score-input",
                        }
                    ),
                )
                names.append(name)
            self.rows.append((problem, names))

    def bound_rows(self):
        return [(problem, [self[name] for name in names]) for problem, names in self.rows]

    def scores(self) -> dict[int, dict[str, str]]:
        return {
            problem.pk: {
                criterion.code: self.cleaned_data.get(f"p{problem.pk}-{criterion.code}", "")
                for criterion in self.criteria
            }
            for problem, _names in self.rows
        }


class RootCauseForm(OnceForm, forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=RootCause.Category.choices)
    description = forms.CharField(label=_("Cause"), max_length=300)


class FollowUpForm(VersionedForm, OnceForm, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = FOLLOW_UP_FIELDS
        widgets = {
            "due_on": _date_input(),
            "root_cause": DataSelect(data={"problem": "problem_id"}),
            "partner": DataSelect(data={"sector": "sector"}),
            "cost_idr": forms.NumberInput(attrs={"min": 0, "step": 1000, "inputmode": "numeric"}),
        }
        error_messages = {"cost_idr": NEGATIVE_COST}
        labels = {"target_group": _("Target group"), "target": _("Target to reach")}

    def __init__(self, *args, meeting: Meeting, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        problems = in_area(Problem.objects.filter(meeting=meeting), user)
        self.fields["problem"].queryset = problems.order_by("order", "pk")
        causes = in_area(RootCause.objects.filter(problem__meeting=meeting), user)
        self.fields["root_cause"].queryset = causes.select_related("problem").order_by(
            "problem__order", "problem_id", "category", "pk"
        )
        self.fields["root_cause"].label_from_instance = lambda c: (
            f"{c.problem.statement[:40]} · {c.get_category_display()}: {c.description}"
        )
        self.fields["partner"].queryset = _partners(meeting, user, self.instance.partner_id)
        self.fields["partner"].help_text = _("Its sector fills an empty related sector.")
        _service_point_field(self, meeting, user)
        cause_id = self.initial.get("root_cause")
        if cause_id and not self.initial.get("problem") and not self.is_bound:
            cause = self.fields["root_cause"].queryset.filter(pk=cause_id).first()
            self.initial["problem"] = cause.problem_id if cause else None


class CommitmentForm(VersionedForm, OnceForm, forms.ModelForm):
    class Meta:
        model = Commitment
        fields = COMMITMENT_FIELDS
        widgets = {
            "due_on": _date_input(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "partner": DataSelect(data={"name": "name", "sector": "sector"}),
        }

    def __init__(self, *args, meeting: Meeting, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.fields["partner"].queryset = _partners(meeting, user, self.instance.partner_id)
        self.fields["party"].required = False
        self.fields["party"].help_text = _(
            "Filled from the partner organisation when left empty; write it out for a party "
            "that is not on the list."
        )


class ProposalForm(VersionedForm, OnceForm, forms.ModelForm):
    class Meta:
        model = MusrenbangProposal
        fields = PROPOSAL_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "village": DataSelect(data={"subdistrict": "subdistrict_id"}),
            "estimated_cost_idr": forms.NumberInput(
                attrs={"min": 0, "step": 1000, "inputmode": "numeric"}
            ),
            "priority": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        }
        error_messages = {"estimated_cost_idr": NEGATIVE_COST}

    def __init__(self, *args, meeting: Meeting, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        subdistricts = in_area(subdistricts_of_meeting(meeting), user)
        if meeting.level == "puskesmas":
            # A lokmin proposes to its own kecamatan (the service sets it).
            del self.fields["subdistrict"]
        else:
            self.fields["subdistrict"].queryset = subdistricts.order_by("code")
            self.fields["subdistrict"].label = _("Kecamatan")
        villages = in_area(villages_of_meeting(meeting), user).filter(subdistrict__in=subdistricts)
        self.fields["village"].queryset = villages.select_related("subdistrict").order_by(
            "subdistrict__code", "name"
        )
        self.fields["village"].label_from_instance = _village_label
        self.fields["village"].label = _("Desa")
        self.fields["service"].queryset = spm_services_of_meeting(meeting)
        self.fields["service"].label_from_instance = _service_label
