"""Business-case pages: the scenarios of a contract, the inputs form, a scenario's results with
charts and the method, and scenarios compared side by side. Every figure comes from the stored
output of ``insats.core.simulation``."""

from __future__ import annotations

import re
from decimal import Decimal

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from insats.accounts.access import actor_for, can, get_or_404, require
from insats.core import payments as pay
from insats.platform import charts
from insats.platform.formatting import format_money, format_number, format_percent

from . import business_case as bc
from .forms_business_case import INPUTS, KIND_HELP, PARAMS, ScenarioForm
from .models import BusinessCaseScenario, Contract

VIEW = "contract.business_case.view"
RUN = "contract.business_case.run"

INPUT_LABELS = {name: spec[0] for name, spec in INPUTS.items()}
KIND_LABELS = {k: label for k, label, _h in KIND_HELP}
PARAM_LABELS = {p: label for p, label, _k in PARAMS}


# --- formatting -------------------------------------------------------------------------------------


def kr(value) -> str:
    """Whole kronor, exact (never through float)."""
    if value is None or value == "":
        return "–"
    return format_money(Decimal(str(value)), 0)


def pct(value, decimals: int = 1) -> str:
    return format_percent(value, decimals)


def times(value) -> str:
    return "–" if value is None else f"{format_number(value, 2)}×"


def _scaled(name: str, value: float) -> str:
    unit, factor = INPUTS[name][1], INPUTS[name][2]
    shown = Decimal(str(value)) / factor
    return f"{num(shown)} {unit}"


def num(value) -> str:
    """Swedish number with at most two decimals and no trailing zeros: 20, 12,5, 4 000."""
    text = charts.fmt(float(value), 2 if abs(float(value)) < 100 else 0)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def describe_distribution(name: str, d: dict) -> str:
    """E.g. "Triangelfördelning: lägsta 5 %, mest troligt 20 %, högsta 35 %"."""
    kind = d["kind"]
    parts = []
    for param, _label, kinds in PARAMS:
        if kind not in kinds or d.get(param) is None:
            continue
        v = d[param]
        if param in ("values",):
            text = "; ".join(_scaled(name, x) for x in v)
        elif param == "probabilities":
            text = "; ".join(num(x) for x in v)
        elif param in ("weight", "alpha", "beta"):
            text = num(v)
        else:
            text = _scaled(name, v)
        label = str(PARAM_LABELS[param])
        parts.append(f"{label[:1].lower()}{label[1:]} {text}")
    return f"{KIND_LABELS.get(kind, kind)}: " + ", ".join(parts)


def input_label(name: str) -> str:
    """An uncertain input's name as the pages show it (tornado): the form's label, or for a
    rate-card outcome's probability (``p:<metric>/<outcome>``) "Sannolikhet: <metric>/<outcome>"."""
    if name.startswith("p:"):
        return _("Sannolikhet: %(key)s") % {"key": name[2:]}
    return str(INPUT_LABELS.get(name, name))


def input_value(name: str, value: float) -> str:
    if name.startswith("p:"):
        return pct(value, 0)
    return _scaled(name, value) if name in INPUTS else charts.fmt(value)


def input_rows(scenario: BusinessCaseScenario) -> list[tuple[str, str]]:
    """The scenario's inputs as (label, text) rows, for the disclosure and the compare page."""
    s = scenario.inputs.get("scenario", {})
    sources = scenario.inputs.get("sources", {})
    rows = []
    for name in bc.UNCERTAIN:
        text = describe_distribution(name, s[name])
        if name in sources:
            text += " — " + _("källa: %(label)s") % {"label": sources[name]["label"]}
        rows.append((str(INPUT_LABELS[name]), text))
    rows += [
        (_("Placeringar per år utan insatsen"), num(s["baseline_placements"])),
        (_("Andel i HVB"), pct(s["hvb_share"], 0)),
        (_("Andel som frigör pengar i budgeten"), pct(Decimal(s["cashable_share"]), 0)),
        (_("Egna kostnader per år"), kr(s["own_costs_per_year"])),
        (_("Tidshorisont"), _("%(n)s år") % {"n": s["horizon_years"]}),
        (_("Diskonteringsränta"), pct(Decimal(s["discount_rate"]), 1)),
    ]
    for metric_id, level in (s.get("metric_levels") or {}).items():
        rows.append((_("Nivå utan insatsen: %(m)s") % {"m": metric_id}, num(level)))
    p = s.get("participants")
    if p:
        rows.append((str(INPUT_LABELS["enrolment"]), describe_distribution("enrolment", p["enrolment"])))
        if p.get("enrolment_periods"):
            rows.append((_("Perioder med nya deltagare"), str(p["enrolment_periods"])))
        for key, o in p["outcomes"].items():
            if o["delay_min"] == o["delay_max"]:
                when = _("%(n)s perioder efter start") % {"n": o["delay_min"]}
            else:
                when = _("%(a)s–%(b)s perioder efter start") % {"a": o["delay_min"], "b": o["delay_max"]}
            chance = pct(o["probability"], 0)
            if o.get("probability_low") is not None and o.get("probability_high") is not None:
                chance = _("%(p)s (troligen %(low)s–%(high)s)") % {
                    "p": chance,
                    "low": pct(o["probability_low"], 0),
                    "high": pct(o["probability_high"], 0),
                }
            text = _("sannolikhet %(p)s, %(when)s, besparing %(value)s per utfall") % {
                "p": chance,
                "when": when,
                "value": kr(o.get("value", 0)),
            }
            rows.append((_("Utfall %(key)s") % {"key": key}, text))
    rows += [
        (_("Antal dragningar"), charts.fmt(float(s["draws"]), 0)),
        (_("Slumpfrö"), str(s["seed"])),
    ]
    return rows


def break_even_row(be: dict) -> tuple[str, str]:
    """The break-even effect as (label, text), worded by which way the commissioner's net moves.

    When the net *falls* as the effect rises (payments grow faster than the costs avoided), the
    crossing is where the net turns negative, not a level "needed to break even"."""
    low, high = Decimal(str(be["npv_at_low"])), Decimal(str(be["npv_at_high"]))
    value = be.get("value")
    if high >= low:
        label = _("Effekt som krävs för att gå jämnt ut")
        if value is not None:
            text = _scaled("effect", value)
        elif low > 0:
            text = _("lägre än %(low)s: beställaren går plus redan vid den lägsta troliga effekten") % {
                "low": _scaled("effect", be["low"])
            }
        else:
            text = _("högre än %(high)s: beställaren går minus även vid den högsta troliga effekten") % {
                "high": _scaled("effect", be["high"])
            }
        return label, text
    label = _("Beställarens nettonuvärde och effekten")
    falls = _(
        "Beställarens nettonuvärde minskar när effekten ökar: betalningarna växer snabbare än de "
        "undvikna kostnaderna"
    )
    if value is not None:
        text = _("%(falls)s; nettot blir negativt över %(value)s.") % {
            "falls": falls,
            "value": _scaled("effect", value),
        }
    elif high > 0:
        text = _("%(falls)s, men nettot är positivt i hela det troliga spannet (%(low)s–%(high)s).") % {
            "falls": falls,
            "low": _scaled("effect", be["low"]),
            "high": _scaled("effect", be["high"]),
        }
    else:
        text = _("%(falls)s; nettot är negativt i hela det troliga spannet (%(low)s–%(high)s).") % {
            "falls": falls,
            "low": _scaled("effect", be["low"]),
            "high": _scaled("effect", be["high"]),
        }
    return label, text


def key_results(scenario: BusinessCaseScenario) -> list[tuple[str, str]]:
    """The headline figures of a finished scenario as (label, text) rows."""
    mc = (scenario.result or {}).get("monte_carlo")
    if not mc:
        return []
    det = scenario.result["deterministic"]
    npv = mc["commissioner_npv"]
    rows = [
        (_("Beställarens nettonuvärde P10"), kr(npv["p10"])),
        (_("Beställarens nettonuvärde P50"), kr(npv["p50"])),
        (_("Beställarens nettonuvärde P90"), kr(npv["p90"])),
        (_("Sannolikhet att beställaren sparar pengar"), pct(mc["probability_commissioner_saves"])),
        (_("Utfallsbetalningar P50"), kr(mc["total_payments"]["p50"])),
        (_("Sannolikhet att ett betalningstak nås"), pct(mc["probability_cap_hit"])),
    ]
    if mc.get("fund_irr_annual"):
        rows += [
            (_("Fondens årliga avkastning (IRR) P50"), pct(mc["fund_irr_annual"]["p50"])),
            (_("Fondens multipel P50"), times(mc["fund_multiple"]["p50"])),
            (
                _("Sannolikhet att fonden får tillbaka hela finansieringen"),
                pct(mc["probability_fund_repaid"]),
            ),
        ]
    be = det.get("break_even")
    if be:
        rows.append(break_even_row(be))
    return rows


# --- pages ------------------------------------------------------------------------------------------


def _contract(request, pk: int, ability: str) -> Contract:
    return get_or_404(actor_for(request), Contract.objects.select_related("owner"), ability, pk=pk)


def _scenario(contract: Contract, scenario_pk) -> BusinessCaseScenario:
    try:
        return contract.scenarios.select_related("job", "created_by", "based_on").get(pk=int(scenario_pk))
    except (BusinessCaseScenario.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def status_of(scenario: BusinessCaseScenario) -> str:
    if scenario.result:
        return "done"
    if scenario.job is None:
        return "queued"
    return scenario.job.status


@require(VIEW)
def business_case(request, pk):
    """The contract's scenarios, grouped by name with their versions, and the compare form."""
    contract = _contract(request, pk, VIEW)
    actor = actor_for(request)
    scenarios = list(contract.scenarios.select_related("job", "created_by", "based_on"))
    rows = []
    for s in scenarios:
        mc = (s.result or {}).get("monte_carlo") or {}
        rows.append(
            {
                "scenario": s,
                "status": status_of(s),
                "npv_p50": kr(mc["commissioner_npv"]["p50"]) if mc else "",
                "p_saves": pct(mc["probability_commissioner_saves"]) if mc else "",
            }
        )
    return render(
        request,
        "contracts/business_case.html",
        {
            "contract": contract,
            "rows": rows,
            "can_run": can(actor, RUN, contract),
            "nav_active": "contracts",
            "active": "business_case",
        },
    )


@require(RUN)
@require_http_methods(["GET", "POST"])
def business_case_new(request, pk):
    """The inputs form; a valid POST saves a scenario version and starts the Monte Carlo."""
    contract = _contract(request, pk, RUN)
    actor = actor_for(request)
    based_on = None
    source = request.POST.get("based_on") or request.GET.get("fran")
    if source:
        based_on = _scenario(contract, source)
    try:
        payment, _financing = bc.contract_core_parts(contract)
        contract_error = ""
    except bc.BusinessCaseError as exc:
        payment, contract_error = None, str(exc)
    level_metrics = [
        m
        for m in (payment.metrics if payment else [])
        if bc.needs_level(m) and not isinstance(m, pay.RateCardMetric)
    ]
    prefill = bc.prefill_unit_costs(contract)
    if based_on is not None:
        initial = ScenarioForm.initial_from(based_on.inputs["scenario"], based_on.name)
    else:
        initial = ScenarioForm.initial_from(bc.default_inputs(contract), _("Grundscenario"))
    form = ScenarioForm(
        request.POST or None,
        initial=initial,
        level_metrics=level_metrics,
        prefill=prefill,
        rate_card_outcomes=bc.rate_card_outcomes(payment),
    )
    if request.method == "POST" and form.is_valid():
        try:
            scenario = bc.scenario_create(
                actor=actor,
                contract=contract,
                inputs=form.inputs,
                name=form.cleaned_data["name"],
                based_on=based_on,
                notes=form.cleaned_data["notes"],
            )
        except bc.BusinessCaseError as exc:
            field = exc.field or ""
            if field.startswith("metric_levels."):
                field = "level_" + field.split(".", 1)[1]
            form.add_error(field if field in form.fields else None, str(exc))
        else:
            job = bc.scenario_start(actor=actor, scenario=scenario)
            return redirect("accounts:job", pk=job.pk)
    return render(
        request,
        "contracts/business_case_form.html",
        {
            "contract": contract,
            "form": form,
            "based_on": based_on,
            "contract_error": contract_error,
            "kind_help": KIND_HELP,
            "nav_active": "contracts",
            "active": "business_case",
        },
    )


#: Extra room (px) right of a histogram: the chart keeps a 16 px margin, and a label such as
#: "12 500 000" centred on the last tick reached past it and was cut off.
AXIS_ROOM = 48


def _histogram(hist: dict | None, *, title: str, desc: str, scale: float = 1.0, marker: float | None = 0.0):
    if not hist or not hist.get("counts"):
        return None
    edges = [e * scale for e in hist["edges"]]
    svg = charts.histogram(
        edges,
        hist["counts"],
        title=title,
        desc=desc,
        marker=marker,
        marker_label=_("noll") if marker == 0 else "",
    )
    svg = mark_safe(  # noqa: S308 - the chart's own SVG, only its viewBox widened
        re.sub(
            r'viewBox="0 0 (\d+) (\d+)"',
            lambda m: f'viewBox="0 0 {int(m.group(1)) + AXIS_ROOM} {m.group(2)}"',
            str(svg),
            count=1,
        )
    )
    return {"title": title, "svg": svg}


@require(VIEW)
def scenario(request, pk, scenario):
    """One scenario: key results, percentiles, histograms, tornado and how it was computed."""
    contract = _contract(request, pk, VIEW)
    s = _scenario(contract, scenario)
    ctx = {
        "contract": contract,
        "scenario": s,
        "status": status_of(s),
        "inputs": input_rows(s),
        "can_run": can(actor_for(request), RUN, contract),
        "nav_active": "contracts",
        "active": "business_case",
        "versions": contract.scenarios.filter(name=s.name).order_by("-version"),
    }
    mc = (s.result or {}).get("monte_carlo")
    if mc:
        det = s.result["deterministic"]
        ctx["key_results"] = key_results(s)
        pct_rows = []
        for key, label in (
            ("commissioner_npv", _("Beställarens nettonuvärde")),
            ("commissioner_npv_cashable", _("… varav det som frigör pengar i budgeten")),
            ("total_payments", _("Utfallsbetalningar totalt")),
            ("provider_net", _("Utförarens netto")),
        ):
            p = mc.get(key)
            if p:
                pct_rows.append([label] + [kr(p[f"p{q}"]) for q in (5, 10, 50, 90, 95)] + [kr(p["mean"])])
        for key, label, f in (
            ("fund_irr_annual", _("Fondens årliga avkastning (IRR)"), pct),
            ("fund_multiple", _("Fondens multipel"), times),
        ):
            p = mc.get(key)
            if p:
                pct_rows.append([label] + [f(p[f"p{q}"]) for q in (5, 10, 50, 90, 95)] + [f(p["mean"])])
        ctx["percentile_rows"] = pct_rows
        hist = mc["histograms"]
        ctx["charts"] = [
            c
            for c in (
                _histogram(
                    hist.get("commissioner_npv"),
                    title=_("Beställarens nettonuvärde, fördelning (kr)"),
                    desc=_(
                        "Hur ofta varje nettonuvärde inträffade bland %(n)s simulerade utfall; "
                        "linjen vid noll skiljer förlust från besparing."
                    )
                    % {"n": charts.fmt(mc["draws"], 0)},
                ),
                _histogram(
                    hist.get("total_payments"),
                    title=_("Utfallsbetalningar totalt, fördelning (kr)"),
                    desc=_(
                        "Hur ofta varje summa utfallsbetalningar inträffade bland de simulerade utfallen."
                    ),
                    marker=None,
                ),
                _histogram(
                    hist.get("fund_irr_annual"),
                    title=_("Fondens årliga avkastning (IRR), fördelning (%)"),
                    desc=_("Hur ofta varje avkastning inträffade; under noll förlorar fonden pengar."),
                    scale=100.0,
                ),
            )
            if c is not None
        ]
        bars = mc["tornado"]
        ctx["tornado_rows"] = [
            (
                input_label(b["input"]),
                input_value(b["input"], b["low_value"]),
                input_value(b["input"], b["high_value"]),
                kr(b["npv_at_low"]),
                kr(b["npv_at_high"]),
                kr(b["spread"]),
            )
            for b in bars
        ]
        if bars:
            ctx["tornado"] = charts.hbar_chart(
                [
                    (
                        input_label(b["input"]),
                        float(b["npv_at_low"]),
                        float(b["npv_at_high"]),
                    )
                    for b in bars
                ],
                center=float(det["budget"]["npv"]),
                title=_("Tornado: vilken osäkerhet betyder mest för nettonuvärdet (kr)"),
                desc=_(
                    "Varje stapel visar beställarens nettonuvärde när en indata flyttas från sin P10 "
                    "till sin P90 medan övriga står på sin median; den bredaste stapeln överst. Linjen är "
                    "nettonuvärdet med alla indata på median."
                ),
            )
        ctx["deterministic"] = {
            "npv": kr(det["budget"]["npv"]),
            "pv_costs_avoided": kr(det["budget"]["pv_costs_avoided"]),
            "pv_outcome_payments": kr(det["budget"]["pv_outcome_payments"]),
            "pv_own_costs": kr(det["budget"]["pv_own_costs"]),
            "payments": [kr(p) for p in det["payments_by_period"]],
        }
        ctx["mc"] = mc
        ctx["draws_text"] = num(mc["draws"])
    return render(request, "contracts/scenario.html", ctx)


@require(VIEW)
def scenario_compare(request, pk):
    """Two or three scenarios side by side: inputs and key results, differences highlighted."""
    contract = _contract(request, pk, VIEW)
    ids = request.GET.getlist("s")
    chosen = []
    for i in ids[:3]:
        sc = _scenario(contract, i)
        if sc not in chosen:
            chosen.append(sc)
    error = ""
    if len(chosen) < 2:
        error = _("Välj två eller tre scenarier att jämföra.")
    sections = []
    if not error:
        for title, fn in ((_("Indata"), input_rows), (_("Resultat"), key_results)):
            per = [dict(fn(sc)) for sc in chosen]
            labels = list(dict.fromkeys(label for d in per for label in d))
            rows = []
            for label in labels:
                values = [d.get(label, "–") for d in per]
                rows.append(
                    {
                        "label": label,
                        "cells": [(v, v != values[0]) for v in values],
                        "differs": len(set(values)) > 1,
                    }
                )
            sections.append({"title": title, "rows": rows})
    return render(
        request,
        "contracts/scenario_compare.html",
        {
            "contract": contract,
            "scenarios": chosen,
            "sections": sections,
            "error": error,
            "nav_active": "contracts",
            "active": "business_case",
            "all_scenarios": contract.scenarios.all(),
        },
    )
