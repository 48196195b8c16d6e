"""Forms of the API pages: a token (name, optional expiry), a service account, a reason."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from kernel.models import User
from kernel.services.accounts import area_choices

from .services import service_account_roles


class _Once(forms.Form):
    """A one-time token per form page: a repeated post creates nothing more."""

    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_token"] = uuid.uuid4()


class TokenForm(_Once):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Where the token is used, e.g. “DHIS2 sync at the district office”."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that lasts until it is revoked."),
    )


class ServiceAccountForm(_Once):
    name = forms.CharField(
        label=_("System name"),
        max_length=100,
        help_text=_("The system that will use this account, e.g. “SIKDA Generik HSU”."),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"))
    area = forms.ChoiceField(label=_("Area"))

    def __init__(self, *args, by: User, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(User.Role.choices)
        roles = service_account_roles(by)
        self.fields["role"].choices = [(role, labels[role]) for role in roles]
        # A read-mostly default: the district's own role where one may give it.
        if User.Role.DISTRICT_PLANNER in roles:
            self.fields["role"].initial = User.Role.DISTRICT_PLANNER
        self.fields["area"].choices = area_choices(by=by) or []
        self.fields["area"].help_text = _(
            "A district role needs a district, a puskesmas role a puskesmas."
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
