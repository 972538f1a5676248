from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    BodyKind,
    CollaborationLevel,
    GovernanceBody,
    Organisation,
    Role,
    SeatRole,
)


class DateInput(forms.DateInput):
    input_type = "date"


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "org_number", "kind", "area_code", "description"]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-postadress"))
    role = forms.ChoiceField(label=_("Roll"), choices=Role.choices)


class AcceptForm(forms.Form):
    full_name = forms.CharField(label=_("Ditt namn"), max_length=200)
    password1 = forms.CharField(
        label=_("Lösenord"), widget=forms.PasswordInput, min_length=10, help_text=_("Minst tio tecken.")
    )
    password2 = forms.CharField(label=_("Lösenord igen"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Lösenorden är inte lika."))
        return data


class PartnershipForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partnerorganisation"), queryset=Organisation.objects.all())
    level = forms.TypedChoiceField(label=_("Samverkansnivå"), choices=CollaborationLevel.choices, coerce=int)
    valid_from = forms.DateField(label=_("Gäller från"), widget=DateInput)
    description = forms.CharField(
        label=_("Beskrivning"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            self.fields["partner"].queryset = Organisation.objects.exclude(pk=organisation.pk)


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Ny samverkansnivå"), choices=CollaborationLevel.choices, coerce=int
    )
    valid_from = forms.DateField(label=_("Gäller från"), widget=DateInput)
    note = forms.CharField(label=_("Anteckning"), max_length=500, required=False)


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("Avslutas den"), widget=DateInput)


class FederationMemberForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Medlemsorganisation"), queryset=Organisation.objects.all())
    financing_share = forms.DecimalField(
        label=_("Andel av finansieringen (%)"), min_value=0, max_value=100, decimal_places=4, max_digits=7
    )


class BodyForm(forms.ModelForm):
    class Meta:
        model = GovernanceBody
        fields = ["kind", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    kind = forms.ChoiceField(label=_("Typ"), choices=BodyKind.choices)


class SeatForm(forms.Form):
    person_name = forms.CharField(label=_("Namn"), max_length=200)
    represents = forms.ModelChoiceField(label=_("Representerar"), queryset=Organisation.objects.all())
    role = forms.ChoiceField(label=_("Roll"), choices=SeatRole.choices)
    term_start = forms.DateField(label=_("Mandatperiod från"), widget=DateInput)
    term_end = forms.DateField(label=_("Mandatperiod till"), widget=DateInput, required=False)

    def __init__(self, *args, represents_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if represents_choices is not None:
            self.fields["represents"].queryset = represents_choices

    def clean(self):
        data = super().clean()
        if data.get("term_end") and data.get("term_start") and data["term_end"] < data["term_start"]:
            self.add_error("term_end", _("Mandatperioden kan inte sluta innan den börjar."))
        return data


class ShareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Dela med organisation"), queryset=Organisation.objects.all()
    )
    purpose = forms.CharField(
        label=_("Syfte"),
        max_length=200,
        help_text=_("Varför organisationen behöver se objektet, t.ex. ”orsaksanalys”."),
    )

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owner is not None:
            self.fields["organisation"].queryset = Organisation.objects.exclude(pk=owner.pk)
