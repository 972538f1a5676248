"""Forms of the form advisor: the need and the guided questions, the decision, a new threshold."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insats.core import form_advisor as core

from .models import CollaborationForm, ProcurementThreshold

ANSWER_CHOICES = [("ja", _("Ja")), ("nej", _("Nej")), ("", _("Vet ej"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AssessmentForm(forms.Form):
    """The need (a target group / result of the lägesbild or a free description) and the answers.

    The questions come from the core (``QUESTIONS``); the template renders one fieldset each."""

    title = forms.CharField(
        label=_("Behov"),
        max_length=200,
        required=False,
        help_text=_("En kort rubrik. Tom: målgruppens eller resultatets namn."),
    )
    need_description = forms.CharField(
        label=_("Beskrivning av behovet"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    target_group = forms.ModelChoiceField(label=_("Målgrupp i lägesbilden"), queryset=None, required=False)
    result = forms.ModelChoiceField(label=_("Resultat i lägesbilden"), queryset=None, required=False)
    estimated_value = forms.CharField(
        label=_("Uppskattat värde (kr)"),
        required=False,
        max_length=30,
        help_text=_("Hela värdet under avtalstiden, i kronor. Lämna tomt om det inte är känt ännu."),
    )

    def __init__(self, *args, target_groups, results, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_group"].queryset = target_groups
        self.fields["result"].queryset = results
        for q in core.QUESTIONS:
            self.fields[q.key] = forms.ChoiceField(
                label=q.text, choices=ANSWER_CHOICES, required=False, widget=forms.RadioSelect
            )
            self.initial.setdefault(q.key, "")

    def need_fields(self):
        return [self[n] for n in ("title", "need_description", "target_group", "result")]

    def questions(self):
        """(question, bound field) in the order the assessment asks them."""
        return [(q, self[q.key]) for q in core.QUESTIONS]


class DecideForm(forms.Form):
    chosen = forms.ChoiceField(label=_("Beslutad form"), choices=CollaborationForm.choices)
    departure_reason = forms.CharField(
        label=_("Skäl för avvikelse från rekommendationen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Krävs om ni väljer en annan form än den rekommenderade."),
    )


class ThresholdForm(forms.ModelForm):
    class Meta:
        model = ProcurementThreshold
        fields = ["kind", "amount", "valid_from", "valid_to", "source"]
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "source": forms.Textarea(attrs={"rows": 3}),
        }
