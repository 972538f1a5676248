"""Forms for reporting results, validating them, importing a file and marking payments."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from insats.platform import spreadsheets

from .models import PaymentStatus


class ResultForm(forms.Form):
    metric = forms.ChoiceField(label=_("Utfallsmått"))
    period = forms.ChoiceField(label=_("Period"))
    cohort = forms.ChoiceField(label=_("Kohort"), required=False)
    value = forms.DecimalField(
        label=_("Uppmätt värde"),
        required=False,
        max_digits=20,
        decimal_places=6,
        localize=True,
        help_text=_("Det som mättes under perioden, t.ex. antal nya placeringar."),
    )
    counterfactual_value = forms.DecimalField(
        label=_("Jämförelsegruppens värde"),
        required=False,
        max_digits=20,
        decimal_places=6,
        localize=True,
        help_text=_("Bara när kontraktet jämför med en jämförelsegrupp som mäts samma period."),
    )
    denominator = forms.DecimalField(
        label=_("Nämnare"),
        required=False,
        max_digits=20,
        decimal_places=6,
        localize=True,
        help_text=_(
            "Bara för kvotmått och andelar: nämnaren, t.ex. antal barndygn eller deltagare under perioden. "
            "Värdet ovan är då täljaren (kvotmått) eller andelen."
        ),
    )
    estimates = forms.CharField(
        label=_("Effektskattningar (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('Bara för sammanvägda mått: {"rct": "12", "did": "20"}.'),
    )
    participants = forms.CharField(
        label=_("Deltagarrader (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'Bara för prislistor: {"participant": [...], "outcome": [...], "achieved": [...], '
            '"sustained_through": [...]}.'
        ),
    )
    action = forms.ChoiceField(
        label=_("Vad vill du göra?"),
        choices=[("submit", _("Lämna in för validering")), ("draft", _("Spara som utkast"))],
        initial="submit",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.metrics = {m.code: m for m in contract.metrics.all()}
        self.cohorts = {c.code: c for c in contract.cohorts.all()}
        self.fields["metric"].choices = [(m.code, f"{m.name} ({m.code})") for m in self.metrics.values()]
        self.fields["period"].choices = [(p, p) for p in contract.period_ids()]
        self.fields["cohort"].choices = [("", _("Hela målgruppen"))] + [
            (c.code, c.name) for c in self.cohorts.values()
        ]
        if not self.cohorts:
            self.fields["cohort"].widget = forms.HiddenInput()

    def _json(self, name):
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("Inte giltig JSON.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Ange ett JSON-objekt {…}."))
        return value

    def clean_estimates(self):
        return self._json("estimates")

    def clean_participants(self):
        return self._json("participants")

    def figure(self) -> dict:
        d = self.cleaned_data
        return {
            "metric": self.metrics[d["metric"]],
            "period": d["period"],
            "cohort": self.cohorts.get(d.get("cohort") or ""),
            "value": d.get("value"),
            "counterfactual_value": d.get("counterfactual_value"),
            "denominator": d.get("denominator"),
            "estimates": d.get("estimates"),
            "participants": d.get("participants"),
            "submit": d.get("action") != "draft",
        }


class ReturnForm(forms.Form):
    comments = forms.CharField(
        label=_("Vad behöver rättas?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Synligt för utföraren. Resultatet kan rättas och lämnas in igen."),
    )


class ApproveForm(forms.Form):
    comments = forms.CharField(
        label=_("Kommentar (valfri)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fil (CSV eller Excel)"),
        help_text=_("Kolumner: matt, period, kohort, varde, jamforelse. Rad 1 är rubriker."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the shared upload limits (settings IMPORT_MAX_*), as every import states them
        limits = _("Högst %(mb)s MB, %(cols)s kolumner, %(rows)s rader och %(chars)s tecken per cell.") % {
            "mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
            "cols": settings.IMPORT_MAX_COLUMNS,
            "rows": f"{settings.IMPORT_MAX_ROWS:,}".replace(",", " "),
            "chars": f"{settings.IMPORT_MAX_CELL_CHARS:,}".replace(",", " "),
        }
        self.fields["file"].help_text = f"{self.fields['file'].help_text} {limits}"

    def clean_file(self):
        """The shared size limit (``spreadsheets.check_size``); the rest is checked as it is read."""
        f = self.cleaned_data["file"]
        try:
            spreadsheets.check_size(f.size)
        except spreadsheets.UploadError as exc:
            raise forms.ValidationError(exc.text) from None
        return f


class PaymentMarkForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Markera som"),
        choices=[(PaymentStatus.INVOICED, _("Fakturerad")), (PaymentStatus.PAID, _("Betald"))],
    )
    paid_amount = forms.DecimalField(
        label=_("Betalt belopp (kr)"),
        required=False,
        max_digits=16,
        decimal_places=2,
        localize=True,
        help_text=_("Tomt = beloppet att betala."),
    )
