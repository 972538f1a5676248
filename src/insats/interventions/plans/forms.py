"""Forms for the social plan. Choices are limited to what the plan's organisation owns or can see."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insats.accounts.models import GovernanceBody, Organisation
from insats.situation.models_plans import Result
from insats.situation.services_plans import visible_indicators

from .models import (
    ENTITY_TEXT_FIELDS,
    EntityIntervention,
    EvaluationItem,
    InterventionRole,
    PlanEntity,
    SocialPlan,
    SuccessFactor,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class DateInput(forms.DateInput):
    input_type = "date"


class PlanForm(forms.ModelForm):
    class Meta:
        model = SocialPlan
        fields = ["title", "period_start", "period_end", "vision", "goals"]
        widgets = {"vision": TEXTAREA, "goals": TEXTAREA}


class EntityForm(forms.ModelForm):
    class Meta:
        model = PlanEntity
        fields = ["kind", "name", "organisation", "governance_body", *ENTITY_TEXT_FIELDS]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in ENTITY_TEXT_FIELDS}

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["governance_body"].queryset = GovernanceBody.objects.filter(
            organisation_id=plan.organisation_id
        )


class EntityInterventionForm(forms.ModelForm):
    class Meta:
        model = EntityIntervention
        fields = ["intervention", "role", "start_year"]
        widgets = {"role": forms.RadioSelect}
        help_texts = {"start_year": _("Krävs när entiteten ska starta insatsen.")}

    def __init__(self, *args, interventions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = interventions
        self.fields["role"].choices = InterventionRole.choices
        self.fields["role"].initial = InterventionRole.RUNS


class SuccessFactorForm(forms.ModelForm):
    class Meta:
        model = SuccessFactor
        fields = [
            "title",
            "entity",
            "description",
            "result",
            "indicator",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_year",
        ]
        widgets = {"description": TEXTAREA}
        help_texts = {
            "result": _("Har resultatet redan mål i lägesbilden visas de här; ange då inget eget målvärde."),
            "target_value": _("Bara när lägesbilden inte redan sätter ett mål för resultatet."),
        }

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = plan.entities.all()
        self.fields["result"].queryset = Result.objects.filter(organisation_id=plan.organisation_id)
        self.fields["indicator"].queryset = visible_indicators(plan.organisation).order_by("code")


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = EvaluationItem
        fields = ["measure", "method", "responsible", "timing", "success_factor", "target_note"]
        widgets = {"method": TEXTAREA}

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["success_factor"].queryset = plan.success_factors.all()


class AdoptForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Organ som antog planen"), queryset=GovernanceBody.objects.none())
    adopted_on = forms.DateField(label=_("Beslutsdatum"), widget=DateInput)
    minutes_reference = forms.CharField(
        label=_("Protokollsreferens"),
        max_length=200,
        help_text=_("T.ex. KF § 123 eller diarienummer."),
    )
    confirm = forms.BooleanField(
        label=_("Jag bekräftar att organet har antagit planen i den här versionen."),
        error_messages={"required": _("Bekräfta att organet har antagit planen.")},
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = GovernanceBody.objects.filter(organisation_id=plan.organisation_id)
