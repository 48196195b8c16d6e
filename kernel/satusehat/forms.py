"""Forms of the SATUSEHAT pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class JsonUploadForm(forms.Form):
    file = forms.FileField(
        label=_("SATUSEHAT file (.json)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


class ConnectionForm(forms.Form):
    base_url = forms.CharField(
        label=_("Environment base URL"),
        max_length=200,
        help_text=_("For example https://api-satusehat.kemkes.go.id (production)."),
    )
    client_id = forms.CharField(label=_("Client id"), max_length=200)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Never shown again once saved; leave empty to keep the saved one."),
    )
