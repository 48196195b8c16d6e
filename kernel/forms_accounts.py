"""Forms of accounts: the roles and areas offered are only those the user may give
(kernel.rights `roles_given_by`, `services.accounts.area_choices`); the service checks again."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import User
from .rights import roles_given_by
from .services import accounts
from .tables import FilterForm, SearchFilter
from .versioning import OnceForm, VersionedForm


def _role_choices(user) -> list[tuple[str, str]]:
    labels = dict(User.Role.choices)
    return [(role, labels[role]) for role in roles_given_by(user)]


class AccountForm(OnceForm, VersionedForm, forms.ModelForm):
    """Someone else's account: name, contact, position, role and area."""

    area = forms.CharField(
        label=_("Area"),
        required=False,
        help_text=_("The province, district or puskesmas the role works in."),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "phone", "position", "role"]

    def __init__(self, *args, by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by
        self.fields["role"] = forms.ChoiceField(label=_("Role"), choices=_role_choices(by))
        choices = accounts.area_choices(by=by)
        if choices is not None:
            self.fields["area"] = forms.ChoiceField(
                label=_("Area"),
                required=False,
                choices=[("", "–"), *choices],
                help_text=_("The district or puskesmas the role works in."),
            )
        else:
            self.fields["area"].help_text = _(
                "The code of the province, district or puskesmas the role works in."
            )
        self.fields["email"].required = False
        if self.instance.pk:
            del self.fields["username"]
            self.initial["area"] = accounts.area_value(self.instance)
            if self.instance.pk == by.pk:  # nobody changes their own role or area
                self.fields["role"].disabled = True
                self.fields["role"].choices = User.Role.choices
                self.fields["area"].disabled = True
        else:
            self.fields["username"].help_text = _(
                "Letters, digits and @ . + - _ only; the person logs in with it."
            )
        self.area_object = None

    def _post_clean(self):
        # The service validates and saves the account: the model form does not touch it.
        pass

    def clean(self):
        data = super().clean()
        role = data.get("role") or (self.instance.role if self.instance.pk else "")
        if role and "area" not in self.errors:
            try:
                area = self.instance.area if self.fields["area"].disabled else None
                self.area_object = area or accounts.area_for(
                    by=self.by, role=role, code=data.get("area", "")
                )
            except ValidationError as error:
                self.add_error("area", error)
        return data


class OwnAccountForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone"]

    def _post_clean(self):
        pass


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.TextInput, required=True
    )


class UserFilter(SearchFilter, FilterForm):
    role = forms.ChoiceField(label=_("Role"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", _("Active and deactivated")), ("yes", _("Active")), ("no", _("Deactivated"))],
    )

    def __init__(self, *args, by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Name, username, e-mail or area")
        self.fields["role"].choices = [("", _("All roles")), *_role_choices(by)]
        choices = accounts.area_choices(by=by, limit=300)
        if choices:
            self.fields["area"].choices = [("", _("All areas")), *choices]
        else:
            del self.fields["area"]
