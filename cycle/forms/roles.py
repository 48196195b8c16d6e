"""Forms of who does what across agencies: an agency's role, its links to commitments and RTL
items, proposals from a forum, data requests and their status. Choices are the district's,
narrowed to the user's area with `in_area`; the rules themselves live in cycle.services.roles."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kernel.forms import ModelMultipleChoiceField
from kernel.models import District, PartnerOrganisation
from kernel.scoping import in_area
from kernel.versioning import OnceForm, VersionedForm
from workshops.models import Meeting

from ..models import DataRequest, RoleAssignment
from ..selectors.roles import Proposal, district_meetings, link_candidates, role_services
from ..services.roles import NEXT_STATUSES, Accepted

RequestStatus = DataRequest.Status


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _service_label(service) -> str:
    return f"{service.number}. {service.label}"


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting.title} ({date_format(meeting.held_on, 'SHORT_DATE_FORMAT')})"


def _partners(district: District, user, current_id: int | None):
    """Active partner organisations of the district (and the one already chosen)."""
    return (
        in_area(PartnerOrganisation.objects.filter(district=district), user)
        .filter(Q(is_active=True) | Q(pk=current_id))
        .select_related("subdistrict")
        .order_by("subdistrict__code", "name")
    )


def _partner_label(partner: PartnerOrganisation) -> str:
    return partner.name


def _meetings(district: District, user, year: int, current_id: int | None):
    """The district's meetings (and its puskesmas's) of the year and the year before."""
    return (
        district_meetings(user=user, district=district)
        .filter(Q(held_on__year__in=[year - 1, year]) | Q(pk=current_id))
        .order_by("-held_on", "-pk")
    )


class _AgencyForm(VersionedForm, OnceForm, forms.ModelForm):
    """What a role and a data request share: partner or named agency, service, meeting."""

    def __init__(self, *args, district: District, year: int, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.district, self.instance.year = district, year
        fields = self.fields
        fields["partner"].queryset = _partners(district, user, self.instance.partner_id)
        fields["partner"].label_from_instance = _partner_label
        fields["partner"].help_text = _(
            "A partner organisation of the district; or leave it empty and write the agency below."
        )
        fields["service"].queryset = (
            fields["service"]
            .queryset.filter(pk__in=[service.pk for service in role_services(year)])
            .order_by("number")
        )
        fields["service"].label_from_instance = _service_label
        fields["meeting"].queryset = _meetings(district, user, year, self.instance.meeting_id)
        fields["meeting"].label_from_instance = _meeting_label


class RoleForm(_AgencyForm):
    class Meta:
        model = RoleAssignment
        fields = ["service", "role", "partner", "agency", "description", "meeting"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].empty_label = None
        self.fields["meeting"].help_text = _("The forum or lokmin that agreed it, if any.")


class DataRequestForm(_AgencyForm):
    class Meta:
        model = DataRequest
        fields = ["partner", "agency", "data", "service", "asked_on", "meeting"]
        widgets = {"asked_on": _date_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].help_text = _("The SPM service the data is for, if one.")
        self.fields["meeting"].help_text = _("The meeting where it was asked, if any.")


class RoleLinksForm(VersionedForm, forms.Form):
    """The commitments and RTL items that carry a role (ticked ones are linked)."""

    commitments = ModelMultipleChoiceField(
        label=_("Commitments"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    follow_ups = ModelMultipleChoiceField(
        label=_("RTL items"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, role: RoleAssignment, user, **kwargs):
        super().__init__(*args, **kwargs)
        commitments, follow_ups = link_candidates(user=user, role=role)
        self.fields["commitments"].queryset = commitments
        self.fields["follow_ups"].queryset = follow_ups
        self.fields["commitments"].label_from_instance = lambda c: (
            f"{c.party}: {c.description} · {_item_state(c)}"
        )
        self.fields["follow_ups"].label_from_instance = lambda f: (
            f"{f.activity} ({f.responsible}) · {_item_state(f)}"
        )
        if not self.is_bound:
            self.initial["version"] = role.version
            self.initial["commitments"] = [c.pk for c in role.commitments.all()]
            self.initial["follow_ups"] = [f.pk for f in role.follow_ups.all()]

    def groups(self, name: str) -> list[tuple[Meeting, list]]:
        """The field's checkboxes grouped by meeting, newest meeting first (the candidates'
        order): each group is (meeting, [checkbox, ...])."""
        found: list[tuple[Meeting, list]] = []
        items = list(self.fields[name].queryset)
        for item, checkbox in zip(items, self[name], strict=False):
            if not found or found[-1][0].pk != item.meeting_id:
                found.append((item.meeting, []))
            found[-1][1].append(checkbox)
        return found

    @property
    def commitment_groups(self) -> list[tuple[Meeting, list]]:
        return self.groups("commitments")

    @property
    def follow_up_groups(self) -> list[tuple[Meeting, list]]:
        return self.groups("follow_ups")


def _item_state(item) -> str:
    """Due date and status of a commitment or RTL item, for its checkbox."""
    due = date_format(item.due_on, "SHORT_DATE_FORMAT")
    return _("due %(date)s, %(status)s") % {
        "date": due,
        "status": str(item.get_status_display()).lower(),
    }


class ProposalsForm(forms.Form):
    """One row per proposal of a forum: accept it or not, its service and role."""

    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2000, max_value=2100)

    def __init__(self, *args, proposals: list[Proposal], year: int, **kwargs):
        super().__init__(*args, initial={"year": year}, **kwargs)
        services = [("", "---------")] + [
            (str(service.pk), _service_label(service)) for service in role_services(year)
        ]
        self.rows = []
        for proposal in proposals:
            pk = proposal.commitment.pk
            self.fields[f"c{pk}-accept"] = forms.BooleanField(label=_("Accept"), required=False)
            self.fields[f"c{pk}-service"] = forms.ChoiceField(
                label=_("SPM service"),
                choices=services,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"c{pk}-role"] = forms.ChoiceField(
                label=_("Role"),
                choices=RoleAssignment.Role.choices,
                initial=proposal.role,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.rows.append(
                (
                    proposal,
                    self[f"c{pk}-accept"],
                    self[f"c{pk}-service"],
                    self[f"c{pk}-role"],
                )
            )

    def clean(self):
        data = super().clean()
        accepted = []
        for proposal, accept, service, role in self.rows:
            if not data.get(accept.name):
                continue
            if not data.get(service.name):
                self.add_error(service.name, _("Choose the SPM service."))
                continue
            if not data.get(role.name):
                self.add_error(role.name, _("Choose a role."))
                continue
            accepted.append(
                Accepted(
                    commitment_id=proposal.commitment.pk,
                    service_id=int(data[service.name]),
                    role=data[role.name],
                )
            )
        if not accepted and not self.errors:
            raise forms.ValidationError(_("Tick at least one proposal to accept."))
        data["accepted"] = accepted
        return data


class DataRequestStatusForm(VersionedForm, forms.Form):
    """Move a data request on: promised by a date, received on a date, used for something."""

    status = forms.ChoiceField(label=_("New status"), choices=(), widget=forms.RadioSelect)
    promised_by = forms.DateField(label=_("Promised by"), required=False, widget=_date_input())
    received_on = forms.DateField(label=_("Received on"), required=False, widget=_date_input())
    used_for = forms.CharField(
        label=_("Used for"),
        required=False,
        max_length=300,
        help_text=_("e.g. the targets of service 1, the stage 1 worksheet."),
    )

    def __init__(self, *args, data_request: DataRequest, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(RequestStatus.choices)
        nexts = NEXT_STATUSES.get(data_request.status, ())
        self.fields["status"].choices = [(value, labels[value]) for value in nexts]
        if not self.is_bound:
            self.initial["version"] = data_request.version
            moves = [value for value in nexts if value != data_request.status]
            if moves:  # the step forward (a promised request: received)
                self.initial["status"] = moves[0]
            self.initial["promised_by"] = data_request.promised_by
            self.initial["used_for"] = data_request.used_for
        for name in ("promised_by", "received_on", "used_for"):
            if name == "promised_by" and RequestStatus.PROMISED not in nexts:
                del self.fields[name]
            elif name == "received_on" and RequestStatus.RECEIVED not in nexts:
                del self.fields[name]
            elif name == "used_for" and RequestStatus.USED not in nexts:
                del self.fields[name]
