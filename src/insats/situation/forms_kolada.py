"""The form an analyst starts a Kolada sync with (docs/kolada.md, "From the UI")."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import normalise_kpi_ids, parse_years, resolve_municipalities


def _split(text: str) -> list[str]:
    return [p.strip() for p in (text or "").replace(";", ",").replace(" ", ",").split(",") if p.strip()]


def _message(exc: ValueError, field: str) -> str:
    """The service's message without its leading ``field:`` (the form shows it beside the field)."""
    text = str(exc)
    prefix = field + ":"
    return text[len(prefix) :].strip() if text.startswith(prefix) else text


class KoladaSyncForm(forms.Form):
    kpis = forms.CharField(
        label=_("Nyckeltal (Kolada-id)"),
        max_length=2000,
        help_text=_("Kommaseparerade, t.ex. N15419, N15428."),
    )
    years = forms.CharField(
        label=_("År"),
        max_length=200,
        help_text=_("Ett intervall eller en lista, t.ex. 2015-2024 eller 2019, 2021."),
    )
    municipalities = forms.CharField(
        label=_("Kommuner och regioner"),
        max_length=4000,
        required=False,
        help_text=_("Områdeskoder, t.ex. 1270, 12 (Region Skåne), 0000 (Riket). Tomt: alla områden."),
    )

    def clean_kpis(self) -> list[str]:
        try:
            return normalise_kpi_ids(_split(self.cleaned_data["kpis"]))
        except ValueError as exc:
            raise forms.ValidationError(_message(exc, "kpi")) from exc

    def clean_years(self) -> list[int]:
        try:
            return parse_years(self.cleaned_data["years"].replace(" ", ""))
        except ValueError as exc:
            raise forms.ValidationError(_message(exc, "years")) from exc

    def clean_municipalities(self) -> list[str] | None:
        codes = _split(self.cleaned_data.get("municipalities", ""))
        if not codes:
            return None
        try:
            resolve_municipalities(codes)
        except ValueError as exc:
            raise forms.ValidationError(_message(exc, "municipalities")) from exc
        return codes
