"""Forms of SPM data: field shapes and per-field checks; every choice list is scoped."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from kernel.forms import ModelMultipleChoiceField, UploadForm
from kernel.models import Puskesmas
from kernel.scoping import in_area
from kernel.spreadsheets import MAX_UPLOAD_BYTES
from kernel.versioning import VersionedForm


class QuarterNoteForm(VersionedForm, forms.ModelForm):
    """One service's implementation stages, problems and actions for a quarter. (The budget is
    no longer typed: the quarterly report reads it through indicators.budget, issue #16.)"""

    class Meta:
        from .models import QuarterServiceNote

        model = QuarterServiceNote
        fields = [
            "stage_data",
            "stage_needs",
            "stage_plan",
            "stage_delivery",
            "problems",
            "planned_actions",
        ]
        widgets = {
            "problems": forms.Textarea(attrs={"rows": 2}),
            "planned_actions": forms.Textarea(attrs={"rows": 2}),
        }


class MonthlyTemplateForm(forms.Form):
    """Which year, months and (for a district) puskesmas a template covers; defaults: this year."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    months = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Months"),
        coerce=int,
        choices=sorted(MONTHS.items()),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    puskesmas = ModelMultipleChoiceField(
        label="Puskesmas",
        queryset=Puskesmas.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=gettext_lazy("None ticked: every puskesmas of your district."),
    )

    def __init__(self, data=None, *, user, years: list[int]):
        super().__init__(data, initial=self.defaults(years))
        self.fields["year"].choices = [(y, y) for y in years]
        self.scope = in_area(Puskesmas.objects.all(), user)
        self.fields["puskesmas"].queryset = self.scope
        if user.puskesmas_id:
            del self.fields["puskesmas"]

    @staticmethod
    def defaults(years: list[int]) -> dict:
        """This year and its months so far (or the latest year set up, whole)."""
        today = timezone.localdate()
        year = today.year if today.year in years else (years[0] if years else today.year)
        last = today.month if year == today.year else 12
        return {"year": year, "months": list(range(1, last + 1))}

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        year, months = data.get("year"), data.get("months") or []
        future = [m for m in months if year and (year, m) > (today.year, today.month)]
        if future:
            raise forms.ValidationError(
                _("%(month)s %(year)s has not started yet.")
                % {"month": MONTHS[future[0]], "year": year}
            )
        return data

    def puskesmas_list(self):
        """The puskesmas ticked, or every puskesmas of the user's area."""
        return self.cleaned_data.get("puskesmas") or self.scope


class MonthlyExportForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)

    def __init__(self, data=None, *, years: list[int]):
        super().__init__(data, initial=MonthlyTemplateForm.defaults(years))
        self.fields["year"].choices = [(y, y) for y in years]


class MonthlyUploadForm(UploadForm):
    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 1024**2}
            )
        return upload
