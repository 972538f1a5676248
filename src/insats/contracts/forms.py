"""Forms of the contract pages (the metric form is in ``forms_metrics.py``).

Each field carries ``explain``: a plain-Swedish "Vad betyder detta?" shown under it.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from insats.accounts.models import Organisation, User

from .models import (
    PAYING_ROLES,
    SIGNATORY_ROLES,
    ActionStatus,
    ContractStatus,
    Decision,
    PartyRole,
    PeriodType,
    PolicySector,
    ReturnBasis,
)

HUNDRED = Decimal(100)
#: the currencies offered first in the contract form; the rest follow alphabetically
COMMON_CURRENCIES = ("SEK", "EUR", "NOK", "DKK", "GBP", "USD")


def currency_choices() -> list[tuple[str, str]]:
    from insats.core.currency import SUPPORTED

    rest = [c for c in SUPPORTED if c not in COMMON_CURRENCIES]
    return [(c, c) for c in (*COMMON_CURRENCIES, *rest)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def explained(form: forms.Form, texts: dict) -> None:
    for name, field in form.fields.items():
        field.explain = texts.get(name, "")


CONTRACT_EXPLAIN = {
    "title": _("Det namn kontraktet går under, t.ex. 'Färre placeringar av barn 2026–2030'."),
    "reference": _("Ett kort id utan mellanslag som används i exporter och API, t.ex. 'barnens-val-2026'."),
    "summary": _("Några meningar om vad kontraktet ska åstadkomma."),
    "intervention": _("Vad utföraren gör, för vem, hur ofta och med vilken metod."),
    "target_population": _("Vilka barn, unga eller familjer kontraktet gäller och hur de identifieras."),
    "policy_sector": _(
        "Huvudsakligt politikområde enligt INDIGO:s lista. Anges i INDIGO-exporten; inte valt = utelämnas."
    ),
    "currency": _(
        "Valutan som alla belopp i kontraktet anges och betalas i: priser, tak, finansiering och "
        "betalningar. Oftast SEK. Bara valutor med två decimaler (öre, cent) går att välja."
    ),
    "result": _("Resultatet i lägesbilden som kontraktet bidrar till (om ni har lagt in ett)."),
    "target_group": _("Målgruppen i lägesbilden (om ni har lagt in en)."),
    "term_start": _("Första dagen insatsen och mätningen pågår."),
    "term_end": _("Sista dagen. Betalningar kan falla ut efter slutet för det som mättes innan."),
    "period_type": _(
        "Hur ofta utfallet mäts och betalas: per år, halvår, kvartal eller månad. Styr perioderna i "
        "prisregler, resultat och finansiering."
    ),
    "key_dates": _("Andra viktiga datum, en rad per datum: 'ÅÅÅÅ-MM-DD benämning'."),
}


class ContractForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    reference = forms.SlugField(label=_("Kortnamn"), max_length=60)
    summary = forms.CharField(
        label=_("Sammanfattning"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    intervention = forms.CharField(
        label=_("Insats"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    target_population = forms.CharField(
        label=_("Målgrupp"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    policy_sector = forms.ChoiceField(
        label=_("Politikområde"),
        choices=[("", _("Inte valt"))] + list(PolicySector.choices),
        required=False,
    )
    currency = forms.ChoiceField(label=_("Valuta"), choices=currency_choices, initial="SEK", required=False)
    result = forms.ModelChoiceField(label=_("Resultat i lägesbilden"), queryset=None, required=False)
    target_group = forms.ModelChoiceField(label=_("Målgrupp i lägesbilden"), queryset=None, required=False)
    term_start = forms.DateField(label=_("Kontraktsperiodens start"), widget=DateInput)
    term_end = forms.DateField(label=_("Kontraktsperiodens slut"), widget=DateInput)
    period_type = forms.ChoiceField(label=_("Periodlängd"), choices=PeriodType.choices)
    key_dates = forms.CharField(
        label=_("Viktiga datum"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    payment_days = forms.IntegerField(
        label=_("Betalningsfrist (dagar)"),
        min_value=0,
        max_value=365,
        initial=30,
        required=False,
        help_text=_("Antal dagar efter periodens slut tills betalningen för perioden förfaller."),
    )
    preliminary_results = forms.BooleanField(
        label=_("Tillåt preliminära resultat"),
        required=False,
        help_text=_(
            "Annars rapporteras och godkänns resultat först när perioden är slut. Preliminära resultat "
            "ger betalningar som visas som planerade tills perioden är slut."
        ),
    )

    def __init__(self, *args, owner: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        from insats.situation.models_plans import Result, TargetGroup

        self.fields["result"].queryset = Result.objects.filter(organisation=owner)
        self.fields["target_group"].queryset = TargetGroup.objects.filter(organisation=owner)
        explained(self, CONTRACT_EXPLAIN)

    def clean_currency(self):
        return self.cleaned_data.get("currency") or "SEK"

    def clean_payment_days(self):
        value = self.cleaned_data.get("payment_days")
        return 30 if value is None else value

    def clean_key_dates(self):
        import datetime

        rows = []
        for i, line in enumerate((self.cleaned_data.get("key_dates") or "").splitlines(), start=1):
            if not line.strip():
                continue
            day, _sep, label = line.strip().partition(" ")
            try:
                datetime.date.fromisoformat(day)
            except ValueError:
                raise forms.ValidationError(
                    _("Rad %(line)s: börja med ett datum ÅÅÅÅ-MM-DD.") % {"line": i}
                ) from None
            if not label.strip():
                raise forms.ValidationError(_("Rad %(line)s: skriv vad datumet gäller.") % {"line": i})
            rows.append({"date": day, "label": label.strip()})
        return rows

    @staticmethod
    def initial_for(contract) -> dict:
        return {
            "title": contract.title,
            "reference": contract.reference,
            "summary": contract.summary,
            "intervention": contract.intervention,
            "target_population": contract.target_population,
            "policy_sector": contract.policy_sector,
            "currency": contract.currency,
            "result": contract.result_id,
            "target_group": contract.target_group_id,
            "term_start": contract.term_start,
            "term_end": contract.term_end,
            "period_type": contract.period_type,
            "key_dates": "\n".join(f"{r['date']} {r['label']}" for r in contract.key_dates or []),
            "payment_days": contract.payment_days,
            "preliminary_results": contract.preliminary_results,
        }


PARTY_EXPLAIN = {
    "organisation": _("Organisationen som blir part. Alla dess medlemmar ser kontraktet, utifrån sin roll."),
    "role": _(
        "Beställare: kommunen eller regionen som köper utfallen. Betalare: den som betalar en del av "
        "utfallsbetalningarna (t.ex. medlemmar i ett samordningsförbund). Utförare: den som gör "
        "insatsen. Utfallsfond: förfinansierar utföraren och får tillbaka pengarna ur "
        "utfallsbetalningarna. Validerare: granskar och godkänner rapporterade resultat. Intermediär: "
        "samordnar och stöder parterna."
    ),
    "payer_share": _(
        "Hur stor del av varje utfallsbetalning parten betalar, i procent. Betalarnas andelar ska "
        "summera till exakt 100 % innan kontraktet kan undertecknas."
    ),
    "payer_cap": _(
        "Det mesta parten betalar under hela kontraktet. Det som går över betalas inte av någon annan."
    ),
    "signatory": _(
        "Den som undertecknar för parten: en administratör eller avtalsansvarig i organisationen. Tomt "
        "= den av dem som undertecknar först."
    ),
    "confidential": _("Partens namn visas som PRIVATE i öppna exporter (INDIGO)."),
}


class PartyForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.all())
    role = forms.ChoiceField(label=_("Roll"), choices=PartyRole.choices)
    payer_share = forms.DecimalField(
        label=_("Andel av betalningarna (%)"),
        min_value=0,
        max_value=100,
        max_digits=7,
        decimal_places=4,
        required=False,
    )
    payer_cap = forms.DecimalField(
        label=_("Betalarens tak (kr)"), min_value=0, max_digits=16, decimal_places=2, required=False
    )
    signatory = forms.ModelChoiceField(label=_("Firmatecknare"), queryset=User.objects.none(), required=False)
    confidential = forms.BooleanField(label=_("Konfidentiell"), required=False)

    def __init__(self, *args, party=None, contract=None, **kwargs):
        super().__init__(*args, **kwargs)
        if party is not None:
            del self.fields["organisation"]
            org_id = party.organisation_id
            self.fields["signatory"].queryset = User.objects.filter(
                memberships__organisation_id=org_id, memberships__role__in=SIGNATORY_ROLES
            ).distinct()
            self.fields["signatory"].label_from_instance = lambda u: u.full_name or u.email
        else:
            del self.fields["signatory"]
            if contract is not None:
                self.fields["organisation"].queryset = Organisation.objects.exclude(
                    pk__in=contract.parties.values("organisation_id")
                )
        explained(self, PARTY_EXPLAIN)

    def clean(self):
        data = super().clean()
        if data.get("role") not in PAYING_ROLES and data.get("payer_share"):
            self.add_error("payer_share", _("Bara beställare och betalare har en andel av betalningarna."))
        return data


class CohortForm(forms.Form):
    code = forms.SlugField(label=_("Kod"), max_length=40)
    name = forms.CharField(label=_("Namn"), max_length=200)
    entry_start = forms.DateField(label=_("Intag från"), widget=DateInput)
    entry_end = forms.DateField(label=_("Intag till"), widget=DateInput)
    planned_size = forms.IntegerField(label=_("Planerat antal deltagare"), min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        explained(
            self,
            {
                "code": _("Kort id för kohorten, t.ex. 'k2026', används i resultatrapporter."),
                "name": _("Namnet parterna använder, t.ex. 'Intag hösten 2026'."),
                "entry_start": _("Första dagen deltagare kan skrivas in i kohorten."),
                "entry_end": _("Sista dagen deltagare kan skrivas in i kohorten."),
                "planned_size": _(
                    "Hur många deltagare kohorten planeras få. Används i förhandsvisningen av prislistor."
                ),
            },
        )


class PaymentTermsForm(forms.Form):
    cap_total = forms.DecimalField(
        label=_("Tak för hela kontraktet (kr)"), min_value=0, max_digits=16, decimal_places=2, required=False
    )
    cap_per_period = forms.DecimalField(
        label=_("Tak per period (kr)"), min_value=0, max_digits=16, decimal_places=2, required=False
    )
    cap_by_period = forms.CharField(
        label=_("Tak per period, olika per period"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    carry_forward = forms.BooleanField(label=_("För över belopp över periodtaket"), required=False)
    payment_due = forms.CharField(
        label=_("Förfallodagar per period"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, periods: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = periods
        explained(
            self,
            {
                "cap_by_period": _(
                    "Om budgeten ger olika tak olika år: en rad per period, 'period: belopp', t.ex. "
                    "'2026: 2000000'. Perioder som inte står med har inget periodtak. Fyll i antingen "
                    "detta eller taket per period ovan."
                ),
                "payment_due": _(
                    "Om kontraktet anger en egen förfallodag för en period: en rad per period, 'period: "
                    "ÅÅÅÅ-MM-DD', t.ex. '2026: 2027-03-31'. Perioder som inte står med förfaller "
                    "betalningsfristen efter periodens slut."
                ),
                "cap_total": _(
                    "Det mesta som betalas ut under hela kontraktet, för alla utfallsmått tillsammans. "
                    "Ofta beställarens budgettak."
                ),
                "cap_per_period": _(
                    "Det mesta som betalas ut under en och samma period, för alla utfallsmått tillsammans."
                ),
                "carry_forward": _(
                    "Om ja: belopp över ett periodtak (för ett mått eller hela kontraktet) betalas i en "
                    "senare period när det finns utrymme. Om nej: det som går över periodtaket betalas "
                    "aldrig."
                ),
            },
        )

    def _lines(self, name: str):
        text = self.cleaned_data.get(name) or ""
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.partition(":")
            if not sep or not key.strip() or not value.strip():
                raise forms.ValidationError(_("Rad %(line)s: skriv 'period: värde'.") % {"line": i})
            key = key.strip()
            if self.periods is not None and key not in self.periods:
                raise forms.ValidationError(_("Perioden '%(x)s' finns inte i kontraktet.") % {"x": key})
            yield i, key, value.strip()

    def clean_cap_by_period(self) -> dict | None:
        out = {}
        for i, period, text in self._lines("cap_by_period"):
            try:
                value = Decimal(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))
            except ArithmeticError:
                value = None
            if (
                value is None
                or not value.is_finite()
                or value < 0
                or value != value.quantize(Decimal("0.01"))
            ):
                raise forms.ValidationError(
                    _("Rad %(line)s: '%(text)s' är inte ett belopp i kronor.") % {"line": i, "text": text}
                )
            out[period] = value.quantize(Decimal("0.01"))
        return out or None

    def clean_payment_due(self) -> dict | None:
        import datetime

        out = {}
        for i, period, text in self._lines("payment_due"):
            try:
                out[period] = datetime.date.fromisoformat(text)
            except ValueError:
                raise forms.ValidationError(
                    _("Rad %(line)s: skriv datumet som ÅÅÅÅ-MM-DD.") % {"line": i}
                ) from None
        return out or None

    def clean(self):
        data = super().clean()
        if data.get("cap_per_period") is not None and data.get("cap_by_period"):
            self.add_error(
                "cap_by_period", _("Ange ett tak för alla perioder eller ett per period, inte båda.")
            )
        return data

    @staticmethod
    def initial_for(contract) -> dict:
        terms = contract.payment_terms or {}
        caps = terms.get("caps") or {}
        per_period = caps.get("per_period")
        return {
            "cap_total": caps.get("total"),
            "cap_per_period": per_period if not isinstance(per_period, dict) else None,
            "cap_by_period": "\n".join(f"{k}: {v}" for k, v in per_period.items())
            if isinstance(per_period, dict)
            else "",
            "carry_forward": bool(terms.get("carry_forward")),
            "payment_due": "\n".join(f"{k}: {v}" for k, v in (terms.get("payment_due") or {}).items()),
        }


FINANCING_EXPLAIN = {
    "fund_party": _("Utfallsfonden som förfinansierar utföraren."),
    "commitment": _("Det mesta fonden betalar ut totalt. Kostnader utöver åtagandet bär utföraren själv."),
    "return_basis": _(
        "Fondens ersättning för risken. Fast ränta: en årlig ränta på det som är utlånat och inte "
        "återbetalt. Takad multipel: fonden får tillbaka högst ett visst antal gånger det den betalat ut "
        "innan överskottet delas."
    ),
    "annual_rate": _(
        "Vid fast ränta: räntan per år i procent, t.ex. 5 %. Räntan är enkel (ingen ränta på ränta)."
    ),
    "multiple_cap": _(
        "Vid takad multipel: t.ex. 1,2 betyder att fonden får tillbaka det den betalat ut plus högst 20 % "
        "innan överskottet delas."
    ),
    "fund_surplus_share": _(
        "Det som blir kvar när fonden fått tillbaka sina pengar och sin avkastning är överskott. Så stor "
        "del av överskottet går till fonden; resten till utföraren."
    ),
    "tranches": _(
        "Om flera investerare delar på finansieringen: en rad per investerare, 'namn; andel i %; rang'. "
        "Andelen är hur stor del av varje utbetalning investeraren står för (andelarna ska bli 100 %). "
        "Rang 1 får tillbaka sina pengar först (senior); rang 2 först när rang 1 fått tillbaka allt "
        "(junior) och bär därför en förlust först (first loss). Samma rang delar lika (pro rata). "
        "Tomt = fonden är ensam investerare."
    ),
    "guarantees": _(
        "Om någon, t.ex. en stiftelse, garanterar investerarnas förlust: en rad per garanti, "
        "'namn; andel i %; tak i kronor; självrisk i kronor; investerare som täcks'. Andel: hur stor "
        "del av förlusten garantin betalar. Tak: det mesta den betalar (tomt = inget tak). Självrisk: "
        "den förlust investerarna bär själva innan garantin börjar betala (0 = från första kronan, "
        "first-loss-garanti; ett belopp = second-loss-garanti). Investerare: namnen, åtskilda med "
        "kommatecken (tomt = alla). Garantierna räknas i den ordning de står. Garantibetalningar är inte "
        "utfallsbetalningar och redovisas för sig."
    ),
    "confidential": _("Finansieringsvillkoren visas som PRIVATE i öppna exporter (INDIGO)."),
    "notes": _("Annat parterna kommit överens om."),
}


def _amount(text: str, line: int, what) -> Decimal:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".").replace("\u2212", "-")
    try:
        value = Decimal(cleaned)
    except Exception:
        value = None
    if value is None or not value.is_finite() or value < 0 or value > Decimal("1e12"):
        raise forms.ValidationError(
            _("Rad %(line)s: %(what)s ska vara ett tal, t.ex. 60 eller 200000.")
            % {"line": line, "what": what}
        )
    return value


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def parse_tranches(text: str) -> list[dict]:
    """'namn; andel %; rang' per line → the core's ``tranches`` JSON."""
    rows = []
    for i, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) not in (2, 3) or not parts[0]:
            raise forms.ValidationError(
                _("Rad %(line)s: skriv 'namn; andel i %%; rang', t.ex. 'Pensionsstiftelsen; 60; 1'.")
                % {"line": i}
            )
        share = _amount(parts[1].rstrip("%"), i, _("andelen"))
        rank = 1
        if len(parts) == 3 and parts[2]:
            if not parts[2].isdigit() or not 1 <= int(parts[2]) <= 10:
                raise forms.ValidationError(
                    _("Rad %(line)s: rangen ska vara ett heltal från 1 till 10.") % {"line": i}
                )
            rank = int(parts[2])
        rows.append({"name": parts[0], "share": _plain(share / HUNDRED), "rank": rank})
    return rows


def parse_guarantees(text: str) -> list[dict]:
    """'namn; andel %; tak; självrisk; investerare, …' per line → the core's ``guarantees`` JSON."""
    rows = []
    for i, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if not 2 <= len(parts) <= 5 or not parts[0]:
            raise forms.ValidationError(
                _(
                    "Rad %(line)s: skriv 'namn; andel i %%; tak; självrisk; investerare', t.ex. "
                    "'Stiftelsen; 50; 200000; 0; Impactfonden'."
                )
                % {"line": i}
            )
        parts += [""] * (5 - len(parts))
        row: dict = {
            "name": parts[0],
            "share": _plain(_amount(parts[1].rstrip("%"), i, _("andelen")) / HUNDRED),
        }
        if parts[2]:
            row["cap"] = _plain(_amount(parts[2], i, _("taket")))
        if parts[3]:
            row["attachment"] = _plain(_amount(parts[3], i, _("självrisken")))
        covers = [c.strip() for c in parts[4].split(",") if c.strip()]
        if covers:
            row["covers"] = covers
        rows.append(row)
    return rows


def tranches_text(rows: list[dict]) -> str:
    return "\n".join(
        f"{r['name']}; {_plain(Decimal(str(r['share'])) * HUNDRED)}; {r.get('rank', 1)}" for r in rows or []
    )


def guarantees_text(rows: list[dict]) -> str:
    out = []
    for r in rows or []:
        out.append(
            "; ".join(
                [
                    r["name"],
                    _plain(Decimal(str(r.get("share", "1"))) * HUNDRED),
                    str(r.get("cap") or ""),
                    str(r.get("attachment") or ""),
                    ", ".join(r.get("covers") or []),
                ]
            ).rstrip("; ")
        )
    return "\n".join(out)


class FinancingForm(forms.Form):
    fund_party = forms.ModelChoiceField(label=_("Utfallsfond"), queryset=None, required=False)
    commitment = forms.DecimalField(label=_("Åtagande (kr)"), min_value=0, max_digits=16, decimal_places=2)
    return_basis = forms.ChoiceField(
        label=_("Avkastning"), choices=ReturnBasis.choices, widget=forms.RadioSelect
    )
    annual_rate = forms.DecimalField(
        label=_("Årlig ränta (%)"),
        min_value=0,
        max_value=100,
        max_digits=10,
        decimal_places=4,
        required=False,
    )
    multiple_cap = forms.DecimalField(
        label=_("Multipeltak (gånger)"), min_value=1, max_digits=10, decimal_places=6, required=False
    )
    fund_surplus_share = forms.DecimalField(
        label=_("Fondens andel av överskottet (%)"),
        min_value=0,
        max_value=100,
        max_digits=10,
        decimal_places=4,
    )
    tranches = forms.CharField(
        label=_("Investerare (en per rad)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    guarantees = forms.CharField(
        label=_("Garantier (en per rad)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    confidential = forms.BooleanField(label=_("Konfidentiellt"), required=False)
    notes = forms.CharField(label=_("Anteckningar"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean_tranches(self):
        return parse_tranches(self.cleaned_data.get("tranches") or "")

    def clean_guarantees(self):
        return parse_guarantees(self.cleaned_data.get("guarantees") or "")

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund_party"].queryset = contract.parties.filter(role=PartyRole.FUND).select_related(
            "organisation"
        )
        self.fields["fund_party"].label_from_instance = lambda p: p.organisation.name
        self.period_ids = contract.period_ids()
        for pid in self.period_ids:
            self.fields[f"cost_{pid}"] = forms.DecimalField(
                label=_("Utförarens kostnad %(period)s (kr)") % {"period": pid},
                min_value=0,
                max_digits=16,
                decimal_places=2,
                required=False,
            )
        explained(self, FINANCING_EXPLAIN)
        for pid in self.period_ids:
            self.fields[f"cost_{pid}"].explain = _(
                "Utbetalningsplanen: vad utförarens arbete kostar perioden. Fonden betalar ut det i början "
                "av perioden så länge åtagandet räcker."
            )

    def cost_fields(self):
        return [self[f"cost_{pid}"] for pid in self.period_ids]

    def main_fields(self):
        return [self[name] for name in self.fields if not name.startswith("cost_")]

    def financing_fields(self) -> dict:
        d = self.cleaned_data
        costs = [d.get(f"cost_{pid}") for pid in self.period_ids]
        while costs and costs[-1] is None:
            costs.pop()
        return {
            "fund_party": d.get("fund_party"),
            "commitment": d["commitment"],
            "drawdown_schedule": [str(c if c is not None else Decimal(0)) for c in costs],
            "return_basis": d["return_basis"],
            "annual_rate": d["annual_rate"] / HUNDRED if d.get("annual_rate") is not None else None,
            "multiple_cap": d.get("multiple_cap"),
            "fund_surplus_share": d["fund_surplus_share"] / HUNDRED,
            "loss_cover": {
                k: v for k, v in (("tranches", d.get("tranches")), ("guarantees", d.get("guarantees"))) if v
            },
            "confidential": bool(d.get("confidential")),
            "notes": d.get("notes", ""),
        }

    @staticmethod
    def initial_for(contract) -> dict:
        terms = getattr(contract, "financing", None)
        if terms is None:
            return {"return_basis": ReturnBasis.FIXED_RATE}
        init = {
            "fund_party": terms.fund_party_id,
            "commitment": terms.commitment,
            "return_basis": terms.return_basis,
            "annual_rate": (terms.annual_rate * HUNDRED).normalize()
            if terms.annual_rate is not None
            else None,
            "multiple_cap": terms.multiple_cap.normalize() if terms.multiple_cap is not None else None,
            "fund_surplus_share": (terms.fund_surplus_share * HUNDRED).normalize(),
            "tranches": tranches_text((terms.loss_cover or {}).get("tranches")),
            "guarantees": guarantees_text((terms.loss_cover or {}).get("guarantees")),
            "confidential": terms.confidential,
            "notes": terms.notes,
        }
        for pid, cost in zip(contract.period_ids(), terms.drawdown_schedule or [], strict=False):
            init[f"cost_{pid}"] = Decimal(str(cost))
        return init


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Åtgärd"), max_length=200)
    description = forms.CharField(
        label=_("Beskrivning"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    owner_party = forms.ModelChoiceField(label=_("Ansvarig part"), queryset=None, required=False)
    responsible = forms.CharField(label=_("Ansvarig person"), max_length=200, required=False)
    start = forms.DateField(label=_("Start"), widget=DateInput, required=False)
    end = forms.DateField(label=_("Slut"), widget=DateInput, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_party"].queryset = contract.parties.select_related("organisation")
        self.fields["owner_party"].label_from_instance = lambda p: (
            f"{p.organisation.name} ({p.get_role_display()})"
        )
        explained(
            self,
            {
                "title": _("Vad som ska göras, kort."),
                "owner_party": _("Vilken part som ansvarar för att det blir gjort."),
                "responsible": _("Vem hos parten som håller i det (namn eller funktion)."),
                "start": _("När åtgärden börjar."),
                "end": _("När den ska vara klar."),
                "status": _("Planerad, pågår, klar eller struken."),
            },
        )


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Ny status"), choices=ContractStatus.choices)
    reason = forms.CharField(label=_("Skäl"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Beslut"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Motivering"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Krävs om ni avslår."),
    )


class ChangeDescriptionForm(forms.Form):
    change_description = forms.CharField(
        label=_("Beskriv ändringen och varför den behövs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kontraktet är undertecknat: ändringen blir ett förslag som alla parter måste godkänna innan "
            "det gäller."
        ),
    )


class PreviewForm(forms.Form):
    examples = forms.CharField(
        label=_("Exempelutfall (% förbättring)"),
        initial="0, 10, 20, 30",
        help_text=_("Kommaseparerade procenttal, t.ex. '0, 10, 20, 30'."),
    )

    def __init__(self, *args, references: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.reference_codes = []
        for code, label in references:
            self.fields[f"ref_{code}"] = forms.DecimalField(
                label=label, min_value=0, max_digits=20, decimal_places=6, required=False
            )
            self.reference_codes.append(code)

    def clean_examples(self):
        out = []
        for part in self.cleaned_data["examples"].replace(";", ",").split(","):
            part = part.strip().rstrip("%").strip().replace(" ", "")
            if not part:
                continue
            try:
                value = Decimal(part.replace("\u2212", "-"))
            except Exception:
                raise forms.ValidationError(_("'%(p)s' är inte ett procenttal.") % {"p": part}) from None
            if not value.is_finite() or value < -100 or value > 100:
                raise forms.ValidationError(_("Procenttalen ska ligga mellan −100 och 100."))
            out.append(value / HUNDRED)
        if not out:
            raise forms.ValidationError(_("Ange minst ett exempelutfall."))
        if len(out) > 8:
            raise forms.ValidationError(_("Högst åtta exempelutfall åt gången."))
        return out

    def references(self) -> dict[str, Decimal]:
        return {
            code: self.cleaned_data[f"ref_{code}"]
            for code in self.reference_codes
            if self.cleaned_data.get(f"ref_{code}") is not None
        }
