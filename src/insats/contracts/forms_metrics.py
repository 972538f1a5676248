"""The outcome-metric form: every term of the core's price rules, explained in plain Swedish.

The form shows only the fields of the chosen price model (``kind``), turns them into the core's
JSON form (:meth:`MetricForm.to_rule`) and back (:func:`initial_from_metric`), and puts the core's
validation errors on the form field they concern (:func:`core_field`). Shares, weights and relative
thresholds are entered in per cent and stored as fractions (20 % → ``0.2``), as the core expects.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import MetricKind

HUNDRED = Decimal(100)

# What each field means, in plain Swedish: shown under "Vad betyder detta?".
EXPLAIN = {
    "code": _(
        "Ett kort namn utan mellanslag som används i rapporter, importfiler och API:t, t.ex. "
        "'placeringar'. Det kan inte ändras efter att resultat har rapporterats."
    ),
    "name": _("Det namn parterna använder om utfallet, t.ex. 'Placeringar som undvikits'."),
    "order": _(
        "När flera utfallsmått delar ett tak får det mått som står först plats först. Lägre tal = högre "
        "prioritet."
    ),
    "definition": _("Exakt vad som räknas: vem, vad och när. Det som står här avgör tvister om utfallet."),
    "unit": _("Vad ett mätvärde räknas i: placeringar, dygn, procentenheter, kronor."),
    "data_source": _("Var siffrorna kommer ifrån, t.ex. verksamhetssystemet eller skolans närvarosystem."),
    "validation_method": _("Hur siffrorna kontrolleras innan något betalas, och av vem."),
    "counterfactual_description": _(
        "Hur jämförelsen har tagits fram: vilka år, vilken grupp, vilka justeringar."
    ),
    "measurement_periods": _(
        "Perioder då måttet mäts, t.ex. '2027, 2028'. Lämna tomt om det mäts varje period."
    ),
    "direction": _(
        "Om färre är bättre (placeringar, frånvaro, kostnader) räknas förbättringen som jämförelsen minus "
        "utfallet. Om fler är bättre (i arbete, godkända betyg) som utfallet minus jämförelsen. En "
        "försämring ger aldrig negativ betalning."
    ),
    "cf_kind": _(
        "Vad som hade hänt utan insatsen. Historisk nivå: ett genomsnitt från tidigare år som skrivs in i "
        "kontraktet. Jämförelsegrupp: en liknande grupp som inte får insatsen och mäts samma period. "
        "Fast mål: en nivå parterna kommer överens om."
    ),
    "cf_value": _("Nivån som gäller alla perioder och kohorter, t.ex. 50 placeringar per år."),
    "cf_by_period": _(
        "Om nivån skiljer sig mellan perioder (t.ex. en trend): en rad per period, 'period: nivå'. "
        "Går före nivån ovan."
    ),
    "cf_by_cohort": _(
        "Om varje kohort har egen nivå: en rad per kohort, 'kohortkod: nivå'. Går före både perioder och "
        "nivån ovan."
    ),
    "price": _(
        "Vad beställaren betalar för varje enhet förbättring, t.ex. 250 000 kr per undviken placering."
    ),
    "tiers": _(
        "I stället för ett pris: prisintervall. En rad per intervall, 'upp till: pris'; sista raden "
        "'resten: pris'. Exempel: '5: 40000' och 'resten: 20000' betyder att de fem första enheterna "
        "betalas med 40 000 kr var och resten med 20 000 kr."
    ),
    "threshold_kind": _(
        "En lägsta förbättring innan något betalas, prövad för varje kohort i varje period. Antal "
        "enheter (t.ex. 5 placeringar) eller andel av jämförelsen (t.ex. 10 % färre)."
    ),
    "threshold_value": _("Tröskelns nivå: antal enheter eller procent."),
    "threshold_pays": _(
        "Alla enheter: när tröskeln är nådd betalas hela förbättringen. Bara över tröskeln: enheterna "
        "upp till tröskeln betalas aldrig."
    ),
    "contract_threshold_kind": _(
        "En tröskel för hela kontraktet, prövad en gång vid slutavräkningen på summan av alla "
        "förbättringar. Nås den betalas det som hela kontraktets förbättring är värd minus det som "
        "redan betalats — så en kohort som precis missade sin tröskel kan ändå ge betalt."
    ),
    "contract_threshold_value": _("Nivå för hela kontraktet: antal enheter eller procent."),
    "contract_threshold_pays": _("Som för tröskeln per kohort, men för hela kontraktet."),
    "settlement_period": _("Perioden då slutavräkningen görs. Tomt = sista perioden."),
    "cap_total": _("Det mesta som betalas för måttet under hela kontraktet. Det som går över betalas inte."),
    "cap_per_period": _(
        "Det mesta som betalas för måttet under en period. Om kontraktet för över belopp flyttas "
        "överskottet till nästa period; annars betalas det inte."
    ),
    "outcomes": _(
        "Prislistan: en rad per utfall en deltagare kan uppnå: 'kod; benämning; pris; perioder det "
        "ska hålla; upprepningsbart (ja/nej)'. Exempel: 'narvaro; Närvaro över 90 %; 30000; 2; nej' "
        "betalar 30 000 kr när närvaron fortfarande håller två perioder efter att den uppnåddes."
    ),
    "cap_per_participant": _("Det mesta som betalas för en och samma deltagare över alla utfall."),
    "evaluations": _(
        "Utvärderingarna som vägs samman till en effektskattning: en rad per utvärdering, 'kod; "
        "metod; vikt i %'. Vikterna ska summera till 100 %."
    ),
    "share": _(
        "Hur stor del av den uppmätta besparingen som betalas ut. 100 % = allt som sparas går vidare "
        "till utföraren; 50 % = hälften."
    ),
    "savings_cap": _("Det mesta den första delen av besparingen betalar under hela kontraktet."),
    "bonus_above": _(
        "En extra del betalas bara för besparingar över denna nivå (kr per period) — och bara om villkoret "
        "nedan också är uppfyllt."
    ),
    "bonus_share": _("Hur stor del av besparingen över nivån som betalas som extra del."),
    "bonus_cap": _("Det mesta den extra delen betalar under hela kontraktet."),
    "bonus_condition_metric": _(
        "Kod för ett annat utfallsmått som också måste ha förbättrats samma period, t.ex. barnens "
        "välmående. Tomt = inget villkor."
    ),
    "bonus_condition_kind": _("Hur villkoret mäts: antal enheter eller andel av jämförelsen."),
    "bonus_condition_value": _("Hur mycket det andra måttet måste ha förbättrats."),
    "bonus_condition_compare": _(
        "Minst nivån: exakt på nivån räcker. Mer än nivån: det andra måttet måste ha förbättrats mer "
        "än så — med nivån 0 betyder det 'har förbättrats'."
    ),
    "bonus_over": _(
        "Per period: den extra delen prövas och betalas varje period, på periodens besparing och "
        "villkoret samma period. Hela kontraktet: den prövas en gång vid slutet, på besparingen för "
        "alla perioder tillsammans (ett dåligt år räknas av mot de goda) och på villkoret för hela "
        "kontraktet, och betalas den sista perioden. Nivån ovan gäller då hela kontraktet."
    ),
    "measure_kind": _(
        "Ett vanligt mått räknar ett antal eller en nivå. Ett kvotmått är en täljare delad med en "
        "nämnare, t.ex. vårddygn per barndygn eller händelser per 100 deltagare: resultatet anger "
        "täljaren och nämnaren, jämförelsen anges som en kvot, och priset gäller per enhet av "
        "täljaren (per undvikt vårddygn) — systemet räknar om, ingen handräkning. En andel per "
        "kohort (t.ex. procent elever med hög frånvaro) vägs med kohortens storlek när kohorter "
        "läggs ihop, så en liten skola inte väger lika tungt som en stor; priset gäller per elev."
    ),
    "measure_per": _(
        "Per hur många i nämnaren kvoten anges: 1 för en andel eller dygn per dygn, 100 för procent "
        "eller 'per 100 deltagare', 1000 för 'per 1 000 barndygn'. Jämförelsenivån anges på samma sätt."
    ),
    "steps_kind": _(
        "Stegvisa klumpsummor: ett fast belopp när förbättringen når en nivå, ett större vid nästa. "
        "Nivåerna anges i antal enheter eller i procent av jämförelsen. Kan stå ensamt eller "
        "läggas till ett pris per enhet."
    ),
    "steps": _(
        "En rad per steg, 'nivå: belopp'. Exempel med procent: '10: 500000' och '15: 1200000' betyder "
        "500 000 kr när förbättringen är 10 % och 1 200 000 kr (inte 1 700 000) när den är 15 %. "
        "Det högsta steg som nås betalas, för varje kohort och period."
    ),
    "steps_compare": _(
        "Minst nivån (≥): exakt 10 % räcker. Mer än nivån (>): förbättringen måste vara större än 10 %. "
        "Skriv det kontraktet säger."
    ),
    "threshold_compare": _(
        "Minst nivån (≥): exakt på tröskeln räknas som nådd. Mer än nivån (>): förbättringen måste "
        "vara större än tröskeln. Skriv det kontraktet säger."
    ),
    "contract_threshold_compare": _("Som för tröskeln per kohort, men för hela kontraktet."),
    "cap_by_period": _(
        "Om taket skiljer sig mellan perioder: en rad per period, 'period: belopp', t.ex. '2029: "
        "1000000'. Perioder som inte står med har inget periodtak. Fyll i antingen detta eller taket "
        "per period ovan."
    ),
}

COMPARE = [("inclusive", _("Minst nivån (≥)")), ("strict", _("Mer än nivån (>)"))]
MEASURE_KINDS = [
    ("", _("Antal eller nivå")),
    ("ratio", _("Kvot: täljare per nämnare")),
    ("rate", _("Andel per kohort, vägd med kohortens storlek")),
]
STEP_KINDS = [("", _("Inga steg")), ("absolute", _("Antal enheter")), ("relative", _("Procent"))]
BONUS_OVER = [("period", _("Per period")), ("contract", _("Hela kontraktet, betalas vid slutet"))]

COUNTERFACTUAL_KINDS = [
    ("baseline", _("Historisk nivå")),
    ("comparison", _("Jämförelsegrupp")),
    ("target", _("Fast mål")),
]
THRESHOLD_KINDS = [("", _("Ingen tröskel")), ("absolute", _("Antal enheter")), ("relative", _("Procent"))]
PAYS = [("all_units", _("Alla enheter")), ("above_threshold", _("Bara enheter över tröskeln"))]
DIRECTIONS = [("decrease", _("Färre är bättre")), ("increase", _("Fler är bättre"))]

COMMON = [
    "code",
    "name",
    "order",
    "definition",
    "unit",
    "data_source",
    "validation_method",
    "measurement_periods",
]
CF = ["counterfactual_description", "cf_kind", "cf_value", "cf_by_period", "cf_by_cohort"]
PRICING = [
    "price",
    "tiers",
    "steps_kind",
    "steps",
    "steps_compare",
    "threshold_kind",
    "threshold_value",
    "threshold_pays",
    "threshold_compare",
    "contract_threshold_kind",
    "contract_threshold_value",
    "contract_threshold_pays",
    "contract_threshold_compare",
    "settlement_period",
]
CAPS = ["cap_total", "cap_per_period", "cap_by_period"]
MEASURE = ["measure_kind", "measure_per"]
FIELDS_BY_KIND = {
    MetricKind.IMPROVEMENT: COMMON + ["direction"] + MEASURE + CF + PRICING + CAPS,
    MetricKind.BLENDED: COMMON + ["evaluations", "counterfactual_description"] + PRICING + CAPS,
    MetricKind.RATE_CARD: COMMON + ["outcomes", "cap_per_participant"] + CAPS,
    MetricKind.SAVINGS: COMMON
    + CF
    + [
        "share",
        "savings_cap",
        "bonus_above",
        "bonus_share",
        "bonus_cap",
        "bonus_condition_metric",
        "bonus_condition_kind",
        "bonus_condition_value",
        "bonus_condition_compare",
        "bonus_over",
    ]
    + CAPS,
    MetricKind.CONDITION: COMMON + ["direction"] + MEASURE + CF,
}

# Where the core reports an error (path within the rule) → the form field that shows it.
CORE_FIELD = [
    ("counterfactual.by_period", "cf_by_period"),
    ("counterfactual.by_cohort", "cf_by_cohort"),
    ("counterfactual.value", "cf_value"),
    ("counterfactual.kind", "cf_kind"),
    ("counterfactual", "cf_value"),
    ("contract_threshold.value", "contract_threshold_value"),
    ("contract_threshold", "contract_threshold_kind"),
    ("threshold.value", "threshold_value"),
    ("threshold", "threshold_kind"),
    ("tiers", "tiers"),
    ("steps", "steps"),
    ("measure.per", "measure_per"),
    ("measure", "measure_kind"),
    ("bonus.over", "bonus_over"),
    ("price", "price"),
    ("settlement_period", "settlement_period"),
    ("cap_total", "cap_total"),
    ("cap_per_period", "cap_per_period"),
    ("cap_per_participant", "cap_per_participant"),
    ("outcomes", "outcomes"),
    ("evaluations", "evaluations"),
    ("bonus.condition.metric", "bonus_condition_metric"),
    ("bonus.condition", "bonus_condition_value"),
    ("bonus.above", "bonus_above"),
    ("bonus.share", "bonus_share"),
    ("bonus.cap", "bonus_cap"),
    ("bonus", "bonus_above"),
    ("share", "share"),
    ("cap", "savings_cap"),
    ("direction", "direction"),
    ("code", "code"),
    ("id", "code"),
    ("measurement_periods", "measurement_periods"),
]


# The payment engine's messages are English (it is a library); the form shows them in Swedish.
CORE_MESSAGES = [
    (
        r"give exactly one of price and tiers",
        _("Ange antingen ett pris per enhet eller prisintervall, inte båda."),
    ),
    (r"give at least one band", _("Ange minst ett prisintervall.")),
    (
        r"only the last band may be open-ended",
        _("Bara det sista intervallet får sakna övre gräns ('resten')."),
    ),
    (r"bands must increase", _("Intervallens övre gränser måste öka.")),
    (r"weights must sum to 1", _("Vikterna ska summera till 100 %.")),
    (r"shares must sum to 1", _("Andelarna ska summera till 100 %.")),
    (
        r"a comparison group is measured, not fixed",
        _(
            "En jämförelsegrupp mäts varje period och anges med resultatet, inte i kontraktet: lämna "
            "nivåerna tomma."
        ),
    ),
    (
        r"a (baseline|target) needs value",
        _("Ange jämförelsenivån (för alla perioder, per period eller per kohort)."),
    ),
    (r"unknown period '(?P<x>[^']*)'", _("Perioden '%(x)s' finns inte i kontraktet.")),
    (r"unknown cohort '(?P<x>[^']*)'", _("Kohorten '%(x)s' finns inte i kontraktet.")),
    (r"unknown metric '(?P<x>[^']*)'", _("Utfallsmåttet '%(x)s' finns inte i kontraktet.")),
    (
        r"must be another improvement, blended",
        _("Villkoret måste gälla ett annat mått som inte är en prislista."),
    ),
    (r"only meaningful with a contract_threshold", _("Slutavräkning kräver en tröskel för hela kontraktet.")),
    (r"duplicate id '(?P<x>[^']*)'", _("Koden '%(x)s' används två gånger.")),
    (r"steps must increase", _("Stegens nivåer måste öka.")),
    (r"a higher step must not pay less", _("Ett högre steg får inte ge mindre än ett lägre.")),
    (
        r"steps are paid per observation",
        _("Stegvisa belopp kan inte kombineras med en tröskel för hela kontraktet."),
    ),
    (r"greater than 0", _("Måste vara större än 0.")),
    (r"must not be negative", _("Får inte vara negativt.")),
    (r"must be a whole number of öre", _("Högst två decimaler (hela ören).")),
    (r"must be between 0 and 1", _("Ska ligga mellan 0 och 100 %.")),
    (r"must have at most six decimals", _("För många decimaler.")),
]


def core_message(message: str) -> str:
    """The engine's message in Swedish when it is a known one; otherwise unchanged."""
    import re

    for pattern, text in CORE_MESSAGES:
        mo = re.search(pattern, message)
        if mo:
            return str(text) % mo.groupdict() if mo.groupdict() else str(text)
    return message


def core_field(path: str, fields) -> str | None:
    """The form field for an error the core reports at ``path`` (None = the form as a whole)."""
    for prefix, name in CORE_FIELD:
        if path == prefix or path.startswith(prefix + "."):
            return name if name in fields else None
    return None


def _money(label, **kw):
    return forms.DecimalField(label=label, min_value=0, max_digits=16, decimal_places=2, required=False, **kw)


def _number(label, **kw):
    return forms.DecimalField(label=label, max_digits=20, decimal_places=6, required=False, **kw)


def _text(label, rows=3, **kw):
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), required=False, **kw)


def _percent(label, **kw):
    return forms.DecimalField(
        label=label, min_value=0, max_value=100, max_digits=10, decimal_places=4, required=False, **kw
    )


def _fraction(value: Decimal) -> str:
    return f"{(value / HUNDRED).normalize():f}"


def _percent_of(value) -> Decimal | None:
    if value in (None, ""):
        return None
    return (Decimal(str(value)) * HUNDRED).normalize()


def _fmt(value) -> str:
    return f"{Decimal(str(value)).normalize():f}"


class MetricForm(forms.Form):
    code = forms.SlugField(label=_("Kod"), max_length=40)
    name = forms.CharField(label=_("Namn"), max_length=200)
    order = forms.IntegerField(label=_("Prioritet"), min_value=0, initial=0)
    definition = _text(_("Definition"))
    unit = forms.CharField(label=_("Enhet"), max_length=60, required=False)
    data_source = forms.CharField(label=_("Datakälla"), max_length=300, required=False)
    validation_method = _text(_("Valideringsmetod"), rows=2)
    measurement_periods = forms.CharField(label=_("Mätperioder"), required=False)
    direction = forms.ChoiceField(label=_("Riktning"), choices=DIRECTIONS, widget=forms.RadioSelect)
    counterfactual_description = _text(_("Hur jämförelsen tas fram"), rows=2)
    cf_kind = forms.ChoiceField(label=_("Jämförelse"), choices=COUNTERFACTUAL_KINDS, widget=forms.RadioSelect)
    cf_value = _number(_("Jämförelsenivå"))
    cf_by_period = _text(_("Jämförelsenivå per period"), rows=2)
    cf_by_cohort = _text(_("Jämförelsenivå per kohort"), rows=2)
    price = _money(_("Pris per enhet (kr)"))
    tiers = _text(_("Prisintervall"), rows=3)
    threshold_kind = forms.ChoiceField(
        label=_("Tröskel per kohort och period"), choices=THRESHOLD_KINDS, required=False
    )
    threshold_value = _number(_("Tröskelns nivå"))
    threshold_pays = forms.ChoiceField(label=_("När tröskeln nås betalas"), choices=PAYS, required=False)
    contract_threshold_kind = forms.ChoiceField(
        label=_("Tröskel för hela kontraktet"), choices=THRESHOLD_KINDS, required=False
    )
    contract_threshold_value = _number(_("Nivå för hela kontraktet"))
    contract_threshold_pays = forms.ChoiceField(
        label=_("När kontraktets tröskel nås betalas"), choices=PAYS, required=False
    )
    settlement_period = forms.ChoiceField(label=_("Slutavräkning"), required=False)
    outcomes = _text(_("Prislista"), rows=4)
    cap_per_participant = _money(_("Tak per deltagare (kr)"))
    evaluations = _text(_("Utvärderingar och vikter"), rows=3)
    share = _percent(_("Andel av besparingen (%)"))
    savings_cap = _money(_("Tak för besparingsdelen (kr)"))
    bonus_above = _money(_("Extra del över besparing (kr per period)"))
    bonus_share = _percent(_("Andel i extra delen (%)"))
    bonus_cap = _money(_("Tak för extra delen (kr)"))
    bonus_condition_metric = forms.CharField(
        label=_("Villkor: annat utfallsmått"), max_length=40, required=False
    )
    bonus_condition_kind = forms.ChoiceField(
        label=_("Villkorets tröskel"), choices=THRESHOLD_KINDS[1:], required=False
    )
    bonus_condition_value = _number(_("Villkorets nivå"))
    bonus_condition_compare = forms.ChoiceField(
        label=_("Villkoret är uppfyllt vid"), choices=COMPARE, required=False
    )
    bonus_over = forms.ChoiceField(label=_("Den extra delen prövas"), choices=BONUS_OVER, required=False)
    measure_kind = forms.ChoiceField(label=_("Slags mått"), choices=MEASURE_KINDS, required=False)
    measure_per = _number(_("Kvoten anges per"))
    steps_kind = forms.ChoiceField(label=_("Stegvisa klumpsummor"), choices=STEP_KINDS, required=False)
    steps = _text(_("Steg"), rows=3)
    steps_compare = forms.ChoiceField(label=_("Ett steg är nått vid"), choices=COMPARE, required=False)
    threshold_compare = forms.ChoiceField(label=_("Tröskeln är nådd vid"), choices=COMPARE, required=False)
    contract_threshold_compare = forms.ChoiceField(
        label=_("Kontraktets tröskel är nådd vid"), choices=COMPARE, required=False
    )
    cap_total = _money(_("Tak för måttet under kontraktet (kr)"))
    cap_per_period = _money(_("Tak för måttet per period (kr)"))
    cap_by_period = _text(_("Tak för måttet, olika per period"), rows=2)
    confidential_prices = forms.BooleanField(label=_("Priserna är konfidentiella"), required=False)
    whole_numbers = forms.BooleanField(
        label=_("Mätvärdet är ett antal (heltal)"),
        required=False,
        help_text=_(
            "T.ex. placeringar eller deltagare: värden med decimaler avvisas när resultat rapporteras."
        ),
    )

    def __init__(self, *args, kind: str, periods: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = set(FIELDS_BY_KIND[kind]) | {"confidential_prices"}
        if kind in (MetricKind.IMPROVEMENT, MetricKind.CONDITION):
            keep.add("whole_numbers")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        order = [n for n in FIELDS_BY_KIND[kind] if n in self.fields]
        self.fields = {
            **{n: self.fields[n] for n in order},
            **{n: f for n, f in self.fields.items() if n not in order},
        }
        if "settlement_period" in self.fields:
            self.fields["settlement_period"].choices = [("", _("Sista perioden"))] + [(p, p) for p in periods]
        self.periods = periods
        for name, field in self.fields.items():
            field.explain = EXPLAIN.get(name, "")
            if name in ("price", "cap_total", "cap_per_period", "cf_value", "threshold_value", "measure_per"):
                field.widget.attrs.setdefault("inputmode", "decimal")
        if kind == MetricKind.IMPROVEMENT or kind == MetricKind.BLENDED:
            self.fields["price"].help_text = _("Fyll i pris eller prisintervall, inte båda.")
        if kind == MetricKind.SAVINGS:
            self.fields["share"].initial = 100
            self.fields["cf_value"].label = _("Förväntad kostnad utan insatsen (kr per period)")

    # --- parsing helpers -------------------------------------------------------------------------

    def _decimal(self, name: str, text: str, line: int) -> str:
        try:
            value = Decimal(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))
        except InvalidOperation:
            raise ValidationError(
                _("Rad %(line)s: '%(text)s' är inte ett tal.") % {"line": line, "text": text}
            ) from None
        if not value.is_finite():
            raise ValidationError(_("Rad %(line)s: ogiltigt tal.") % {"line": line})
        return _fmt(value)

    def _mapping(self, name: str) -> dict[str, str] | None:
        text = self.cleaned_data.get(name) or ""
        out: dict[str, str] = {}
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.partition(":")
            if not sep or not key.strip() or not value.strip():
                self.add_error(name, _("Rad %(line)s: skriv 'nyckel: värde'.") % {"line": i})
                return None
            try:
                out[key.strip()] = self._decimal(name, value.strip(), i)
            except ValidationError as exc:
                self.add_error(name, exc)
                return None
        return out or None

    def _tiers(self) -> list[dict] | None:
        text = self.cleaned_data.get("tiers") or ""
        tiers = []
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            up_to, sep, price = line.partition(":")
            if not sep:
                self.add_error("tiers", _("Rad %(line)s: skriv 'upp till: pris'.") % {"line": i})
                return None
            try:
                row = {"price": self._decimal("tiers", price.strip(), i)}
                if up_to.strip().lower() not in ("resten", "rest", "*", ""):
                    row["up_to"] = self._decimal("tiers", up_to.strip(), i)
            except ValidationError as exc:
                self.add_error("tiers", exc)
                return None
            tiers.append(row)
        return tiers or None

    def _threshold(self, prefix: str) -> dict | None:
        kind = self.cleaned_data.get(f"{prefix}_kind")
        value = self.cleaned_data.get(f"{prefix}_value")
        if not kind:
            if value is not None:
                self.add_error(f"{prefix}_kind", _("Välj om tröskeln är ett antal eller en procent."))
            return None
        if value is None:
            self.add_error(f"{prefix}_value", _("Ange tröskelns nivå."))
            return None
        out = {"kind": kind, "value": _fraction(value) if kind == "relative" else _fmt(value)}
        pays = self.cleaned_data.get(f"{prefix}_pays")
        if pays:
            out["pays"] = pays
        if self.cleaned_data.get(f"{prefix}_compare") == "strict":
            out["inclusive"] = False
        return out

    def _steps(self) -> dict | None:
        kind = self.cleaned_data.get("steps_kind")
        text = self.cleaned_data.get("steps") or ""
        if not kind:
            if text.strip():
                self.add_error("steps_kind", _("Välj om stegens nivåer är antal enheter eller procent."))
            return None
        levels = []
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            at, sep, amount = line.partition(":")
            if not sep or not at.strip() or not amount.strip():
                self.add_error("steps", _("Rad %(line)s: skriv 'nivå: belopp'.") % {"line": i})
                return None
            try:
                level = self._decimal("steps", at.strip().rstrip("%").strip(), i)
                levels.append(
                    {
                        "at": _fraction(Decimal(level)) if kind == "relative" else level,
                        "amount": self._decimal("steps", amount.strip(), i),
                    }
                )
            except ValidationError as exc:
                self.add_error("steps", exc)
                return None
        if not levels:
            self.add_error("steps", _("Ange minst ett steg, 'nivå: belopp'."))
            return None
        out: dict = {"kind": kind, "levels": levels}
        if self.cleaned_data.get("steps_compare") == "strict":
            out["inclusive"] = False
        return out

    def _measure(self) -> dict | None:
        kind = self.cleaned_data.get("measure_kind")
        per = self.cleaned_data.get("measure_per")
        if not kind:
            if per is not None:
                self.add_error("measure_kind", _("Välj kvot eller andel per kohort, eller lämna tomt."))
            return None
        out: dict = {"kind": kind}
        if per is not None:
            out["per"] = _fmt(per)
        return out

    def _counterfactual(self) -> dict:
        cf: dict = {"kind": self.cleaned_data.get("cf_kind") or "baseline"}
        if self.cleaned_data.get("cf_value") is not None:
            cf["value"] = _fmt(self.cleaned_data["cf_value"])
        by_period = self._mapping("cf_by_period")
        if by_period:
            cf["by_period"] = by_period
        by_cohort = self._mapping("cf_by_cohort")
        if by_cohort:
            cf["by_cohort"] = by_cohort
        return cf

    def _outcomes(self) -> list[dict]:
        text = self.cleaned_data.get("outcomes") or ""
        rows = []
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) < 3:
                self.add_error("outcomes", _("Rad %(line)s: skriv 'kod; benämning; pris'.") % {"line": i})
                continue
            try:
                row = {"id": parts[0], "label": parts[1], "price": self._decimal("outcomes", parts[2], i)}
            except ValidationError as exc:
                self.add_error("outcomes", exc)
                continue
            if len(parts) > 3 and parts[3]:
                if not parts[3].isdigit():
                    self.add_error(
                        "outcomes", _("Rad %(line)s: antal perioder ska vara ett heltal.") % {"line": i}
                    )
                    continue
                row["sustain_periods"] = int(parts[3])
            if len(parts) > 4 and parts[4]:
                row["repeatable"] = parts[4].lower() in ("ja", "yes", "true", "1")
            rows.append(row)
        return rows

    def _evaluations(self) -> list[dict]:
        text = self.cleaned_data.get("evaluations") or ""
        rows = []
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 3:
                self.add_error("evaluations", _("Rad %(line)s: skriv 'kod; metod; vikt i %%'.") % {"line": i})
                continue
            try:
                weight = Decimal(self._decimal("evaluations", parts[2].rstrip("%").strip(), i))
            except ValidationError as exc:
                self.add_error("evaluations", exc)
                continue
            rows.append({"id": parts[0], "method": parts[1], "weight": _fraction(weight)})
        return rows

    def measurement_period_list(self) -> list[str]:
        text = self.cleaned_data.get("measurement_periods") or ""
        return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]

    # --- the rule -------------------------------------------------------------------------------

    def to_rule(self) -> dict:
        """The core's JSON form of the metric (without id/name/unit/kind). Call after is_valid()."""
        d = self.cleaned_data
        rule: dict = {}
        if self.kind in (MetricKind.IMPROVEMENT, MetricKind.CONDITION):
            rule["direction"] = d.get("direction") or "decrease"
            measure = self._measure()
            if measure:
                rule["measure"] = measure
        if self.kind in (MetricKind.IMPROVEMENT, MetricKind.CONDITION, MetricKind.SAVINGS):
            rule["counterfactual"] = self._counterfactual()
        if self.kind == MetricKind.BLENDED:
            rule["evaluations"] = self._evaluations()
        if self.kind in (MetricKind.IMPROVEMENT, MetricKind.BLENDED):
            if d.get("price") is not None:
                rule["price"] = _fmt(d["price"])
            tiers = self._tiers()
            if tiers:
                rule["tiers"] = tiers
            steps = self._steps()
            if steps:
                rule["steps"] = steps
            if "price" not in rule and "tiers" not in rule and "steps" not in rule:
                self.add_error("price", _("Ange ett pris per enhet, prisintervall eller stegvisa belopp."))
            for prefix, key in (("threshold", "threshold"), ("contract_threshold", "contract_threshold")):
                t = self._threshold(prefix)
                if t:
                    rule[key] = t
            if d.get("settlement_period"):
                rule["settlement_period"] = d["settlement_period"]
        if self.kind == MetricKind.RATE_CARD:
            rule["outcomes"] = self._outcomes()
            if d.get("cap_per_participant") is not None:
                rule["cap_per_participant"] = _fmt(d["cap_per_participant"])
        if self.kind == MetricKind.SAVINGS:
            share = d.get("share")
            rule["share"] = _fraction(share if share is not None else HUNDRED)
            if d.get("savings_cap") is not None:
                rule["cap"] = _fmt(d["savings_cap"])
            if d.get("bonus_above") is not None:
                bonus: dict = {"above": _fmt(d["bonus_above"])}
                if d.get("bonus_share") is None:
                    self.add_error(
                        "bonus_share", _("Ange hur stor del av besparingen över nivån som betalas.")
                    )
                else:
                    bonus["share"] = _fraction(d["bonus_share"])
                if d.get("bonus_cap") is not None:
                    bonus["cap"] = _fmt(d["bonus_cap"])
                if d.get("bonus_condition_metric"):
                    t = self._threshold("bonus_condition")
                    if t:
                        bonus["condition"] = {"metric": d["bonus_condition_metric"], "threshold": t}
                if d.get("bonus_over") == "contract":
                    bonus["over"] = "contract"
                rule["bonus"] = bonus
            elif d.get("bonus_share") is not None or d.get("bonus_condition_metric"):
                self.add_error("bonus_above", _("Ange nivån över vilken den extra delen betalas."))
        for name in ("cap_total", "cap_per_period"):
            if name in self.fields and d.get(name) is not None:
                rule[name] = _fmt(d[name])
        if "cap_by_period" in self.fields:
            by_period = self._mapping("cap_by_period")
            if by_period and "cap_per_period" in rule:
                self.add_error(
                    "cap_by_period", _("Ange ett tak för alla perioder eller ett per period, inte båda.")
                )
            elif by_period:
                unknown = [p for p in by_period if p not in self.periods]
                if unknown:
                    self.add_error(
                        "cap_by_period", _("Perioden '%(x)s' finns inte i kontraktet.") % {"x": unknown[0]}
                    )
                rule["cap_per_period"] = by_period
        return rule

    def metric_fields(self) -> dict:
        """The metric's own fields for ``services.metric_save`` (rule included). After is_valid()."""
        d = self.cleaned_data
        out = {
            "code": d["code"],
            "name": d["name"],
            "order": d.get("order") or 0,
            "kind": self.kind,
            "definition": d.get("definition", ""),
            "unit": d.get("unit", ""),
            "data_source": d.get("data_source", ""),
            "validation_method": d.get("validation_method", ""),
            "counterfactual_description": d.get("counterfactual_description", ""),
            "measurement_periods": self.measurement_period_list(),
            "confidential_prices": bool(d.get("confidential_prices")),
            "whole_numbers": bool(d.get("whole_numbers")),
            "rule": self.to_rule(),
        }
        return out

    def add_core_errors(self, errors: dict[str, list[str]]) -> None:
        """Show a service's ValidationError (keys = rule paths or model fields) on the right fields."""
        for path, messages in errors.items():
            name = path if path in self.fields else core_field(path, self.fields)
            for message in messages:
                message = core_message(message)
                text = message if name else f"{path}: {message}"
                self.add_error(name, text)


def initial_from_metric(metric) -> dict:
    """The form's initial data for a stored metric (the inverse of :meth:`MetricForm.to_rule`)."""
    rule = metric.rule or {}
    init: dict = {
        "code": metric.code,
        "name": metric.name,
        "order": metric.order,
        "definition": metric.definition,
        "unit": metric.unit,
        "data_source": metric.data_source,
        "validation_method": metric.validation_method,
        "counterfactual_description": metric.counterfactual_description,
        "measurement_periods": ", ".join(metric.measurement_periods or []),
        "confidential_prices": metric.confidential_prices,
        "whole_numbers": metric.whole_numbers,
        "direction": rule.get("direction", "decrease"),
    }
    cf = rule.get("counterfactual") or {}
    if cf:
        init["cf_kind"] = cf.get("kind")
        init["cf_value"] = cf.get("value")
        init["cf_by_period"] = "\n".join(f"{k}: {v}" for k, v in (cf.get("by_period") or {}).items())
        init["cf_by_cohort"] = "\n".join(f"{k}: {v}" for k, v in (cf.get("by_cohort") or {}).items())
    init["price"] = rule.get("price")
    init["tiers"] = "\n".join(
        f"{t['up_to'] if t.get('up_to') is not None else 'resten'}: {t['price']}"
        for t in rule.get("tiers") or []
    )
    for key in ("threshold", "contract_threshold"):
        t = rule.get(key)
        if t:
            init[f"{key}_kind"] = t["kind"]
            init[f"{key}_value"] = _percent_of(t["value"]) if t["kind"] == "relative" else t["value"]
            init[f"{key}_pays"] = t.get("pays", "all_units")
            init[f"{key}_compare"] = "inclusive" if t.get("inclusive", True) else "strict"
    measure = rule.get("measure") or {}
    if measure:
        init["measure_kind"] = measure.get("kind")
        init["measure_per"] = measure.get("per")
    steps = rule.get("steps") or {}
    if steps:
        relative = steps.get("kind") == "relative"
        init["steps_kind"] = steps.get("kind")
        init["steps_compare"] = "inclusive" if steps.get("inclusive", True) else "strict"
        init["steps"] = "\n".join(
            f"{_percent_of(s['at']) if relative else s['at']}: {s['amount']}"
            for s in steps.get("levels") or []
        )
    init["settlement_period"] = rule.get("settlement_period", "")
    init["outcomes"] = "\n".join(
        "; ".join(
            [
                o["id"],
                o.get("label") or "",
                str(o["price"]),
                str(o.get("sustain_periods", 0)),
                "ja" if o.get("repeatable") else "nej",
            ]
        )
        for o in rule.get("outcomes") or []
    )
    init["cap_per_participant"] = rule.get("cap_per_participant")
    init["evaluations"] = "\n".join(
        f"{e['id']}; {e.get('method') or ''}; {_percent_of(e['weight'])}"
        for e in rule.get("evaluations") or []
    )
    if "share" in rule:
        init["share"] = _percent_of(rule["share"])
    init["savings_cap"] = rule.get("cap")
    bonus = rule.get("bonus") or {}
    if bonus:
        init["bonus_above"] = bonus.get("above")
        init["bonus_share"] = _percent_of(bonus.get("share"))
        init["bonus_cap"] = bonus.get("cap")
        cond = bonus.get("condition") or {}
        if cond:
            init["bonus_condition_metric"] = cond.get("metric")
            t = cond.get("threshold") or {}
            init["bonus_condition_kind"] = t.get("kind")
            init["bonus_condition_value"] = (
                _percent_of(t.get("value")) if t.get("kind") == "relative" else t.get("value")
            )
            init["bonus_condition_compare"] = "inclusive" if t.get("inclusive", True) else "strict"
        init["bonus_over"] = bonus.get("over", "period")
    init["cap_total"] = rule.get("cap_total")
    init["cap_per_period"] = (
        rule.get("cap_per_period") if not isinstance(rule.get("cap_per_period"), dict) else None
    )
    if isinstance(rule.get("cap_per_period"), dict):
        init["cap_by_period"] = "\n".join(f"{k}: {v}" for k, v in rule["cap_per_period"].items())
    return {k: v for k, v in init.items() if v not in (None, "")}
