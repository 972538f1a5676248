"""The form advisor (valet av samverkansform): from the answers about a need to a recommended form.

Pure Python, no Django. Input: :class:`Answers` (every question yes / no / unknown = ``None``, and
the estimated value in SEK) and :class:`Thresholds` (the amounts in force on the day — data, passed
in, never constants here). Output: :class:`Recommendation` — exactly one of the six :class:`Form`
values, the reasons (rule id, plain-Swedish text, legal source), the other forms the answers leave
open, the questions whose answers were missing on the path taken, and the next step.

The questions come from Helsingborg's guidelines for IOP (seed 002: "Finns det en marknad?",
"Undvik beställningar", "idéburet initiativ och ett behov vi identifierar gemensamt", "alla parter
ska bidra med resurser", "långsiktig budgetplan", "självgående verksamhet → föreningsbidrag") and
from the procurement law (LOU: direct award below the limit, thresholds, innovation procedures).

The rules, first match wins (``docs/samverkan-formval.md`` explains each to the officer):

1. **B1** a *beställning* of a defined service → the procurement branch (step 3).
2. **Idéburet initiative** (``idea_based`` yes; unknown or no → step 3):

   * **G1** the organisation's own activity is self-running → föreningsbidrag;
   * **M1** a market exists (the service can be bought) → the procurement branch (step 3);
   * **G2** the need was not identified together, **G3** not every party contributes resources,
     **G4** no long-term budget plan → föreningsbidrag (an IOP does not fit, yet);
   * otherwise **I1**–**I4** (+ **I5** no market) → IOP.

3. **Procurement branch**: **N1** innovation needed (no solution, R&D) → innovationsupphandling;
   **N2** no market and no idéburet initiative → innovationsupphandling (market dialogue first);
   **U1** the effect is measurable and an outcome fund is interested → utfallskontrakt;
   **D1** the estimated value is below the direct-award limit in force (for a social service,
   bilaga 2, the limit for social services) → direktupphandling; **L1**/**L2** otherwise (below /
   above the EU threshold) → upphandling enligt LOU; **L0** the value or the limit is unknown →
   upphandling enligt LOU (the safe side) with the missing answer named.

An unanswered question on the path is assumed the cautious way (stated in the code below) and
named in ``missing``; the recommendation is never withheld. Texts are Swedish msgids (marked with
``_`` so the catalogue carries them; the pages translate them when they show them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "Form",
    "Question",
    "QUESTIONS",
    "QUESTION_KEYS",
    "Answers",
    "Thresholds",
    "Reason",
    "Recommendation",
    "RULES",
    "NEXT_STEPS",
    "recommend",
]


def _(text: str) -> str:
    """Marks a Swedish msgid for the catalogue; the interface translates it when shown."""
    return text


class Form(StrEnum):
    """The six forms; values equal ``sourcing.advisor.models.CollaborationForm``."""

    GRANT = "foreningsbidrag"
    IOP = "iop"
    DIRECT_AWARD = "direktupphandling"
    LOU = "upphandling_lou"
    INNOVATION = "innovationsupphandling"
    OUTCOMES = "utfallskontrakt"


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    help: str
    source: str


# The questions in the order the guided assessment asks them (yes / no / vet ej).
QUESTIONS: tuple[Question, ...] = (
    Question(
        "order",
        _("Är det en beställning av en tjänst som vi har definierat i förväg?"),
        _(
            "Ja om kommunen vill köpa en bestämd tjänst med bestämt innehåll och pris. "
            "En beställning liknar en upphandling och passar inte som IOP eller bidrag."
        ),
        "Helsingborgs riktlinjer för IOP; LOU 1 kap. 2 §",
    ),
    Question(
        "market",
        _("Finns det en marknad – kan tjänsten köpas av företag eller andra utförare?"),
        _("Ja om flera utförare erbjuder samma eller liknande tjänst i dag."),
        "Helsingborgs riktlinjer för IOP",
    ),
    Question(
        "idea_based",
        _("Bygger det på ett idéburet initiativ?"),
        _("Ja om en förening, stiftelse eller annan idéburen organisation har tagit initiativet."),
        "Helsingborgs riktlinjer för IOP",
    ),
    Question(
        "self_running",
        _("Är det organisationens egen verksamhet som är självgående?"),
        _(
            "Ja om föreningen driver verksamheten själv och den inte kräver aktiv och regelbunden "
            "samverkan med förvaltningen – det är inte en tjänst åt kommunen."
        ),
        "Helsingborgs riktlinjer för IOP",
    ),
    Question(
        "need_together",
        _("Har behovet identifierats gemensamt av kommunen och den idéburna organisationen?"),
        _("Ja om ni tillsammans har sett behovet och formulerat målet."),
        "Helsingborgs riktlinjer för IOP",
    ),
    Question(
        "all_contribute",
        _("Kan alla parter bidra med resurser?"),
        _(
            "Resurser behöver inte vara pengar: ideellt arbete, lokaler, kompetens eller "
            "administration räknas också."
        ),
        "Helsingborgs riktlinjer för IOP",
    ),
    Question(
        "budget_plan",
        _("Finns det en långsiktig budgetplan för den gemensamma insatsen?"),
        _("Ett IOP gäller oftast 3–5 år. Utan budgetplan bör ni avvakta med IOP."),
        "Helsingborgs riktlinjer för IOP",
    ),
    Question(
        "innovation",
        _("Behövs en ny lösning – finns ingen färdig lösning och krävs utveckling?"),
        _("Ja om ingen lösning finns att köpa och den behöver tas fram, prövas eller forskas fram."),
        "LOU 6 kap. 1 §; LOU 3 kap. 23 §",
    ),
    Question(
        "effect_measurable",
        _("Går effekten att mäta?"),
        _("Ja om utfallet för målgruppen kan mätas med data, t.ex. skolnärvaro eller placeringar."),
        "LOU 17 kap. 1 §",
    ),
    Question(
        "outcome_fund",
        _("Är en utfallsfond eller annan finansiär intresserad av att betala för utfall?"),
        _("Ja om en finansiär vill finansiera insatsen och få betalt efter uppnådda resultat."),
        "LOU 17 kap. 1 §",
    ),
    Question(
        "social_service",
        _("Är det en social tjänst eller annan särskild tjänst (bilaga 2 till LOU)?"),
        _("De flesta sociala insatser för barn, unga och familjer är sådana tjänster."),
        "LOU 19 kap. 1 §; LOU bilaga 2",
    ),
)
QUESTION_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)
VALUE_KEY = "estimated_value"
LIMIT_KEY = "direct_award_limit"  # named in ``missing`` when no limit is in force for the day


@dataclass(frozen=True)
class Answers:
    """Yes (True), no (False) or unknown (None) per question; the estimated value in SEK."""

    order: bool | None = None
    market: bool | None = None
    idea_based: bool | None = None
    self_running: bool | None = None
    need_together: bool | None = None
    all_contribute: bool | None = None
    budget_plan: bool | None = None
    innovation: bool | None = None
    effect_measurable: bool | None = None
    outcome_fund: bool | None = None
    social_service: bool | None = None
    estimated_value: Decimal | None = None

    def __post_init__(self) -> None:
        for key in QUESTION_KEYS:
            value = getattr(self, key)
            if value is not None and not isinstance(value, bool):
                raise ValueError(f"{key}: must be yes, no or unknown")
        v = self.estimated_value
        if v is not None:
            if not isinstance(v, Decimal) or not v.is_finite():
                raise ValueError(f"{VALUE_KEY}: must be a finite Decimal")
            if v < 0:
                raise ValueError(f"{VALUE_KEY}: must not be negative")


@dataclass(frozen=True)
class Thresholds:
    """The amounts in force on the day of the assessment (SEK; None = no amount in force known)."""

    direct_award: Decimal | None = None  # LOU 19 kap. 8 §: varor och tjänster
    direct_award_social: Decimal | None = None  # LOU 19 kap. 8 §: sociala tjänster (bilaga 2)
    eu_services: Decimal | None = None  # LOU 5 kap.: övriga upphandlande myndigheter
    eu_social: Decimal | None = None  # LOU 5 kap.: sociala och andra särskilda tjänster


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str
    source: str


@dataclass(frozen=True)
class Recommendation:
    form: Form
    reasons: tuple[Reason, ...]
    others: tuple[Form, ...]
    missing: tuple[str, ...]
    next_step: str
    # The direct-award limit that was compared with the value (None if not compared).
    limit_used: Decimal | None = None
    path: tuple[str, ...] = field(default=())

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.reasons)


RIKTLINJER = "Helsingborgs riktlinjer för IOP"

# Every rule: id → (plain-Swedish text, legal source).
RULES: dict[str, tuple[str, str]] = {
    "B1": (
        _(
            "Det är en beställning av en definierad tjänst. Det liknar en upphandling "
            "och passar inte som IOP."
        ),
        f"{RIKTLINJER}; LOU 1 kap. 2 §",
    ),
    "G1": (
        _(
            "Organisationens verksamhet är självgående och kräver inte regelbunden samverkan med "
            "förvaltningen. Då är ett föreningsbidrag att föredra."
        ),
        f"{RIKTLINJER}; Kommunallagen 2 kap. 1 §",
    ),
    "M1": (
        _(
            "Det finns en marknad och tjänsten kan köpas. Ett IOP får inte användas där "
            "det krävs upphandling."
        ),
        f"{RIKTLINJER}; LOU 1 kap. 2 §",
    ),
    "G2": (
        _(
            "Behovet är inte identifierat gemensamt, vilket ett IOP kräver. Ett "
            "föreningsbidrag kan stödja initiativet."
        ),
        RIKTLINJER,
    ),
    "G3": (
        _(
            "Alla parter kan inte bidra med resurser, vilket ett IOP kräver. Ett "
            "föreningsbidrag kan stödja initiativet."
        ),
        RIKTLINJER,
    ),
    "G4": (
        _("Det finns ingen långsiktig budgetplan. Avvakta med IOP och överväg föreningsbidrag i stället."),
        f"{RIKTLINJER}; Kommunallagen 2 kap. 1 §",
    ),
    "I1": (
        _("Samverkan bygger på ett idéburet initiativ."),
        RIKTLINJER,
    ),
    "I2": (
        _("Behovet är identifierat gemensamt och målet är gemensamt formulerat."),
        RIKTLINJER,
    ),
    "I3": (
        _("Alla parter bidrar med resurser – pengar, ideellt arbete, lokaler eller kompetens."),
        RIKTLINJER,
    ),
    "I4": (
        _("Det finns en långsiktig budgetplan för den gemensamma insatsen."),
        RIKTLINJER,
    ),
    "I5": (
        _("Det finns ingen färdig tjänst att köpa, så området kräver inte upphandling."),
        f"{RIKTLINJER}; LOU 1 kap. 2 §",
    ),
    "N1": (
        _(
            "Det behövs en ny lösning som måste utvecklas. Innovationsupphandling "
            "(förkommersiell upphandling eller innovationspartnerskap) passar."
        ),
        "LOU 6 kap. 1 §; LOU 3 kap. 23 §",
    ),
    "N2": (
        _(
            "Det finns ingen färdig lösning att köpa och inget idéburet initiativ. Börja med en "
            "marknadsdialog och överväg innovationsupphandling."
        ),
        "LOU 9 kap. 1 §; LOU 6 kap. 1 §",
    ),
    "U1": (
        _(
            "Effekten går att mäta och en finansiär vill betala för utfall. Ett utfallskontrakt "
            "knyter betalningen till uppnådda resultat."
        ),
        "LOU 17 kap. 1 §",
    ),
    "D1": (
        _("Det uppskattade värdet är under direktupphandlingsgränsen. Direktupphandling är tillåten."),
        "LOU 19 kap. 8 §",
    ),
    "L1": (
        _(
            "Värdet är över direktupphandlingsgränsen men under EU:s tröskelvärde. Upphandla enligt "
            "LOU:s regler under tröskelvärdet."
        ),
        "LOU 19 kap. 1 §",
    ),
    "L2": (
        _("Värdet är över EU:s tröskelvärde. Upphandla och annonsera enligt LOU."),
        "LOU 5 kap. 1 §",
    ),
    "L0": (
        _(
            "Värdet eller direktupphandlingsgränsen är okänd. Räkna med en upphandling enligt LOU "
            "tills värdet är uppskattat."
        ),
        "LOU 5 kap. 1 §; LOU 19 kap. 8 §",
    ),
}

NEXT_STEPS: dict[Form, str] = {
    Form.GRANT: _("Starta en bidragsomgång eller pröva föreningens ansökan i en pågående omgång."),
    Form.IOP: _(
        "Starta ett IOP: gå igenom checklistan med de idéburna parterna och gör en gemensam plan "
        "för mål, resurser och uppföljning."
    ),
    Form.DIRECT_AWARD: _("Direktupphandla: jämför erbjudanden från flera utförare och dokumentera köpet."),
    Form.LOU: _("Gör gärna en marknadsdialog (RFI) först och planera sedan upphandlingen enligt LOU."),
    Form.INNOVATION: _(
        "Börja med en marknadsdialog (RFI) för att se vilka lösningar som finns och välj sedan "
        "förkommersiell upphandling eller innovationspartnerskap."
    ),
    Form.OUTCOMES: _(
        "Ta fram ett utfallskontrakt: bestäm utfallen och hur de mäts, och stäm av finansieringen "
        "med finansiären."
    ),
}


def _reason(rule: str) -> Reason:
    text, source = RULES[rule]
    return Reason(rule, text, source)


def _excluded(a: Answers, limit: Decimal | None) -> set[Form]:
    """Forms the answers rule out (used for "other forms that remain possible")."""
    out: set[Form] = set()
    if a.order is True or a.market is True or a.idea_based is False or a.self_running is True:
        out.add(Form.IOP)
    if a.need_together is False or a.all_contribute is False or a.budget_plan is False:
        out.add(Form.IOP)
    if a.idea_based is False or a.order is True:
        out.add(Form.GRANT)
    if a.market is False:
        out |= {Form.DIRECT_AWARD, Form.LOU}
    if a.estimated_value is not None and limit is not None and a.estimated_value >= limit:
        out.add(Form.DIRECT_AWARD)
    if a.innovation is False and a.market is not False:
        out.add(Form.INNOVATION)
    if a.effect_measurable is False or a.outcome_fund is False:
        out.add(Form.OUTCOMES)
    return out


def _limit(a: Answers, t: Thresholds) -> Decimal | None:
    """The direct-award limit that applies: for a social service (bilaga 2), its own limit.

    Unknown whether it is a social service: the lower of the two (the cautious side)."""
    if a.social_service is True:
        return t.direct_award_social
    if a.social_service is False:
        return t.direct_award
    known = [x for x in (t.direct_award, t.direct_award_social) if x is not None]
    return min(known) if known else None


def recommend(answers: Answers, thresholds: Thresholds) -> Recommendation:
    """The recommendation for ``answers`` with the amounts in ``thresholds``. Never raises for
    unanswered questions: they are named in ``missing``."""
    a = answers
    rules: list[str] = []
    missing: list[str] = []

    def ask(key: str) -> bool | None:
        value: bool | None = getattr(a, key)
        if value is None and key not in missing:
            missing.append(key)
        return value

    limit: Decimal | None = None

    def finish(form: Form) -> Recommendation:
        others = tuple(f for f in Form if f != form and f not in _excluded(a, _limit(a, thresholds)))
        return Recommendation(
            form=form,
            reasons=tuple(_reason(r) for r in rules),
            others=others,
            missing=tuple(missing),
            next_step=NEXT_STEPS[form],
            limit_used=limit,
            path=tuple(rules),
        )

    # 1. A beställning is procurement, whoever takes the initiative.
    order = ask("order")
    if order is True:
        rules.append("B1")
    else:
        # 2. An idéburet initiative (unknown: treated as not idéburet, the procurement side).
        if ask("idea_based") is True:
            if ask("self_running") is True:
                rules.append("G1")
                return finish(Form.GRANT)
            market = ask("market")
            if market is True:
                rules.append("M1")
            else:
                together, contribute, budget = (
                    ask("need_together"),
                    ask("all_contribute"),
                    ask("budget_plan"),
                )
                if together is False:
                    rules.append("G2")
                if contribute is False:
                    rules.append("G3")
                if budget is False:
                    rules.append("G4")
                if rules:
                    return finish(Form.GRANT)
                # Every IOP condition is met or not yet known (then named in missing).
                rules += ["I1"]
                rules += ["I2"] if together else []
                rules += ["I3"] if contribute else []
                rules += ["I4"] if budget else []
                rules += ["I5"] if market is False else []
                return finish(Form.IOP)
        else:
            # Not idéburet: without a market, there is nothing to buy yet.
            if a.innovation is not True and ask("market") is False:
                rules.append("N2")
                return finish(Form.INNOVATION)

    # 3. The procurement branch.
    if ask("innovation") is True:
        rules.append("N1")
        return finish(Form.INNOVATION)
    measurable, fund = ask("effect_measurable"), ask("outcome_fund")
    if measurable is True and fund is True:
        rules.append("U1")
        return finish(Form.OUTCOMES)
    ask("social_service")
    limit = _limit(a, thresholds)
    value = a.estimated_value
    if value is None:
        missing.append(VALUE_KEY)
    if limit is None:
        missing.append(LIMIT_KEY)
    if value is None or limit is None:
        rules.append("L0")
        return finish(Form.LOU)
    if value < limit:
        rules.append("D1")
        return finish(Form.DIRECT_AWARD)
    eu = thresholds.eu_social if a.social_service is True else thresholds.eu_services
    rules.append("L2" if eu is not None and value >= eu else "L1")
    return finish(Form.LOU)
