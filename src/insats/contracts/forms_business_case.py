"""The business-case form: a scenario's inputs, each uncertain one with a distribution of its choice.

The form speaks the user's units (per cent for the effect, shares and the discount rate; kronor;
days) and turns them into :class:`~insats.contracts.business_case.ScenarioInputs`, whose pydantic
validation (and the core's) is shown on the fields.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from .business_case import UNCERTAIN, ScenarioInputs, inputs_error_fields

KINDS = [
    ("fixed", _("Fast värde")),
    ("uniform", _("Likformig (jämn)")),
    ("normal", _("Normalfördelning")),
    ("lognormal", _("Lognormal")),
    ("triangular", _("Triangelfördelning")),
    ("pert", _("PERT")),
    ("beta", _("Beta")),
    ("discrete", _("Diskret (några scenarier)")),
]

#: Plain-Swedish help for each distribution: what it means and when to use it.
KIND_HELP = [
    ("fixed", _("Fast värde"), _("Ingen osäkerhet: siffran är känd, t.ex. ett avtalat pris.")),
    (
        "uniform",
        _("Likformig"),
        _(
            "Alla värden mellan lägsta och högsta är lika troliga. Använd när du bara vet ett spann "
            "och inget värde är troligare än något annat."
        ),
    ),
    (
        "normal",
        _("Normalfördelning"),
        _(
            "Klockformad kring ett medelvärde; standardavvikelsen anger spridningen (ungefär två "
            "tredjedelar av utfallen ligger inom ± en standardavvikelse). För symmetrisk osäkerhet, "
            "t.ex. mätfel. Kan begränsas med lägsta och högsta värde."
        ),
    ),
    (
        "lognormal",
        _("Lognormal"),
        _(
            "Alltid positiv och sned åt höger: de flesta utfall nära medelvärdet men enstaka mycket "
            "höga. Passar kostnader och vårdtider. Anges med medelvärde och standardavvikelse."
        ),
    ),
    (
        "triangular",
        _("Triangelfördelning"),
        _(
            "Lägsta, mest troliga och högsta värde – en expertbedömning. Enkel att förklara; ger "
            "ytterligheterna ganska stor vikt."
        ),
    ),
    (
        "pert",
        _("PERT"),
        _(
            "Som triangeln (lägsta, mest troliga, högsta) men mjukare: mer vikt kring det mest troliga "
            "värdet. Vikten (normalt 4) anger hur mycket. Ett bra förval för bedömd effekt."
        ),
    ),
    (
        "beta",
        _("Beta"),
        _(
            "För andelar och sannolikheter mellan lägsta och högsta (normalt 0–100 %). Formen styrs av "
            "alfa och beta: medelvärdet är alfa / (alfa + beta), t.ex. alfa 2 och beta 8 ger 20 %; "
            "större tal ger mindre spridning. Passar när effekten skattats i en studie."
        ),
    ),
    (
        "discrete",
        _("Diskret"),
        _(
            "Några få möjliga utfall, vart och ett med sin sannolikhet, t.ex. 10 %, 20 % och 30 % med "
            "sannolikheterna 0,25; 0,5; 0,25. Sannolikheterna ska summera till 1. Skriv värdena "
            "åtskilda med semikolon."
        ),
    ),
]

#: Parameters and the kinds that use them (the template shows each with its kinds).
PARAMS = [
    ("value", _("Värde"), ("fixed",)),
    ("low", _("Lägsta"), ("uniform", "normal", "triangular", "pert", "beta")),
    ("mode", _("Mest troligt"), ("triangular", "pert")),
    ("high", _("Högsta"), ("uniform", "normal", "triangular", "pert", "beta")),
    ("mean", _("Medelvärde"), ("normal", "lognormal")),
    ("sd", _("Standardavvikelse"), ("normal", "lognormal")),
    ("weight", _("Vikt på mest troliga (PERT)"), ("pert",)),
    ("alpha", _("Alfa"), ("beta",)),
    ("beta", _("Beta"), ("beta",)),
    ("values", _("Värden (åtskilda med ;)"), ("discrete",)),
    ("probabilities", _("Sannolikheter (åtskilda med ;)"), ("discrete",)),
]
SCALED = {"value", "low", "mode", "high", "mean", "sd", "values"}  # in the input's display unit
OPTIONAL = {("normal", "low"), ("normal", "high"), ("pert", "weight"), ("beta", "low"), ("beta", "high")}

#: The uncertain inputs: label, display unit, factor from the display unit to the model's unit, help.
INPUTS = {
    "effect": (
        _("Förväntad effekt"),
        "%",
        Decimal("0.01"),
        _(
            "Hur mycket utfallsmåttens nivå förändras jämfört med utan insatsen, i procent: 20 betyder "
            "20 % färre placeringar. Välj en fördelning som beskriver hur säker bedömningen är."
        ),
    ),
    "hvb_day_cost": (_("Kostnad per vårddygn i HVB"), "kr", Decimal(1), ""),
    "family_home_day_cost": (_("Kostnad per vårddygn i familjehem"), "kr", Decimal(1), ""),
    "days_per_placement": (
        _("Vårddygn per placering, första perioden"),
        _("dygn"),
        Decimal(1),
        _("Vårddygn som en undviken placering sparar under perioden då den skulle ha börjat."),
    ),
    "days_following": (
        _("Vårddygn per placering, följande period"),
        _("dygn"),
        Decimal(1),
        _("Vårddygn som samma placering hade fortsatt med perioden därpå (0 om placeringar är korta)."),
    ),
    "enrolment": (
        _("Nya deltagare per period"),
        _("deltagare"),
        Decimal(1),
        _(
            "Hur många deltagare som börjar i insatsen varje period. Är ni osäkra, välj t.ex. en "
            "triangelfördelning: lägsta, mest troliga och högsta antal. I varje simulerat utfall gäller "
            "samma nivå alla perioder; antalet avrundas till hela deltagare."
        ),
    ),
}

#: Per rate-card outcome: form parameter, label and help.
OUTCOME_PARAMS = [
    (
        "probability",
        _("Sannolikhet att en deltagare når utfallet (%)"),
        _(
            "Av 100 deltagare, hur många når utfallet? Ska utfallet bestå en tid för att betalas, ange "
            "andelen som når det och behåller det så länge."
        ),
    ),
    (
        "probability_low",
        _("Lägsta troliga sannolikhet (%)"),
        _(
            "Är ni osäkra på sannolikheten, ange lägsta och högsta troliga värde: simuleringen använder "
            "då en triangelfördelning mellan dem med sannolikheten ovan som mest trolig. Lämna tomt "
            "annars."
        ),
    ),
    (
        "probability_high",
        _("Högsta troliga sannolikhet (%)"),
        _("Lämna tomt om sannolikheten ovan är säker nog."),
    ),
    (
        "delay_min",
        _("Tidigast, antal perioder efter start"),
        _("0 betyder samma period som deltagaren börjar."),
    ),
    (
        "delay_max",
        _("Senast, antal perioder efter start"),
        _("Varje period från tidigast till senast antas lika trolig."),
    ),
    (
        "value",
        _("Besparing för kommunen per uppnått utfall (kr)"),
        _("T.ex. försörjningsstöd som inte behöver betalas; räknas den period utfallet betalas. 0 om okänt."),
    ),
]


def outcome_field(key: str, param: str) -> str:
    """The form field of one rate-card outcome's parameter (``key`` is "<metric>/<outcome>")."""
    return f"rc:{key}:{param}"


def _parse_number(text: str) -> Decimal:
    """A number as typed in Swedish or English: "0,2", "0.2", "4 000"."""
    from decimal import InvalidOperation

    try:
        d = Decimal(text.strip().replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise ValueError(text) from None
    if not d.is_finite():
        raise ValueError(text)
    return d


def _share(percent: Decimal | None) -> float | None:
    """A per cent typed on the form as a share (None stays None)."""
    return None if percent is None else float(percent / 100)


def _fmt(value) -> str:
    d = Decimal(str(value)).normalize()
    text = format(d, "f")
    return text.replace(".", ",")


class ScenarioForm(forms.Form):
    name = forms.CharField(
        label=_("Scenariots namn"),
        max_length=200,
        help_text=_("Samma namn som ett tidigare scenario ger en ny version av det."),
    )
    notes = forms.CharField(label=_("Anteckningar"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    baseline_placements = forms.FloatField(
        label=_("Placeringar per år utan insatsen"),
        min_value=0,
        localize=True,
        help_text=_("Förifyllt från kontraktets historiska baslinje när den finns."),
    )
    hvb_share = forms.DecimalField(
        label=_("Andel av placeringarna i HVB (%)"),
        min_value=0,
        max_value=100,
        localize=True,
        help_text=_("Resten antas vara familjehemsplaceringar."),
    )
    cashable_share = forms.DecimalField(
        label=_("Andel av besparingen som frigör pengar i budgeten (%)"),
        min_value=0,
        max_value=100,
        localize=True,
        help_text=_(
            "100 % om varje undviket vårddygn är ett köpt dygn som inte behöver köpas. Resten räknas som "
            "frigjord kapacitet."
        ),
    )
    own_costs_per_year = forms.DecimalField(
        label=_("Egna kostnader per år (kr)"),
        min_value=0,
        decimal_places=2,
        localize=True,
        help_text=_("Beställarens kostnader för uppföljning och avtalsförvaltning under kontraktstiden."),
    )
    horizon_years = forms.IntegerField(
        label=_("Tidshorisont (år)"),
        min_value=1,
        max_value=30,
        help_text=_("Hur många år undvikna kostnader räknas; minst kontraktets längd."),
    )
    discount_rate = forms.DecimalField(
        label=_("Diskonteringsränta (% per år)"),
        min_value=0,
        max_value=100,
        localize=True,
        help_text=_("Hur mycket mindre en krona om ett år är värd än en krona i dag. Förval 3,5 %."),
    )
    draws = forms.IntegerField(
        label=_("Antal dragningar"),
        min_value=100,
        max_value=1_000_000,
        help_text=_("Hur många möjliga utfall som simuleras. 100 000 ger stabila sannolikheter."),
    )
    seed = forms.IntegerField(
        label=_("Slumpfrö"),
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("Samma frö och samma indata ger exakt samma resultat."),
    )

    def __init__(self, *args, level_metrics=(), prefill=None, rate_card_outcomes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.prefill = prefill or {}
        self.level_metrics = list(level_metrics)
        #: (key, metric, outcome) of every rate-card outcome; empty when the contract has no rate card
        self.rate_cards = [(f"{m.id}/{o.id}", m, o) for m, o in rate_card_outcomes]
        for name, (_label, unit, _factor, help_text) in INPUTS.items():
            if name == "enrolment" and not self.rate_cards:
                continue
            self.fields[f"{name}_kind"] = forms.ChoiceField(
                label=_("Fördelning"), choices=KINDS, help_text=help_text
            )
            for param, plabel, _kinds in PARAMS:
                suffix = f" ({unit})" if param in SCALED else ""
                self.fields[f"{name}_{param}"] = forms.CharField(
                    label=f"{plabel}{suffix}", required=False, max_length=500
                )
        if self.rate_cards:
            self.fields["enrolment_periods"] = forms.IntegerField(
                label=_("Antal perioder med nya deltagare"),
                min_value=1,
                max_value=1200,
                required=False,
                help_text=_("Från kontraktets första period. Lämna tomt om deltagare börjar alla perioder."),
            )
        for key, _metric, _outcome in self.rate_cards:
            labels = {p: label for p, label, _h in OUTCOME_PARAMS}
            helps = {p: h for p, _l, h in OUTCOME_PARAMS}
            delay_min, delay_max, value = labels["delay_min"], labels["delay_max"], labels["value"]
            for param in ("probability", "probability_low", "probability_high"):
                self.fields[outcome_field(key, param)] = forms.DecimalField(
                    label=labels[param],
                    min_value=0,
                    max_value=100,
                    localize=True,
                    required=param == "probability",
                    help_text=helps[param],
                )
            self.fields[outcome_field(key, "delay_min")] = forms.IntegerField(
                label=delay_min, min_value=0, max_value=120, help_text=helps["delay_min"]
            )
            self.fields[outcome_field(key, "delay_max")] = forms.IntegerField(
                label=delay_max, min_value=0, max_value=120, help_text=helps["delay_max"]
            )
            self.fields[outcome_field(key, "value")] = forms.DecimalField(
                label=value,
                min_value=0,
                decimal_places=2,
                localize=True,
                required=False,
                help_text=helps["value"],
            )
        for metric in self.level_metrics:
            self.fields[f"level_{metric.id}"] = forms.FloatField(
                label=_("Nivå utan insatsen: %(name)s") % {"name": metric.name or metric.id},
                localize=True,
                help_text=_(
                    "Kontraktet anger ingen historisk baslinje för måttet; ange den nivå ni väntar er "
                    "utan insatsen (%(unit)s per period)."
                )
                % {"unit": metric.unit or _("enheter")},
            )

    # --- layout helpers for the template ----------------------------------------------------------

    def distribution_groups(self):
        groups = []
        for name, (label, unit, _factor, _help) in INPUTS.items():
            if name == "enrolment":
                continue  # shown with the participants (participant_group)
            params = [(self[f"{name}_{p}"], " ".join(kinds)) for p, _l, kinds in PARAMS]
            groups.append(
                {
                    "name": name,
                    "label": label,
                    "unit": unit,
                    "kind": self[f"{name}_kind"],
                    "params": params,
                    "prefill": self.prefill.get(name),
                }
            )
        return groups

    def participant_group(self):
        """The rate-card section: enrolment (a distribution) and each outcome's fields."""
        if not self.rate_cards:
            return None
        label, unit, _factor, _help = INPUTS["enrolment"]
        return {
            "enrolment": {
                "name": "enrolment",
                "label": label,
                "unit": unit,
                "kind": self["enrolment_kind"],
                "params": [(self[f"enrolment_{p}"], " ".join(kinds)) for p, _l, kinds in PARAMS],
            },
            "periods": self["enrolment_periods"],
            "outcomes": [
                {
                    "label": o.label or o.id,
                    "metric": m.name or m.id,
                    "price": o.price,
                    "sustain": o.sustain_periods,
                    "cap": m.cap_per_participant,
                    "fields": [self[outcome_field(key, p)] for p, _l, _h in OUTCOME_PARAMS],
                }
                for key, m, o in self.rate_cards
            ],
        }

    def level_fields(self):
        return [self[f"level_{m.id}"] for m in self.level_metrics]

    # --- conversion -----------------------------------------------------------------------------

    @classmethod
    def initial_from(cls, data: dict, name: str = "") -> dict:
        """Form initial values from a :class:`ScenarioInputs` JSON."""
        initial = {
            "name": name,
            "baseline_placements": _fmt(data["baseline_placements"]),
            "hvb_share": Decimal(str(data.get("hvb_share", 0.5))) * 100,
            "cashable_share": Decimal(str(data.get("cashable_share", 1))) * 100,
            "own_costs_per_year": Decimal(str(data.get("own_costs_per_year", 0))),
            "horizon_years": data["horizon_years"],
            "discount_rate": Decimal(str(data.get("discount_rate", "0.035"))) * 100,
            "draws": data.get("draws", 100_000),
            "seed": data.get("seed", 1),
        }
        for k in ("hvb_share", "cashable_share", "discount_rate"):
            initial[k] = initial[k].normalize()
        participants = data.get("participants") or {}
        for name_, (_label, _unit, factor, _help) in INPUTS.items():
            d = participants.get("enrolment") if name_ == "enrolment" else data[name_]
            if d is None:
                continue
            initial[f"{name_}_kind"] = d["kind"]
            for param, _l, _kinds in PARAMS:
                if param not in d or d[param] is None:
                    continue
                v = d[param]
                scale = factor if param in SCALED else Decimal(1)
                if isinstance(v, list):
                    initial[f"{name_}_{param}"] = "; ".join(_fmt(Decimal(str(x)) / scale) for x in v)
                else:
                    initial[f"{name_}_{param}"] = _fmt(Decimal(str(v)) / scale)
        for metric_id, level in (data.get("metric_levels") or {}).items():
            initial[f"level_{metric_id}"] = _fmt(level)
        if participants:
            initial["enrolment_periods"] = participants.get("enrolment_periods")
            for key, o in (participants.get("outcomes") or {}).items():
                initial[outcome_field(key, "probability")] = _fmt(Decimal(str(o["probability"])) * 100)
                for bound in ("probability_low", "probability_high"):
                    if o.get(bound) is not None:
                        initial[outcome_field(key, bound)] = _fmt(Decimal(str(o[bound])) * 100)
                initial[outcome_field(key, "delay_min")] = o.get("delay_min", 0)
                initial[outcome_field(key, "delay_max")] = o.get("delay_max", 0)
                initial[outcome_field(key, "value")] = _fmt(o.get("value", 0))
        return initial

    def _distribution(self, name: str) -> dict:
        kind = self.cleaned_data.get(f"{name}_kind")
        factor = INPUTS[name][2]
        out: dict = {"kind": kind}
        for param, _l, kinds in PARAMS:
            if kind not in kinds:
                continue
            field = f"{name}_{param}"
            text = (self.cleaned_data.get(field) or "").strip()
            if not text:
                if (kind, param) not in OPTIONAL:
                    self.add_error(field, _("Ange ett värde för den valda fördelningen."))
                continue
            scale = factor if param in SCALED else Decimal(1)
            try:
                if param in ("values", "probabilities"):
                    out[param] = [float(_parse_number(x) * scale) for x in text.split(";") if x.strip()]
                else:
                    out[param] = float(_parse_number(text) * scale)
            except ValueError:
                self.add_error(field, _("Ange ett tal (decimaler med komma)."))
        return out

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        data = {
            "baseline_placements": cleaned["baseline_placements"],
            "hvb_share": float(cleaned["hvb_share"] / 100),
            "cashable_share": str(cleaned["cashable_share"] / 100),
            "own_costs_per_year": str(cleaned["own_costs_per_year"]),
            "horizon_years": cleaned["horizon_years"],
            "discount_rate": str(cleaned["discount_rate"] / 100),
            "draws": cleaned["draws"],
            "seed": cleaned["seed"],
            "metric_levels": {m.id: cleaned[f"level_{m.id}"] for m in self.level_metrics},
        }
        for name in UNCERTAIN:
            data[name] = self._distribution(name)
        if self.rate_cards:
            data["participants"] = {
                "enrolment": self._distribution("enrolment"),
                "enrolment_periods": cleaned.get("enrolment_periods"),
                "outcomes": {
                    key: {
                        "probability": float(cleaned[outcome_field(key, "probability")] / 100),
                        "probability_low": _share(cleaned.get(outcome_field(key, "probability_low"))),
                        "probability_high": _share(cleaned.get(outcome_field(key, "probability_high"))),
                        "delay_min": cleaned[outcome_field(key, "delay_min")],
                        "delay_max": cleaned[outcome_field(key, "delay_max")],
                        "value": str(cleaned.get(outcome_field(key, "value")) or 0),
                    }
                    for key, _m, _o in self.rate_cards
                },
            }
        if self.errors:
            return cleaned
        try:
            self.inputs = ScenarioInputs.model_validate(data)
        except ValidationError as exc:
            self.add_model_errors(inputs_error_fields(exc))
        return cleaned

    def add_model_errors(self, errors: dict[str, list[str]]) -> None:
        """Errors from the business-case models (by form field name) onto the form."""
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
