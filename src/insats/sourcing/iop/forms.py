"""Forms of the IOP pages (the services validate; the forms parse)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insats.accounts.models import Organisation
from insats.core.iop import QUESTION_KEYS

from .models import ContributionKind, IopParty

YES_NO = [("yes", _("Ja")), ("no", _("Nej"))]


class DateInput(forms.DateInput):
    input_type = "date"


class CreateForm(forms.Form):
    title = forms.CharField(label=_("Namn på partnerskapet"), max_length=200)
    goal = forms.CharField(label=_("Gemensamt samhälleligt mål"), widget=forms.Textarea(attrs={"rows": 3}))
    result = forms.TypedChoiceField(
        label=_("Resultat i lägesbilden"), required=False, coerce=int, empty_value=None
    )
    term_start = forms.DateField(label=_("Avtalet gäller från"), widget=DateInput)
    term_end = forms.DateField(
        label=_("Avtalet gäller till"), widget=DateInput, help_text=_("De flesta IOP-avtal gäller 3–5 år.")
    )

    def __init__(self, *args, results=(), questions: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = [("", _("– inget –"))] + [(r.pk, r.title) for r in results]
        for key in QUESTION_KEYS:
            self.fields[key] = forms.ChoiceField(
                label=questions[key], choices=YES_NO, widget=forms.RadioSelect
            )
            self.fields[f"{key}_reason"] = forms.CharField(
                label=_("Motivering"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def checklist_fields(self):
        return [(self[key], self[f"{key}_reason"]) for key in QUESTION_KEYS]

    def answers(self) -> dict:
        return {k: self.cleaned_data[k] == "yes" for k in QUESTION_KEYS if self.cleaned_data.get(k)}

    def reasons(self) -> dict:
        return {k: self.cleaned_data.get(f"{k}_reason", "") for k in QUESTION_KEYS}


class PartyForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Idéburen organisation"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class ContributionForm(forms.Form):
    party = forms.ModelChoiceField(label=_("Part"), queryset=IopParty.objects.none())
    kind = forms.ChoiceField(label=_("Slag"), choices=ContributionKind.choices)
    year = forms.IntegerField(label=_("År"))
    quantity = forms.DecimalField(label=_("Mängd"), min_value=0, max_digits=14, decimal_places=2)
    unit = forms.CharField(
        label=_("Enhet"), max_length=40, help_text=_("T.ex. kr, timmar, m² eller ”andel”.")
    )
    value = forms.DecimalField(
        label=_("Värde (kr)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Värdet i kronor där det går att värdera; lämna tomt annars."),
    )
    description = forms.CharField(label=_("Beskrivning"), max_length=300, required=False)

    def __init__(self, *args, agreement=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agreement is not None:
            self.fields["party"].queryset = agreement.parties.select_related("organisation")
            self.fields["party"].label_from_instance = lambda p: p.organisation.name


class FollowUpForm(forms.Form):
    measure = forms.CharField(label=_("Vad följs upp"), max_length=300)
    responsible = forms.CharField(label=_("Vem"), max_length=200)
    timing = forms.CharField(label=_("När"), max_length=200)


class CheckInForm(forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DateInput)
    notes = forms.CharField(label=_("Anteckningar"), widget=forms.Textarea(attrs={"rows": 3}))
    adjustments = forms.CharField(
        label=_("Överenskomna justeringar"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChangeForm(forms.Form):
    description = forms.CharField(label=_("Beskrivning och skäl"), widget=forms.Textarea(attrs={"rows": 3}))
    goal = forms.CharField(
        label=_("Nytt gemensamt mål"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Lämna tomt för att behålla målet."),
    )
    term_end = forms.DateField(
        label=_("Ny slutdag"),
        required=False,
        widget=DateInput,
        help_text=_("Lämna tomt för att behålla avtalstiden."),
    )

    def payload(self) -> dict:
        out: dict = {}
        if self.cleaned_data.get("goal"):
            out["goal"] = self.cleaned_data["goal"]
        if self.cleaned_data.get("term_end"):
            out["term_end"] = self.cleaned_data["term_end"].isoformat()
        return out


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Ert ställningstagande"),
        choices=[("approve", _("Godkänner")), ("reject", _("Avslår"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Motivering"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
