"""The catalogue's forms: one form for the intervention and a formset each for staffing, funding and
reach rows; the list's search and filters."""

from __future__ import annotations

from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from insats.accounts.models import FederationMember, GovernanceBody, Organisation
from insats.situation.models import Area, AreaKind
from insats.situation.models_plans import BbicSide, Result, TargetGroup
from insats.situation.services_plans import factors_for, visible_indicators

from . import selectors
from .models import (
    EVIDENCE_HELP,
    INTENSITY_HELP,
    AgeBand,
    EvidenceLevel,
    Intensity,
    Intervention,
    InterventionStatus,
    Method,
    ReachSource,
)
from .services import GENDERS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _help(choices, helps) -> str:
    return " ".join(f"{label}: {helps[value]}" for value, label in choices)


def member_areas(organisation) -> list[str]:
    """Area codes of a samordningsförbund's member municipalities (empty for anyone else)."""
    codes = FederationMember.objects.filter(federation=organisation).values_list(
        "member__area_code", flat=True
    )
    return [c for c in codes if c and len(c) == 4]


def area_choices(organisation):
    """Kommuner, the förbund's member municipalities first, then the organisation's own."""
    first = member_areas(organisation)
    if organisation is not None and organisation.area_code:
        first.append(organisation.area_code)
    return Area.objects.filter(kind=AreaKind.KOMMUN).order_by(
        Case(When(code__in=first, then=Value(0)), default=Value(1), output_field=IntegerField()), "name"
    )


class InterventionForm(forms.ModelForm):
    domains = forms.MultipleChoiceField(
        label=_("BBIC-områden"),
        choices=BbicSide.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    factors = forms.MultipleChoiceField(
        label=_("Risk- och skyddsfaktorer"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Grupperade efter BBIC-triangelns sidor."),
    )

    class Meta:
        model = Intervention
        fields = [
            "name",
            "description",
            "status",
            "start",
            "end",
            "providers",
            "provider_names",
            "method",
            "method_name",
            "intensity",
            "age_bands",
            "areas",
            "domains",
            "factors",
            "evidence_level",
            "evidence_sources",
            "evidence_assessed_on",
            "goals",
            "outcome_measures",
            "indicators",
            "results",
            "target_groups",
            "capacity_per_year",
            "annual_budget",
            "budget_year",
            "governance_body",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        localized_fields = ["annual_budget"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "evidence_sources": forms.Textarea(attrs={"rows": 2}),
            "goals": forms.Textarea(attrs={"rows": 3}),
            "outcome_measures": forms.Textarea(attrs={"rows": 2}),
            "start": DateInput(),
            "end": DateInput(),
            "evidence_assessed_on": DateInput(),
            "age_bands": forms.CheckboxSelectMultiple,
            "areas": forms.SelectMultiple(attrs={"size": 6}),
            "providers": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        f = self.fields
        f["intensity"].help_text = _help(Intensity.choices, INTENSITY_HELP)
        f["evidence_level"].help_text = _help(EvidenceLevel.choices, EVIDENCE_HELP)
        f["method"].queryset = Method.objects.filter(
            Q(organisation__isnull=True) | Q(organisation=organisation)
        )
        f["method"].help_text = _("Välj ur listan över namngivna metoder, eller skriv namnet nedan.")
        f["method_name"].help_text = _("Fritt namn, om metoden inte finns i listan eller är en egen variant.")
        f["age_bands"].queryset = AgeBand.objects.filter(
            pk__in=[b.pk for b in selectors.age_bands_for(getattr(organisation, "pk", None))]
        )
        f["areas"].queryset = area_choices(organisation)
        f["providers"].queryset = Organisation.objects.order_by("name")
        f["indicators"].queryset = visible_indicators(organisation).order_by("code")
        f["results"].queryset = Result.objects.filter(organisation=organisation)
        f["target_groups"].queryset = TargetGroup.objects.filter(organisation=organisation)
        f["governance_body"].queryset = GovernanceBody.objects.filter(organisation=organisation)
        f["governance_body"].help_text = _("Styrgruppen eller annat organ som styr insatsen.")
        for name in ("indicators", "results", "target_groups"):
            f[name].widget.attrs["size"] = 4
        grouped = []
        factor_qs = factors_for(organisation)
        for side, label in BbicSide.choices:
            items = [(str(x.pk), str(x)) for x in factor_qs if x.bbic_side == side]
            if items:
                grouped.append((label, items))
        f["factors"].choices = grouped
        if self.instance.pk and not self.is_bound:
            self.initial["factors"] = [str(pk) for pk in self.instance.factors.values_list("pk", flat=True)]
            self.initial["domains"] = list(self.instance.domains or [])

    def clean_factors(self):
        ids = [int(v) for v in self.cleaned_data.get("factors") or []]
        return list(factors_for(self.organisation).filter(pk__in=ids))


class StaffingRowForm(forms.Form):
    profession = forms.CharField(label=_("Yrke"), max_length=120)
    people = forms.IntegerField(label=_("Antal personer"), min_value=0, max_value=32767)
    fte = forms.DecimalField(
        label=_("Årsarbetskrafter"), min_value=0, max_digits=6, decimal_places=2, localize=True
    )
    employer = forms.ModelChoiceField(
        label=_("Arbetsgivare"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Organisation.objects.order_by("name")


class FundingRowForm(forms.Form):
    funder = forms.ModelChoiceField(
        label=_("Finansiär"), queryset=Organisation.objects.none(), required=False
    )
    funder_name = forms.CharField(
        label=_("Annan finansiär"),
        max_length=200,
        required=False,
        help_text=_("Om finansiären inte finns i Insats."),
    )
    year = forms.IntegerField(label=_("År"), min_value=1900, max_value=2100)
    amount = forms.DecimalField(
        label=_("Belopp (kr)"), min_value=0, max_digits=14, decimal_places=2, localize=True
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = Organisation.objects.order_by("name")

    def clean(self):
        data = super().clean()
        if (
            not data.get("funder")
            and not (data.get("funder_name") or "").strip()
            and not self.has_error("year")
        ):
            self.add_error("funder", _("Ange en finansiär."))
        return data


class ReachRowForm(forms.Form):
    year = forms.IntegerField(label=_("År"), min_value=1900, max_value=2100)
    area = forms.ModelChoiceField(label=_("Kommun"), queryset=Area.objects.none(), required=False)
    gender = forms.ChoiceField(label=_("Kön"), choices=list(GENDERS.items()), initial="T")
    age_band = forms.ModelChoiceField(label=_("Åldersgrupp"), queryset=AgeBand.objects.none(), required=False)
    participants = forms.IntegerField(label=_("Deltagare"), min_value=0)
    source = forms.ChoiceField(label=_("Källa"), choices=ReachSource.choices, initial=ReachSource.ENTERED)

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = area_choices(organisation)
        self.fields["age_band"].queryset = AgeBand.objects.filter(
            pk__in=[b.pk for b in selectors.age_bands_for(getattr(organisation, "pk", None))]
        )


def row_formsets(data=None, *, organisation=None, intervention: Intervention | None = None):
    """The three row formsets, prefilled from the intervention's rows."""
    out = {}
    for kind, form, fields in (
        ("staffing", StaffingRowForm, ["profession", "people", "fte", "employer"]),
        ("funding", FundingRowForm, ["funder", "funder_name", "year", "amount"]),
        ("reach", ReachRowForm, ["year", "area", "gender", "age_band", "participants", "source"]),
    ):
        initial = []
        if intervention is not None and intervention.pk:
            for row in getattr(intervention, kind).all().order_by("pk"):
                initial.append(
                    {
                        name: (
                            getattr(row, f"{name}_id")
                            if name in ("employer", "funder", "area", "age_band")
                            else getattr(row, name)
                        )
                        for name in fields
                    }
                )
        factory = forms.formset_factory(form, extra=2, can_delete=True)
        out[kind] = factory(
            data, initial=initial or None, prefix=kind, form_kwargs={"organisation": organisation}
        )
    return out


def formset_rows(formset) -> list[dict]:
    """The cleaned rows of a valid formset, without deleted and empty extra rows."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and form not in formset.initial_forms:
            continue
        data = dict(form.cleaned_data)
        if not data or data.pop("DELETE", False):
            continue
        rows.append(data)
    return rows


class ListFilterForm(forms.Form):
    OWNER_CHOICES = [
        ("", _("Alla jag kan se")),
        ("own", _("Egna")),
        ("shared", _("Delade med oss")),
        ("federation", _("Förbundets portfölj")),
    ]
    q = forms.CharField(label=_("Sök"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Alla"))] + InterventionStatus.choices
    )
    intensity = forms.ChoiceField(
        label=_("Intensitet"), required=False, choices=[("", _("Alla"))] + Intensity.choices
    )
    age_band = forms.ChoiceField(label=_("Åldersgrupp"), required=False)
    evidence = forms.ChoiceField(
        label=_("Evidens"), required=False, choices=[("", _("Alla"))] + EvidenceLevel.choices
    )
    provider = forms.ChoiceField(label=_("Utförare"), required=False)
    owner = forms.ChoiceField(label=_("Ägare"), required=False, choices=OWNER_CHOICES)

    def __init__(self, *args, bands=(), providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["age_band"].choices = [("", _("Alla"))] + [(str(b.pk), b.label) for b in bands]
        self.fields["provider"].choices = [("", _("Alla"))] + [(str(o.pk), o.name) for o in providers]
