"""Forms of a grant round. They only parse; the services check and save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Decision, GrantApplication, GrantRound


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _money(label, required=True, help_text=""):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        localize=True,
        help_text=help_text,
    )


class LinesField(forms.CharField):
    """A list typed one item per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [v.strip() for v in (value or "").splitlines() if v.strip()]


class RoundForm(forms.ModelForm):
    priorities = LinesField(label=_("Prioriteringar"), required=False, help_text=_("En per rad."))
    required_attachments = LinesField(
        label=_("Bilagor som krävs"),
        required=False,
        help_text=_("En per rad, t.ex. Verksamhetsberättelse eller Årsbokslut."),
    )
    budget = _money(_("Budget (kr)"))
    opens_at = forms.DateTimeField(label=_("Öppnar"), required=False, widget=DateTimeInput())
    closes_at = forms.DateTimeField(
        label=_("Sista ansökningsdag"), widget=DateTimeInput(), help_text=_("Svensk tid. Servern avgör.")
    )

    class Meta:
        model = GrantRound
        fields = [
            "title",
            "purpose",
            "priorities",
            "budget",
            "opens_at",
            "closes_at",
            "decision_date",
            "report_due",
            "required_attachments",
            "is_public",
            "contact_email",
        ]
        widgets = {
            "decision_date": DateInput(),
            "report_due": DateInput(),
            "purpose": forms.Textarea(attrs={"rows": 4}),
        }


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Kriterium"), max_length=100, required=False)
    question = forms.CharField(
        label=_("Vägledande fråga"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = forms.DecimalField(
        label=_("Vikt"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        localize=True,
        help_text=_("Tomt = vikt 1."),
    )
    scale_min = forms.IntegerField(label=_("Skala från"), initial=1)
    scale_max = forms.IntegerField(label=_("Skala till"), initial=5)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1)


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = GrantApplication
        fields = ["title", "activities", "target_group", "expected_reach", "partners"]
        widgets = {
            "activities": forms.Textarea(attrs={"rows": 4}),
            "target_group": forms.Textarea(attrs={"rows": 2}),
            "partners": forms.Textarea(attrs={"rows": 2}),
        }


class BudgetLineForm(forms.Form):
    item = forms.CharField(label=_("Kostnadspost"), max_length=200, required=False)
    cost = _money(_("Kostnad (kr)"), required=False)
    other_financing = _money(_("Annan finansiering (kr)"), required=False)
    financier = forms.CharField(label=_("Annan finansiär"), max_length=200, required=False)


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=2)


class AttachmentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Bilaga"))
    file = forms.FileField(label=_("Fil"))

    def __init__(self, *args, names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [(n, n) for n in names] + [("Övrigt", _("Övrig bilaga"))]


class ProposalForm(forms.Form):
    """One amount field per application (added by the view)."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        for r in rows:
            a = r.application
            self.fields[f"amount_{a.pk}"] = _money(
                _("Föreslaget belopp för %(org)s") % {"org": a.organisation.name}, required=False
            )
            self.fields[f"amount_{a.pk}"].initial = a.proposed_amount


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Beslut"), choices=Decision.choices, widget=forms.RadioSelect)
    amount = _money(_("Beviljat belopp (kr)"), required=False)
    conditions = forms.CharField(label=_("Villkor"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label=_("Skäl för avslag"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReportForm(forms.ModelForm):
    report_spent = _money(_("Använt bidrag (kr)"), required=False)

    class Meta:
        model = GrantApplication
        fields = ["report_reach", "report_activities", "report_spent", "report_use_of_money"]
        widgets = {
            "report_activities": forms.Textarea(attrs={"rows": 4}),
            "report_use_of_money": forms.Textarea(attrs={"rows": 4}),
        }


class AssessmentForm(forms.Form):
    """A score and a motivation per criterion of the round (fields added from the criteria)."""

    def __init__(self, *args, criteria, existing: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            mine = existing.get(c.pk)
            self.fields[f"score_{c.pk}"] = forms.DecimalField(
                label=_("%(c)s: poäng (%(lo)s–%(hi)s)") % {"c": c.name, "lo": c.scale_min, "hi": c.scale_max},
                required=False,
                localize=True,
                help_text=c.question,
                initial=mine.score if mine else None,
            )
            self.fields[f"motivation_{c.pk}"] = forms.CharField(
                label=_("%(c)s: motivering") % {"c": c.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=mine.motivation if mine else "",
            )

    def pairs(self):
        return [(c, self[f"score_{c.pk}"], self[f"motivation_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict:
        return {
            c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"motivation_{c.pk}", ""))
            for c in self.criteria
        }
