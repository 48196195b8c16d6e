"""Forms of the district views: the filters of the boards (GET) and a proposal's outcome (POST).

Filters tolerate bad input: a value that is not among the choices is dropped, never an error page.
Every choice list is scoped to the user's area.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.models import FundingSource, PartnerOrganisation, Puskesmas, Subdistrict
from kernel.roles import is_province_reviewer, is_system_admin
from kernel.scoping import in_area
from kernel.tables import FilterForm
from kernel.versioning import VersionedForm

from ..models import Meeting, MusrenbangProposal, Tracked
from ..selectors.district import COMMITMENT, NO_PARTNER, RTL, BoardFilters, ProposalFilters

YEARS_BACK = 5


def year_choices(*, blank: str | None = None) -> list[tuple[str, str]]:
    """This year and the ones before it, newest first; with a blank "all years" when asked."""
    this_year = timezone.localdate().year
    years = [(str(year), str(year)) for year in range(this_year, this_year - YEARS_BACK, -1)]
    return [("", blank), *years] if blank is not None else years


class _FilterForm(FilterForm):
    """A GET form whose fields render as compact, labelled selects."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field, forms.BooleanField) else "form-select"
            field.widget.attrs.update({"class": css, "aria-label": field.label})

    def values(self) -> dict:
        """The valid values; invalid ones are left out (and so mean "all")."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


def _int(value) -> int | None:
    return int(value) if value not in ("", None) else None


class BoardFilterForm(_FilterForm):
    type = forms.ChoiceField(
        label=_("Kind of item"),
        required=False,
        choices=[
            ("", _("All items")),
            (RTL, _("RTL items")),
            (COMMITMENT, _("Commitments")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Tracked.Status.choices],
    )
    partner = forms.ChoiceField(label=_("Partner organisation"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of meeting"),
        required=False,
        choices=[("", _("All meetings")), *Meeting.Kind.choices],
    )
    puskesmas = forms.ChoiceField(label="Puskesmas", required=False)
    year = forms.ChoiceField(label=_("Year of the meeting"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        partners = in_area(PartnerOrganisation.objects.all(), user).select_related("district")
        many_districts = is_system_admin(user) or is_province_reviewer(user)
        self.fields["partner"].choices = [
            ("", _("All partners")),
            (NO_PARTNER, _("Without partner organisation")),
            *(
                (str(p.pk), f"{p.name} ({p.district.name})" if many_districts else p.name)
                for p in partners.order_by("district__name", "subdistrict__code", "name")
            ),
        ]
        if user.puskesmas_id:
            del self.fields["puskesmas"]
        else:
            puskesmas_list = in_area(Puskesmas.objects.all(), user).order_by(
                "district__name", "name"
            )
            self.fields["puskesmas"].choices = [
                ("", _("All puskesmas")),
                *((str(p.pk), p.name) for p in puskesmas_list),
            ]
        self.fields["year"].choices = year_choices(blank=_("All years"))

    def filters(self) -> BoardFilters:
        values = self.values()
        return BoardFilters(
            item_type=values.get("type", ""),
            status=values.get("status", ""),
            overdue=bool(values.get("overdue")),
            partner=values.get("partner", ""),
            kind=values.get("kind", ""),
            puskesmas_id=_int(values.get("puskesmas")),
            year=_int(values.get("year")),
        )


class YearForm(_FilterForm):
    year = forms.ChoiceField(label=_("Year"), required=False)

    def __init__(self, data=None, *, blank: str | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = year_choices(blank=blank)
        self.fields["year"].widget.attrs["class"] += " w-auto flex-grow-0"

    def chosen_year(self) -> int | None:
        return _int(self.values().get("year"))


class ProposalFilterForm(_FilterForm):
    year = forms.ChoiceField(label=_("Year of the meeting"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("All outcomes")), *MusrenbangProposal.Outcome.choices],
    )
    subdistrict = forms.ChoiceField(label=_("Subdistrict"), required=False)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = year_choices(blank=_("All years"))
        subdistricts = in_area(Subdistrict.objects.all(), user).order_by("code")
        self.fields["subdistrict"].choices = [
            ("", _("All subdistricts")),
            *((str(s.pk), s.name) for s in subdistricts),
        ]

    def filters(self) -> ProposalFilters:
        values = self.values()
        return ProposalFilters(
            year=_int(values.get("year")),
            outcome=values.get("outcome", ""),
            subdistrict_id=_int(values.get("subdistrict")),
        )


class ProposalOutcomeForm(VersionedForm, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=MusrenbangProposal.Outcome.choices)
    funding_source = forms.ChoiceField(
        label=_("Funded from"),
        required=False,
        choices=[("", "–"), *FundingSource.choices],
        help_text=_("Required when the proposal is funded."),
    )
    budget_year = forms.IntegerField(
        label=_("Budget year"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("The year whose budget funds it."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the Musrenbang forum's reason, or the budget line."),
    )
