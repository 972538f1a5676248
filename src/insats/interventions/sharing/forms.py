from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insats.accounts.models import Organisation
from insats.interventions.catalogue.models import EvidenceLevel

from .services import DEFAULT_PURPOSE, MAX_AGE


class InterventionShareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Dela med organisation"), queryset=Organisation.objects.none()
    )
    purpose = forms.CharField(
        label=_("Syfte"),
        max_length=200,
        initial=DEFAULT_PURPOSE,
        help_text=_("Varför organisationen behöver se insatsen, t.ex. ”samverkan”."),
    )

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Organisation.objects.order_by("name")
        self.fields["organisation"].queryset = qs.exclude(pk=owner.pk) if owner is not None else qs


class PublicListingForm(forms.Form):
    public_listing = forms.BooleanField(
        label=_("Visa en publik förteckning över våra insatser"),
        required=False,
        help_text=_(
            "Förteckningen kan läsas utan inloggning. Den visar inga personuppgifter, och antal "
            "deltagare under fem visas aldrig."
        ),
    )


class AgeBandForm(forms.Form):
    label = forms.CharField(label=_("Namn"), max_length=40)
    age_from = forms.IntegerField(label=_("Ålder från"), min_value=0, max_value=MAX_AGE)
    age_to = forms.IntegerField(label=_("Ålder till"), min_value=0, max_value=MAX_AGE)


class MethodForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=200)
    description = forms.CharField(
        label=_("Beskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    url = forms.URLField(label=_("Länk"), required=False, assume_scheme="https")
    evidence_level = forms.ChoiceField(
        label=_("Evidensnivå"), choices=EvidenceLevel.choices, initial=EvidenceLevel.NOT_ASSESSED
    )
    evidence_sources = forms.CharField(
        label=_("Källor"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
