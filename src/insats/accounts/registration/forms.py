from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insats.accounts.models import OrganisationKind

from .services import OUTSIDE_KINDS


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Organisationens namn"), max_length=200)
    org_number = forms.CharField(
        label=_("Organisationsnummer"),
        max_length=11,
        help_text=_("Tio siffror, NNNNNN-NNNN."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "12", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(
        label=_("Typ av organisation"),
        choices=[(k.value, k.label) for k in OrganisationKind if k in OUTSIDE_KINDS],
        widget=forms.RadioSelect,
    )
    contact_email = forms.EmailField(
        label=_("Organisationens kontaktadress"),
        help_text=_("Dit skickas inbjudningar och besked till organisationen."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    full_name = forms.CharField(
        label=_("Ditt namn"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Din e-postadress"),
        help_text=_("Du loggar in med den. Du blir organisationens administratör."),
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Lösenord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Lösenordet igen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Lösenorden är inte lika."))
        return data
