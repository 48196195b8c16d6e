"""Forms of the meeting pages: the meeting itself, people to invite, attendance with walk-ins, and
the invitation letter's number and date. Field shapes only: the rules are in the services."""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kernel.forms import ModelMultipleChoiceField
from kernel.tables import FilterForm
from kernel.versioning import OnceForm, VersionedForm

from ..models import SECTOR_CHOICES, Meeting, Participant
from ..services.meetings import FORMAT_KINDS, MEETING_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MeetingForm(VersionedForm, OnceForm, forms.Form):
    """The meeting's facts; `kinds` are those the user may choose, `version` guards the edit
    and `form_token` makes the create happen once."""

    def __init__(self, *args, kinds, title_hint: str = "", team_hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Meeting,
                fields=MEETING_FIELDS,
                widgets={
                    "held_on": DATE,
                    "starts_at": TIME,
                    "ends_at": TIME,
                    "agenda": forms.Textarea(attrs={"rows": 4}),
                },
            )
        )
        self.fields["kind"].choices = [(k, Meeting.Kind(k).label) for k in kinds]
        if not any(kind in FORMAT_KINDS for kind in kinds):
            del self.fields["format"]
        else:
            self.fields["format"].help_text = _("Only for other meetings: meeting, FGD, training.")
        if not any(kind in Meeting.LOKMIN_KINDS for kind in kinds):
            del self.fields["is_team_forming"]
        elif team_hint:
            self.fields["is_team_forming"].help_text = team_hint
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty for the usual title: %(title)s") % {
            "title": title_hint
        }
        self.fields["chair_position"].help_text = _(
            "A quarterly cross-sector lokmin is chaired by the Camat or the Sekcam."
        )


class PersonForm(VersionedForm, OnceForm, forms.ModelForm):
    """Someone invited by name: a village head, a school head, a cadre (created once per
    `form_token`, corrected at its `version`)."""

    class Meta:
        model = Participant
        fields = ["name", "position", "organisation", "sector", "phone", "signs_agreement"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}


class InviteStaffForm(forms.Form):
    users = ModelMultipleChoiceField(
        label=_("Staff"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = queryset
        self.fields["users"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username}"
            + (f" · {user.position}" if user.position else "")
        )


class InvitePartnersForm(forms.Form):
    partners = ModelMultipleChoiceField(
        label=_("Partner organisations"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = queryset
        self.fields["partners"].label_from_instance = lambda partner: (
            f"{partner.name}" + (f" ({partner.subdistrict.name})" if partner.subdistrict_id else "")
        )


PRESENT, ABSENT, UNKNOWN = "1", "0", ""
ATTENDED_CHOICES = [(PRESENT, _("Present")), (ABSENT, _("Absent")), (UNKNOWN, _("Not recorded"))]
ATTENDED_VALUE = {PRESENT: True, ABSENT: False, UNKNOWN: None}


class AttendanceForm(OnceForm, forms.Form):
    """Present / absent and "signs the agreement" for every participant of the meeting; its
    `form_token` keeps a repeated post from adding the walk-ins twice."""

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = list(participants)
        for participant in self.participants:
            current = {True: PRESENT, False: ABSENT}.get(participant.attended, UNKNOWN)
            self.fields[f"a{participant.pk}"] = forms.ChoiceField(
                label=participant.name,
                choices=ATTENDED_CHOICES,
                required=False,
                initial=current,
                widget=forms.RadioSelect,
            )
            self.fields[f"s{participant.pk}"] = forms.BooleanField(
                label=_("Signs the agreement"),
                required=False,
                initial=participant.signs_agreement,
            )

    def rows(self):
        """(participant, attendance field, signs field) for the template."""
        return [(p, self[f"a{p.pk}"], self[f"s{p.pk}"]) for p in self.participants]

    def marks(self) -> dict[int, tuple[bool | None, bool]]:
        return {
            p.pk: (
                ATTENDED_VALUE[self.cleaned_data[f"a{p.pk}"]],
                self.cleaned_data[f"s{p.pk}"],
            )
            for p in self.participants
        }


def _label(name: str) -> str:
    return capfirst(Participant._meta.get_field(name).verbose_name)


class WalkInForm(forms.Form):
    """Someone who came without an invitation; a row left empty is ignored."""

    name = forms.CharField(label=_label("name"), max_length=150, required=False)
    position = forms.CharField(label=_label("position"), max_length=150, required=False)
    organisation = forms.CharField(label=_label("organisation"), max_length=150, required=False)
    sector = forms.ChoiceField(
        label=_label("sector"), choices=[("", "---------"), *SECTOR_CHOICES], required=False
    )
    phone = forms.CharField(label=_label("phone"), max_length=40, required=False)
    signs_agreement = forms.BooleanField(label=_label("signs_agreement"), required=False)


WalkInFormSet = forms.formset_factory(WalkInForm, extra=3, max_num=50)


def walk_ins(formset) -> list[dict]:
    """The filled walk-in rows of a valid formset."""
    return [
        form.cleaned_data
        for form in formset
        if any(
            form.cleaned_data.get(name) for name in ("name", "position", "organisation", "phone")
        )
    ]


class LetterForm(forms.Form):
    """The invitation letter's number and date, typed in before printing (not stored)."""

    number = forms.CharField(label=_("Letter number"), max_length=80, required=False)
    date = forms.DateField(label=_("Letter date"), required=False, widget=DATE)

    def letter(self) -> tuple[str, object]:
        if self.is_valid():
            return self.cleaned_data["number"], self.cleaned_data["date"] or timezone.localdate()
        return "", timezone.localdate()


class MeetingFilter(FilterForm):
    """The meeting list's filters; `years` are those the user's area holds meetings in."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Meeting.Kind.choices]
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Meeting.Status.choices],
    )

    def __init__(self, data=None, *, years: list[int], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *((y, y) for y in years)]
