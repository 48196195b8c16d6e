"""The DHIS2 mapping's forms: the profile, the data elements of the services, the org units of
the puskesmas and desa; and the export and upload forms."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import MonthlyReport
from kernel.versioning import VersionedForm

from .models import UID_PATTERN, Dhis2Profile, uid_validator
from .services import Mapping


def _uid_field(label: str, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=11,
        validators=[uid_validator],
        widget=forms.TextInput(
            attrs={"pattern": UID_PATTERN, "autocomplete": "off", "spellcheck": "false"}
        ),
    )


class ProfileForm(VersionedForm, forms.ModelForm):
    base_url = forms.URLField(label=_("address (optional)"), required=False, assume_scheme="https")

    class Meta:
        model = Dhis2Profile
        fields = ["name", "base_url", "level", "data_set"]
        widgets = {"level": forms.RadioSelect}


class ElementsForm(VersionedForm):
    """One row per monthly service: data element, category option combo, attribute option
    combo (ids of the district's DHIS2)."""

    def __init__(self, *args, mapping: Mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version"] = mapping.profile.version
        self.rows = []
        for service, element in mapping.services:
            names = (f"de_{service.pk}", f"coc_{service.pk}", f"aoc_{service.pk}")
            self.fields[names[0]] = _uid_field(_("Data element"))
            self.fields[names[1]] = _uid_field(_("Category option combo"))
            self.fields[names[2]] = _uid_field(_("Attribute option combo"))
            if element is not None:
                self.initial[names[0]] = element.data_element
                self.initial[names[1]] = element.category_option_combo
                self.initial[names[2]] = element.attribute_option_combo
            self.rows.append((service, [self[name] for name in names]))

    def elements(self) -> dict[int, tuple[str, str, str]]:
        data = self.cleaned_data
        return {
            service.pk: (
                data[f"de_{service.pk}"],
                data[f"coc_{service.pk}"] if data[f"de_{service.pk}"] else "",
                data[f"aoc_{service.pk}"] if data[f"de_{service.pk}"] else "",
            )
            for service, _fields in self.rows
        }


class OrgUnitsForm(VersionedForm):
    """One org unit id per puskesmas and per desa of the district."""

    def __init__(self, *args, mapping: Mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version"] = mapping.profile.version
        self.puskesmas_rows, self.village_rows = [], []
        for puskesmas, uid in mapping.puskesmas:
            name = f"p_{puskesmas.pk}"
            self.fields[name] = _uid_field(puskesmas.name)
            self.initial[name] = uid
            self.puskesmas_rows.append((puskesmas, self[name]))
        for village, uid in mapping.villages:
            name = f"v_{village.pk}"
            self.fields[name] = _uid_field(village.name)
            self.initial[name] = uid
            self.village_rows.append((village, self[name]))

    def puskesmas(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data[f"p_{p.pk}"] for p, _field in self.puskesmas_rows}

    def villages(self) -> dict[int, str]:
        return {v.pk: self.cleaned_data[f"v_{v.pk}"] for v, _field in self.village_rows}


class ExportForm(forms.Form):
    FORMATS = [("json", _("DHIS2 data value set (JSON)")), ("adx", _("ADX (XML)"))]
    PERIODS = [
        *((f"m{m}", _("Month %(month)s") % {"month": m}) for m in range(1, 13)),
        *((f"q{q}", _("Quarter %(quarter)s") % {"quarter": q}) for q in range(1, 5)),
    ]
    STATUSES = [
        ("", _("All the values I may read")),
        ("approved", _("Approved and locked reports only")),
    ]

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    period = forms.ChoiceField(label=_("Month or quarter"), choices=PERIODS)
    status = forms.ChoiceField(label=_("Reports"), choices=STATUSES, required=False)
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="json")

    @classmethod
    def defaults(cls) -> dict:
        today = timezone.localdate()
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return {"year": year, "period": f"m{month}", "format": "json"}

    def months(self) -> list[int]:
        period = self.cleaned_data["period"]
        number = int(period[1:])
        return [number] if period[0] == "m" else [3 * number - 2, 3 * number - 1, 3 * number]

    def statuses(self) -> list[str] | None:
        if self.cleaned_data.get("status") == "approved":
            return list(MonthlyReport.APPROVED_STATUSES)
        return None


class YearExportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("Reports"), choices=ExportForm.STATUSES, required=False)
    format = forms.ChoiceField(label=_("Format"), choices=ExportForm.FORMATS, initial="json")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("DHIS2 file (data value set JSON or ADX XML)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.xml,application/json,text/xml"}),
    )
