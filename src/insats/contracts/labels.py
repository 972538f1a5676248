"""Plain labels for a contract's stored terms: field paths → Swedish labels, values → as entered.

The terms are kept as JSON (a version's snapshot, a change proposal's payload) with English keys
and the engine's units (a threshold of 10 % is stored as ``0.1``, a flag as ``false``). This module
is the one place that turns them back into what the forms showed: ``metrics.0.rule.price`` →
"Utfallsmått »Färre placeringar«: Pris per enhet", ``0.1`` → "10 %", ``False`` → "Nej",
``"250000"`` → "250 000,00 kr". The draft overview, the change proposals and the version
differences all use it. Display only: nothing here changes what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ActionStatus, ContractStatus, MetricKind, PartyRole, PeriodType, ReturnBasis
from .rule_text import COUNTERFACTUAL_LABELS
from .templatetags.contracts_tags import kr, num

# The kinds of value, each with its formatter below.
TEXT, MONEY, PERCENT, NUMBER, BOOL, DATE, MULTIPLE, CHOICE = (
    "text",
    "money",
    "percent",
    "number",
    "bool",
    "date",
    "multiple",
    "choice",
)

DIRECTIONS = {"decrease": gettext_lazy("Färre är bättre"), "increase": gettext_lazy("Fler är bättre")}
THRESHOLD_KINDS = {"absolute": gettext_lazy("Antal enheter"), "relative": gettext_lazy("Procent")}
PAYS = {
    "all_units": gettext_lazy("Alla enheter"),
    "above_threshold": gettext_lazy("Bara enheter över tröskeln"),
}


def _choices(choices) -> dict:
    return dict(choices.choices) if hasattr(choices, "choices") else dict(choices)


# Patterns match a path whose collection keys and list indexes are replaced by ``*``:
# ``metrics.placeringar.rule.tiers.1.price`` → ``metrics.*.rule.tiers.*.price``.
# (pattern, label, kind, choices)
_RULE = [
    ("direction", gettext_lazy("Riktning"), CHOICE, DIRECTIONS),
    ("counterfactual.kind", gettext_lazy("Jämförelse"), CHOICE, COUNTERFACTUAL_LABELS),
    ("counterfactual.value", gettext_lazy("Jämförelsenivå"), NUMBER, None),
    ("counterfactual.by_period.*", gettext_lazy("Jämförelsenivå för perioden %(key)s"), NUMBER, None),
    ("counterfactual.by_cohort.*", gettext_lazy("Jämförelsenivå för kohorten %(key)s"), NUMBER, None),
    ("price", gettext_lazy("Pris per enhet"), MONEY, None),
    ("tiers.*.price", gettext_lazy("Prisintervall %(n)s: pris"), MONEY, None),
    ("tiers.*.up_to", gettext_lazy("Prisintervall %(n)s: upp till"), NUMBER, None),
    ("threshold.kind", gettext_lazy("Tröskel per kohort och period"), CHOICE, THRESHOLD_KINDS),
    ("threshold.value", gettext_lazy("Tröskelns nivå"), "threshold", None),
    ("threshold.pays", gettext_lazy("När tröskeln nås betalas"), CHOICE, PAYS),
    ("contract_threshold.kind", gettext_lazy("Tröskel för hela kontraktet"), CHOICE, THRESHOLD_KINDS),
    ("contract_threshold.value", gettext_lazy("Nivå för hela kontraktet"), "threshold", None),
    ("contract_threshold.pays", gettext_lazy("När kontraktets tröskel nås betalas"), CHOICE, PAYS),
    ("settlement_period", gettext_lazy("Slutavräkning"), TEXT, None),
    ("outcomes.*.id", gettext_lazy("Prislista, rad %(n)s: kod"), TEXT, None),
    ("outcomes.*.label", gettext_lazy("Prislista, rad %(n)s: benämning"), TEXT, None),
    ("outcomes.*.price", gettext_lazy("Prislista, rad %(n)s: pris"), MONEY, None),
    (
        "outcomes.*.sustain_periods",
        gettext_lazy("Prislista, rad %(n)s: perioder som ska hålla"),
        NUMBER,
        None,
    ),
    ("outcomes.*.repeatable", gettext_lazy("Prislista, rad %(n)s: kan betalas flera gånger"), BOOL, None),
    ("cap_per_participant", gettext_lazy("Tak per deltagare"), MONEY, None),
    ("evaluations.*.id", gettext_lazy("Utvärdering %(n)s: kod"), TEXT, None),
    ("evaluations.*.method", gettext_lazy("Utvärdering %(n)s: metod"), TEXT, None),
    ("evaluations.*.weight", gettext_lazy("Utvärdering %(n)s: vikt"), PERCENT, None),
    ("share", gettext_lazy("Andel av besparingen"), PERCENT, None),
    ("cap", gettext_lazy("Tak för besparingsdelen"), MONEY, None),
    ("bonus.above", gettext_lazy("Extra del över besparing (per period)"), MONEY, None),
    ("bonus.share", gettext_lazy("Andel i extra delen"), PERCENT, None),
    ("bonus.cap", gettext_lazy("Tak för extra delen"), MONEY, None),
    ("bonus.condition.metric", gettext_lazy("Villkor: annat utfallsmått"), TEXT, None),
    ("bonus.condition.threshold.kind", gettext_lazy("Villkorets tröskel"), CHOICE, THRESHOLD_KINDS),
    ("bonus.condition.threshold.value", gettext_lazy("Villkorets nivå"), "threshold", None),
    ("bonus.condition.threshold.pays", gettext_lazy("När tröskeln nås betalas"), CHOICE, PAYS),
    ("cap_total", gettext_lazy("Tak för måttet under kontraktet"), MONEY, None),
    ("cap_per_period", gettext_lazy("Tak för måttet per period"), MONEY, None),
]
_METRIC = [
    ("code", gettext_lazy("Kod"), TEXT, None),
    ("name", gettext_lazy("Namn"), TEXT, None),
    ("order", gettext_lazy("Prioritet"), NUMBER, None),
    ("kind", gettext_lazy("Prismodell"), CHOICE, _choices(MetricKind)),
    ("definition", gettext_lazy("Definition"), TEXT, None),
    ("unit", gettext_lazy("Enhet"), TEXT, None),
    ("data_source", gettext_lazy("Datakälla"), TEXT, None),
    ("validation_method", gettext_lazy("Valideringsmetod"), TEXT, None),
    ("counterfactual_description", gettext_lazy("Hur jämförelsen tas fram"), TEXT, None),
    ("measurement_periods", gettext_lazy("Mätperioder"), TEXT, None),
    ("confidential_prices", gettext_lazy("Priserna är konfidentiella"), BOOL, None),
    ("rule", gettext_lazy("Prisregel"), TEXT, None),
] + [(f"rule.{p}", label, kind, choices) for p, label, kind, choices in _RULE]

_FINANCING = [
    ("commitment", gettext_lazy("Åtagande"), MONEY, None),
    ("provider_costs", gettext_lazy("Utbetalningsplan"), MONEY, None),
    ("drawdown_schedule", gettext_lazy("Utbetalningsplan"), MONEY, None),
    ("periods_per_year", gettext_lazy("Perioder per år"), NUMBER, None),
    ("return_basis", gettext_lazy("Avkastning"), CHOICE, _choices(ReturnBasis)),
    ("annual_rate", gettext_lazy("Årlig ränta"), PERCENT, None),
    ("multiple_cap", gettext_lazy("Multipeltak"), MULTIPLE, None),
    ("fund_surplus_share", gettext_lazy("Fondens andel av överskottet"), PERCENT, None),
]
_ACTION = [
    ("title", gettext_lazy("Åtgärd"), TEXT, None),
    ("description", gettext_lazy("Beskrivning"), TEXT, None),
    ("owner_party", gettext_lazy("Ansvarig part"), "party", None),
    ("responsible", gettext_lazy("Ansvarig person"), TEXT, None),
    ("start", gettext_lazy("Start"), DATE, None),
    ("end", gettext_lazy("Slut"), DATE, None),
    ("status", gettext_lazy("Status"), CHOICE, _choices(ActionStatus)),
]

# (pattern, label, kind, choices, group): the group names the thing a field belongs to.
FIELDS: list[tuple[str, Any, str, dict | None, str]] = (
    [
        ("contract.title", gettext_lazy("Titel"), TEXT, None, ""),
        ("contract.reference", gettext_lazy("Kortnamn"), TEXT, None, ""),
        ("contract.intervention", gettext_lazy("Insats"), TEXT, None, ""),
        ("contract.target_population", gettext_lazy("Målgrupp"), TEXT, None, ""),
        ("contract.term_start", gettext_lazy("Kontraktsperiodens start"), DATE, None, ""),
        ("contract.term_end", gettext_lazy("Kontraktsperiodens slut"), DATE, None, ""),
        ("contract.period_type", gettext_lazy("Periodlängd"), CHOICE, _choices(PeriodType), ""),
        ("contract.key_dates*", gettext_lazy("Viktiga datum"), TEXT, None, ""),
        ("contract.payment_terms*", gettext_lazy("Betalningsvillkor"), TEXT, None, ""),
        ("contract.status", gettext_lazy("Status"), CHOICE, _choices(ContractStatus), ""),
        ("parties.*.role", gettext_lazy("Roll"), CHOICE, _choices(PartyRole), "party"),
        ("parties.*.payer_share", gettext_lazy("Andel av betalningarna"), "percent_number", None, "party"),
        ("parties.*.payer_cap", gettext_lazy("Betalarens tak"), MONEY, None, "party"),
        ("cohorts.*.name", gettext_lazy("Namn"), TEXT, None, "cohort"),
        ("cohorts.*.entry_start", gettext_lazy("Intag från"), DATE, None, "cohort"),
        ("cohorts.*.entry_end", gettext_lazy("Intag till"), DATE, None, "cohort"),
        ("cohorts.*.planned_size", gettext_lazy("Planerat antal deltagare"), NUMBER, None, "cohort"),
        ("remove", gettext_lazy("Utfallsmått som tas bort"), TEXT, None, ""),
    ]
    + [(f"metrics.*.{p}", label, kind, ch, "metric") for p, label, kind, ch in _METRIC]
    + [(f"financing.{p}", label, kind, ch, "financing") for p, label, kind, ch in _FINANCING]
    + [(p, label, kind, ch, "financing") for p, label, kind, ch in _FINANCING]
    + [(f"actions.*.{p}", label, kind, ch, "action") for p, label, kind, ch in _ACTION]
)

# Parts of the contract, for a path that is not in FIELDS (and for the draft overview).
SECTIONS = {
    "contract": gettext_lazy("Grunduppgifter"),
    "parties": gettext_lazy("Parter"),
    "cohorts": gettext_lazy("Kohorter"),
    "metrics": gettext_lazy("Utfallsmått"),
    "financing": gettext_lazy("Finansiering"),
    "actions": gettext_lazy("Handlingsplan"),
    "payer_share": gettext_lazy("Andel av betalningarna"),
    "status": gettext_lazy("Status"),
    "party": gettext_lazy("Part"),
    "signatory": gettext_lazy("Firmatecknare"),
}


@dataclass(frozen=True)
class Row:
    """One changed field, ready to show."""

    path: str
    label: str
    old: str
    new: str


def _decimal(value) -> Decimal | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _pattern(path: str) -> tuple[tuple[str, Any, str, dict | None, str] | None, list[str]]:
    """The FIELDS entry of ``path`` and the segments its ``*`` stand for."""
    entry, stars = _match(path)
    if entry is None and path.startswith("metrics."):
        # The payment engine's paths have the rule's fields directly on the metric.
        head, _dot, rest = path.partition(".")
        key, _dot, tail = rest.partition(".")
        if tail:
            return _match(f"{head}.{key}.rule.{tail}")
    return entry, stars


def _match(path: str) -> tuple[tuple[str, Any, str, dict | None, str] | None, list[str]]:
    parts = path.split(".")
    for entry in FIELDS:
        pattern = entry[0]
        pparts = pattern.split(".")
        if pattern.endswith("*") and not pattern.endswith(".*"):
            # ``contract.key_dates*``: the field and anything below it.
            if path == pattern[:-1] or path.startswith(pattern[:-1] + "."):
                return entry, []
            continue
        if len(pparts) != len(parts):
            continue
        if all(p == "*" or p == s for p, s in zip(pparts, parts, strict=True)):
            return entry, [s for p, s in zip(pparts, parts, strict=True) if p == "*"]
    return None, []


def _group_name(kind: str, key: str, docs: tuple[dict, ...]) -> str:
    """Who or what a field belongs to: "Utfallsmått »Färre placeringar«" …"""
    if kind == "metric":
        name = key
        for doc in docs:
            metrics = (doc or {}).get("metrics")
            row = None
            if isinstance(metrics, dict):
                row = metrics.get(key)
            elif isinstance(metrics, list) and key.isdigit() and int(key) < len(metrics):
                row = metrics[int(key)]
            if isinstance(row, dict) and row.get("name"):
                name = row["name"]
                break
        return _("Utfallsmått »%(name)s«") % {"name": name}
    if kind == "party":
        return _("Part »%(name)s«") % {"name": key}
    if kind == "cohort":
        return _("Kohort »%(name)s«") % {"name": key}
    if kind == "action":
        return _("Åtgärd %(n)s") % {"n": int(key) + 1} if key.isdigit() else _("Åtgärd")
    if kind == "financing":
        return str(SECTIONS["financing"])
    return ""


def label(path: str, *docs: dict) -> str:
    """The plain label of a dotted field path (``docs`` give names for keys and indexes)."""
    entry, stars = _pattern(path)
    if entry is None:
        head = path.split(".")[0]
        section = SECTIONS.get(head)
        if section is None:
            return _("Övrigt")
        return str(section)
    _pat, text, _kind, _choices_, group = entry
    # The row number of a list entry inside a metric's rule (tiers, outcomes, evaluations).
    inner = stars[1:] if group in ("metric", "party", "cohort", "action") else stars
    last = inner[-1] if inner else ""
    values = {"n": int(last) + 1 if last.isdigit() else "", "key": last}
    text = str(text) % values if "%(" in str(text) else str(text)
    owner = _group_name(group, stars[0] if stars else "", docs) if group else ""
    return f"{owner}: {text}" if owner else text


def _threshold_kind(path: str, docs: tuple[dict, ...]) -> str | None:
    kind_path = path.rsplit(".", 1)[0] + ".kind"
    for doc in docs:
        node: Any = doc
        for part in kind_path.split("."):
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                node = None
                break
        if isinstance(node, str):
            return node
    return None


def value(path: str, raw: Any, *docs: dict, parties: dict | None = None) -> str:
    """``raw`` as the form showed it: per cent as entered, Ja/Nej, money as money, choices by name."""
    if raw is None or raw == "" or raw == [] or raw == {}:
        return "–"
    if isinstance(raw, bool):
        return _("Ja") if raw else _("Nej")
    entry, _stars = _pattern(path)
    kind = entry[2] if entry else TEXT
    choices = entry[3] if entry else None
    if isinstance(raw, list):
        return ", ".join(value(path, v, *docs, parties=parties) for v in raw)
    if isinstance(raw, dict):
        return "; ".join(f"{k}: {value(path, v, *docs, parties=parties)}" for k, v in raw.items())
    if kind == "threshold":
        kind = PERCENT if _threshold_kind(path, docs) == "relative" else NUMBER
    d = _decimal(raw)
    if kind == MONEY and d is not None:
        return kr(d)
    if kind == PERCENT and d is not None:
        return f"{num(d * 100)}\u00a0%"
    if kind == "percent_number" and d is not None:
        return f"{num(d)}\u00a0%"
    if kind == MULTIPLE and d is not None:
        return f"{num(d)}\u00a0×"
    if kind == NUMBER and d is not None:
        return num(d)
    if kind == CHOICE and choices:
        return str(choices.get(raw, raw))
    if kind == "party":
        if parties and str(raw) in parties:
            return parties[str(raw)]
        return str(raw)
    return str(raw)


def rows(
    changes: list[tuple[str, Any, Any]], old: dict | None, new: dict, parties: dict | None = None
) -> list[Row]:
    """``services_changes.diff`` output as labelled rows with formatted values."""
    docs = (new or {}, old or {})
    return [
        Row(
            path=path,
            label=label(path, *docs),
            old=value(path, a, old or {}, new or {}, parties=parties),
            new=value(path, b, new or {}, old or {}, parties=parties),
        )
        for path, a, b in changes
    ]


def readiness_rows(errors: list[tuple[str, str]], contract=None) -> list[tuple[str, str]]:
    """The draft overview's "before it can be signed" list with labels instead of field keys."""
    docs: tuple[dict, ...] = ()
    if contract is not None:
        metrics = [{"name": m.name, "code": m.code} for m in contract.metrics.all()]
        docs = ({"metrics": metrics},)
    return [(label(field, *docs) if field else "", message) for field, message in errors]
