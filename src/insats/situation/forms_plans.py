"""Forms for the own data import, target groups, cause analyses, results, targets and action plans."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from insats.accounts.models import Organisation

from .models import Area, Gender, Indicator, Polarity
from .models_import import CONSTANT_FIELDS, IMPORT_FIELDS, REQUIRED_FIELDS
from .models_plans import (
    ActionItem,
    CauseAnalysis,
    CauseNode,
    Factor,
    Result,
    ResultIndicator,
    Target,
    TargetGroup,
)
from .services_import import field_label
from .services_plans import factors_for, visible_indicators


class DateInput(forms.DateInput):
    input_type = "date"


class TargetGroupForm(forms.ModelForm):
    class Meta:
        model = TargetGroup
        fields = [
            "name",
            "age_from",
            "age_to",
            "criteria",
            "area",
            "estimated_size",
            "size_source",
            "description",
        ]
        widgets = {
            "criteria": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class ResultForm(forms.ModelForm):
    class Meta:
        model = Result
        fields = ["title", "goal_area", "target_group", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_group"].queryset = TargetGroup.objects.filter(organisation=organisation)


class ResultIndicatorForm(forms.ModelForm):
    class Meta:
        model = ResultIndicator
        fields = ["indicator", "area", "gender"]

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = visible_indicators(organisation).order_by("code")
        self.fields["area"].queryset = Area.objects.all()
        if (
            organisation is not None
            and organisation.area_code
            and not self.is_bound
            and not self.initial.get("area")
        ):
            self.initial["area"] = (
                Area.objects.filter(code=organisation.area_code).values_list("pk", flat=True).first()
            )


class TurnTheCurveForm(forms.ModelForm):
    class Meta:
        model = ResultIndicator
        fields = ["story", "partners", "what_works"]
        widgets = {f: forms.Textarea(attrs={"rows": 4}) for f in ["story", "partners", "what_works"]}


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["baseline_year", "year", "kind", "amount", "note"]
        help_texts = {
            "amount": _("Relativ förändring i procent (−20 för −20 %), förändring i enheten eller målvärdet.")
        }


class ActionForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["action", "owner_organisation", "responsible", "start", "end", "status"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = Organisation.objects.order_by("name")
        if organisation is not None and not self.is_bound and not self.initial.get("owner_organisation"):
            self.initial["owner_organisation"] = organisation.pk


class CauseAnalysisForm(forms.ModelForm):
    class Meta:
        model = CauseAnalysis
        fields = ["title", "result", "target_group", "indicator", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].queryset = Result.objects.filter(organisation=organisation)
        self.fields["target_group"].queryset = TargetGroup.objects.filter(organisation=organisation)
        self.fields["indicator"].queryset = visible_indicators(organisation).order_by("code")


class CauseNodeForm(forms.ModelForm):
    class Meta:
        model = CauseNode
        fields = ["text", "level", "bbic_side", "factor", "evidence"]
        widgets = {"evidence": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = factors_for(organisation)
        if self.instance.pk and self.instance.factor_id:
            qs = qs | Factor.objects.filter(pk=self.instance.factor_id)
        self.fields["factor"].queryset = qs.distinct().order_by("kind", "level", "name_sv")


class ShareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Bjud in organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("Organisationen får läsa och redigera orsaksanalysen (syfte: orsaksanalys)."),
    )

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.exclude(
            pk=getattr(owner, "pk", None)
        ).order_by("name")


class FactorForm(forms.ModelForm):
    class Meta:
        model = Factor
        fields = ["name_sv", "name_en", "kind", "level", "bbic_side", "source"]


# --------------------------------------------------------------------------- import


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Fil (CSV eller Excel .xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Högst %(mb)s MB, %(cols)s kolumner, %(rows)s rader och %(chars)s tecken per cell."
        ) % {
            "mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
            "cols": settings.IMPORT_MAX_COLUMNS,
            "rows": f"{settings.IMPORT_MAX_ROWS:,}".replace(",", " "),
            "chars": f"{settings.IMPORT_MAX_CELL_CHARS:,}".replace(",", " "),
        }


class MappingForm(forms.Form):
    """One select per field (the file's headers); area, indicator and gender may instead take one
    value for every row."""

    def __init__(self, *args, headers=(), indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("– finns inte i filen –"))] + [(h, h) for h in headers]
        for f in IMPORT_FIELDS:
            self.fields[f"col_{f}"] = forms.ChoiceField(
                label=field_label(f),
                choices=choices,
                required=False,
                help_text=_("Krävs") if f in REQUIRED_FIELDS and f not in CONSTANT_FIELDS else "",
            )
        self.fields["const_area"] = forms.CharField(
            label=_("Samma område på alla rader (kommunkod)"), required=False, max_length=8
        )
        self.fields["const_indicator"] = forms.ChoiceField(
            label=_("Samma indikator på alla rader"),
            required=False,
            choices=[("", "–")] + [(i.code, f"{i.code} – {i.title_sv}") for i in indicators],
        )
        self.fields["const_gender"] = forms.ChoiceField(
            label=_("Samma kön på alla rader"), required=False, choices=[("", "–")] + list(Gender.choices)
        )

    def mapping(self) -> tuple[dict, dict]:
        d = self.cleaned_data
        columns = {f: d.get(f"col_{f}") or "" for f in IMPORT_FIELDS}
        constants = {f: (d.get(f"const_{f}") or "").strip() for f in CONSTANT_FIELDS}
        return {k: v for k, v in columns.items() if v}, {k: v for k, v in constants.items() if v}


class IndicatorForm(forms.Form):
    code = forms.CharField(
        label=_("Kod"), max_length=32, help_text=_("T.ex. FRANVARO15-SOC. Används i importfilen.")
    )
    title_sv = forms.CharField(label=_("Titel (svenska)"), max_length=500)
    title_en = forms.CharField(label=_("Titel (engelska)"), max_length=500, required=False)
    unit = forms.CharField(
        label=_("Enhet"), max_length=100, required=False, help_text=_("T.ex. procent, antal.")
    )
    polarity = forms.ChoiceField(label=_("Riktning"), choices=Polarity.choices, initial=Polarity.NEUTRAL)
    divided_by_gender = forms.BooleanField(label=_("Könsuppdelad"), required=False)
    description = forms.CharField(
        label=_("Beskrivning"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


__all__ = [
    "ActionForm",
    "CauseAnalysisForm",
    "CauseNodeForm",
    "FactorForm",
    "IndicatorForm",
    "Indicator",
    "MappingForm",
    "ResultForm",
    "ResultIndicatorForm",
    "ShareForm",
    "TargetForm",
    "TargetGroupForm",
    "TurnTheCurveForm",
    "UploadForm",
]
