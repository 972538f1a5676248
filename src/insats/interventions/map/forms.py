"""The map's filters and the placement of a target group's need at an intensity."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insats.interventions.catalogue.models import EvidenceLevel, Intensity
from insats.situation.models_plans import BbicSide

from .selectors import Filters, Inputs


def _blank(label):
    return [("", label)]


COLOUR_CHOICES = [
    ("capacity", _("Platser")),
    ("reach", _("Räckvidd")),
    ("cost", _("Kostnad per plats")),
    ("evidence", _("Evidens")),
]


class MapFilterForm(forms.Form):
    """GET filters. Choices come from what the actor can see, so an unknown value is an error."""

    owner = forms.TypedChoiceField(label=_("Ägare"), required=False, coerce=int, empty_value=None)
    area = forms.TypedChoiceField(label=_("Område"), required=False, coerce=int, empty_value=None)
    domain = forms.ChoiceField(label=_("BBIC-område"), required=False)
    factor = forms.TypedChoiceField(
        label=_("Risk- eller skyddsfaktor"), required=False, coerce=int, empty_value=None
    )
    provider = forms.TypedChoiceField(label=_("Utförare"), required=False, coerce=int, empty_value=None)
    funder = forms.TypedChoiceField(label=_("Finansiär"), required=False, coerce=int, empty_value=None)
    evidence = forms.ChoiceField(label=_("Evidens"), required=False)
    colour = forms.ChoiceField(
        label=_("Färga rutorna efter"),
        choices=COLOUR_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        initial="capacity",
    )

    def __init__(self, data, inputs: Inputs):
        super().__init__(data)
        every = _("Alla")
        items = inputs.interventions

        def orgs(ids):
            names = inputs.organisations
            return sorted({(pk, names[pk]) for pk in ids if pk in names}, key=lambda x: x[1])

        self.fields["owner"].choices = _blank(every) + sorted(
            {(i.organisation_id, i.organisation.name) for i in items}, key=lambda x: x[1]
        )
        areas = dict(inputs.areas)
        areas.update({g.area.pk: g.area.name for g in inputs.target_groups if g.area_id})
        self.fields["area"].choices = _blank(every) + sorted(areas.items(), key=lambda x: x[1])
        self.fields["domain"].choices = _blank(every) + list(BbicSide.choices)
        factors = sorted(inputs.factors.values(), key=lambda f: f.name_sv)
        self.fields["factor"].choices = _blank(every) + [(f.pk, f.name_sv) for f in factors]
        self.fields["provider"].choices = _blank(every) + orgs(p for i in items for p in i.map_provider_ids)
        self.fields["funder"].choices = _blank(every) + orgs(p for i in items for p in i.map_funder_ids)
        self.fields["evidence"].choices = _blank(every) + list(EvidenceLevel.choices)

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            return Filters()
        d = self.cleaned_data
        return Filters(
            owner=d["owner"],
            area=d["area"],
            domain=d["domain"] or "",
            factor=d["factor"],
            provider=d["provider"],
            funder=d["funder"],
            evidence=d["evidence"] or "",
            colour=d["colour"] or "capacity",
        )

    def query(self) -> str:
        """The filters as a query string (for the export links)."""
        if not self.is_bound or not self.is_valid():
            return ""
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in self.data.items() if k in self.fields and v})


class NeedAssignmentForm(forms.Form):
    target_group = forms.TypedChoiceField(label=_("Målgrupp"), coerce=int)
    intensity = forms.ChoiceField(
        label=_("Behovet gäller intensiteten"),
        choices=[("", _("Inte placerad"))] + list(Intensity.choices),
        required=False,
    )

    def __init__(self, data, groups):
        super().__init__(data)
        self.groups = {g.pk: g for g in groups}
        self.fields["target_group"].choices = [(g.pk, g.name) for g in groups]
