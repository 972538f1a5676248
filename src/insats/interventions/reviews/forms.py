"""Forms for the portfolio's total budget and the review (genomlysning)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insats.accounts.models import GovernanceBody, Organisation
from insats.situation.models import Indicator
from insats.situation.models_plans import Result, TargetGroup

from .models import Finding, PortfolioBudget, RecommendationStatus, Review, ReviewItem, ReviewPhase


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class BudgetForm(forms.ModelForm):
    class Meta:
        model = PortfolioBudget
        fields = ["year", "total_budget", "note"]


class ReviewForm(forms.ModelForm):
    interventions = forms.ModelMultipleChoiceField(
        label=_("Insatser"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Portföljen som genomlyses: förbundets finansierade insatser eller ett eget urval."),
    )

    class Meta:
        model = Review
        fields = [
            "title",
            "year",
            "period_start",
            "period_end",
            "owner_name",
            "reviewer_name",
            "target_age_from",
            "target_age_to",
            "needs",
            "target_groups",
            "results",
            "indicators",
            "desired_state",
        ]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "needs": forms.Textarea(attrs={"rows": 4}),
            "desired_state": forms.Textarea(attrs={"rows": 4}),
            "target_groups": forms.CheckboxSelectMultiple,
            "results": forms.CheckboxSelectMultiple,
            "indicators": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, organisation=None, interventions=None, with_interventions=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_groups"].queryset = TargetGroup.objects.filter(organisation=organisation)
        self.fields["results"].queryset = Result.objects.filter(organisation=organisation)
        self.fields["indicators"].queryset = Indicator.objects.filter(organisation=organisation)
        if with_interventions:
            self.fields["interventions"].queryset = interventions
        else:
            del self.fields["interventions"]


class ItemForm(forms.ModelForm):
    class Meta:
        model = ReviewItem
        fields = ["mission", "staffing", "methods", "goals", "accessibility", "results", "notes"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in fields}


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Fas"), choices=ReviewPhase.choices)
    note = forms.CharField(label=_("Kommentar"), required=False, max_length=500)


class FindingForm(forms.Form):
    intervention = forms.ChoiceField(label=_("Gäller"), required=False)
    text = forms.CharField(label=_("Iakttagelse"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].choices = [("", _("Insatserna tillsammans"))] + [
            (str(item.intervention_id), item.intervention.name)
            for item in review.items.select_related("intervention")
        ]


class RecommendationForm(forms.Form):
    text = forms.CharField(label=_("Rekommendation eller åtgärd"), widget=forms.Textarea(attrs={"rows": 3}))
    finding = forms.ModelChoiceField(
        label=_("Utifrån iakttagelse"), queryset=Finding.objects.none(), required=False
    )
    owner_organisation = forms.ModelChoiceField(
        label=_("Ansvarig organisation"), queryset=Organisation.objects.none(), required=False
    )
    owner_person = forms.CharField(label=_("Ansvarig person"), required=False, max_length=200)
    due_on = forms.DateField(label=_("Klart senast"), required=False, widget=DateInput())

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = review.findings.all()
        self.fields["finding"].label_from_instance = lambda f: f.text[:80]
        member_ids = list(review.organisation.federation_members.values_list("member_id", flat=True))
        self.fields["owner_organisation"].queryset = Organisation.objects.filter(
            pk__in=[review.organisation_id, *member_ids]
        ).order_by("name")


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RecommendationStatus.choices)
    on = forms.DateField(label=_("Datum"), widget=DateInput())
    note = forms.CharField(label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Organ"), queryset=GovernanceBody.objects.none())
    decided_on = forms.DateField(label=_("Beslutsdatum"), widget=DateInput())
    minutes_reference = forms.CharField(
        label=_("Protokollsreferens"),
        max_length=200,
        help_text=_("T.ex. ”Styrelsens protokoll 2024-10-14, § 12”."),
    )
    text = forms.CharField(label=_("Beslut"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = GovernanceBody.objects.filter(organisation=review.organisation)


class ReviewerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Granskarens organisation"),
        queryset=Organisation.objects.none(),
        help_text=_(
            "Organisationen får se och arbeta i den här genomlysningen (faserna B–D), men inte i resten av "
            "katalogen. Syfte: genomlysning."
        ),
    )

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.exclude(
            pk=getattr(owner, "pk", None)
        ).order_by("name")
