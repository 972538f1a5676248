"""Plain Swedish for the codes and rules of the payment engine: price rules, thresholds, caps,
counterfactual kinds and result sources — so no page shows ``metric_total`` or ``baseline``.

:func:`describe_rule` turns a metric's price rule (the core's JSON form) into sentences;
:func:`threshold_checks` explains, per payment line, the minimum-improvement checks behind the
amount (improvement, the threshold it was checked against, met or not, and for the final settlement
which earlier periods did not pay).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .templatetags.contracts_tags import CAP_LABELS, kr, num

COUNTERFACTUAL_LABELS = {
    "baseline": gettext_lazy("historisk nivå"),
    "comparison": gettext_lazy("jämförelsegrupp"),
    "target": gettext_lazy("fast målnivå"),
}

SOURCE_LABELS = {
    "form": gettext_lazy("formulär"),
    "import": gettext_lazy("filimport (CSV/Excel)"),
    "api": gettext_lazy("API"),
}


def _in(currency: str | None):
    """The ``kr`` filter in the contract's currency."""

    def money(value) -> str:
        return kr(value, currency) if currency else kr(value)

    return money


def cap_label(code: str) -> str:
    return str(CAP_LABELS.get(code, code))


def cap_order_text(codes: list[str]) -> str:
    return " → ".join(cap_label(c) for c in codes)


def counterfactual_label(kind: str | None) -> str:
    return str(COUNTERFACTUAL_LABELS.get(kind or "", kind or "–"))


def source_label(code: str | None) -> str:
    return str(SOURCE_LABELS.get(code or "", code or "–"))


def _d(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# A change of a share is counted in percentage points, but a level of it is a per cent: the
# comparison level of a metric counted in "procentenheter" is "70 %", not "70 procentenheter".
_POINT_UNITS = {"procentenheter", "procentenhet", "percentage points", "percentage point"}


def level_unit(unit: str) -> str:
    """The unit of a *level* of a metric whose improvements are counted in ``unit``."""
    return "%" if str(unit).strip().lower() in _POINT_UNITS else unit


def _pct(fraction: Decimal) -> str:
    return f"{num((fraction * 100).quantize(Decimal('0.1')))}\u00a0%"


def _strict(t: dict) -> bool:
    return t.get("inclusive", True) is False


def _threshold_level(t: dict, unit: str) -> str:
    value = _d(t.get("value")) or Decimal(0)
    if t.get("kind") == "relative":
        if _strict(t):
            return _("mer än %(pct)s av jämförelsevärdet") % {"pct": _pct(value)}
        return _("minst %(pct)s av jämförelsevärdet") % {"pct": _pct(value)}
    if _strict(t):
        return _("mer än %(value)s %(unit)s") % {"value": num(value), "unit": unit}
    return _("minst %(value)s %(unit)s") % {"value": num(value), "unit": unit}


def _measure_text(measure: dict, unit: str) -> str:
    per = _d(measure.get("per")) or Decimal(1)
    if measure.get("kind") == "ratio":
        return _(
            "Måttet är en kvot: resultatet anger täljaren (%(unit)s) och nämnaren, och jämförelsen är "
            "en kvot per %(per)s i nämnaren. Förbättringen räknas om till %(unit)s: jämförelsekvoten × "
            "nämnaren / %(per)s minus utfallet."
        ) % {"unit": unit, "per": num(per)}
    return _(
        "Måttet är en andel per %(per)s i varje kohort. Den räknas om till %(unit)s med kohortens "
        "storlek (andel × storlek / %(per)s), så när kohorter läggs ihop vägs de efter storlek."
    ) % {"unit": unit, "per": num(per)}


def _steps_text(steps: dict, unit: str) -> str:
    parts = []
    for level in steps.get("levels") or []:
        t = {"kind": steps.get("kind"), "value": level.get("at"), "inclusive": steps.get("inclusive", True)}
        parts.append(
            _("%(amount)s vid %(level)s")
            % {"amount": kr(level.get("amount")), "level": _threshold_level(t, unit)}
        )
    return _(
        "Stegvisa klumpsummor per kohort och period: %(parts)s. Det högsta steg som nås betalas; "
        "beloppen läggs inte ihop."
    ) % {"parts": "; ".join(parts)}


def _bonus_text(bonus: dict, unit: str) -> str:
    over_contract = bonus.get("over") == "contract"
    if over_contract:
        text = _(
            "Extra del: %(pct)s av besparingen över hela kontraktet utöver %(above)s, prövad en gång och "
            "betald den sista perioden"
        ) % {"pct": _pct(_d(bonus.get("share")) or Decimal(0)), "above": kr(bonus.get("above"))}
    else:
        text = _("Extra del: %(pct)s av periodens besparing utöver %(above)s") % {
            "pct": _pct(_d(bonus.get("share")) or Decimal(0)),
            "above": kr(bonus.get("above")),
        }
    cond = bonus.get("condition") or {}
    if cond:
        where = _("över hela kontraktet") if over_contract else _("samma period")
        text += _(", om måttet '%(metric)s' %(where)s har förbättrats %(level)s") % {
            "metric": cond.get("metric"),
            "where": where,
            "level": _threshold_level(cond.get("threshold") or {}, _("enheter")),
        }
    if bonus.get("cap") not in (None, ""):
        text += _(", högst %(cap)s under kontraktet") % {"cap": kr(bonus["cap"])}
    return text + "."


def _pays(t: dict) -> str:
    if t.get("pays") == "above_threshold":
        return _("då betalas bara förbättringen utöver tröskeln")
    return _("då betalas hela förbättringen")


def describe_rule(rule: dict, unit: str = "", currency: str | None = None) -> list[str]:
    """Sentences in plain Swedish for a metric's price rule (the core's JSON form); amounts in the
    contract's ``currency``."""
    kr = _in(currency)
    unit = unit or _("enheter")
    out: list[str] = []
    kind = rule.get("kind", "improvement")
    cf = rule.get("counterfactual") or {}
    if cf:
        text = _("Jämförelse: %(kind)s") % {"kind": counterfactual_label(cf.get("kind"))}
        if cf.get("value") not in (None, ""):
            text += _(", %(value)s %(unit)s per period") % {
                "value": num(cf["value"]),
                "unit": level_unit(unit),
            }
        if cf.get("by_period"):
            text += _(", ett eget värde per period")
        if cf.get("by_cohort"):
            text += _(", ett eget värde per kohort")
        out.append(text + ".")
    if rule.get("measure"):
        out.append(_measure_text(rule["measure"], unit))
    if rule.get("direction") == "decrease":
        out.append(_("Det som räknas är hur mycket lägre utfallet blir än jämförelsen."))
    elif rule.get("direction") == "increase":
        out.append(_("Det som räknas är hur mycket högre utfallet blir än jämförelsen."))
    if rule.get("price") not in (None, ""):
        out.append(
            _("Varje enhet förbättring (%(unit)s) betalas med %(price)s.")
            % {"unit": unit, "price": kr(rule["price"])}
        )
    tiers = rule.get("tiers") or []
    if tiers:
        parts, start = [], Decimal(0)
        for t in tiers:
            up_to = _d(t.get("up_to"))
            if up_to is None:
                parts.append(_("över %(a)s: %(p)s per enhet") % {"a": num(start), "p": kr(t.get("price"))})
            else:
                parts.append(
                    _("%(a)s–%(b)s: %(p)s per enhet")
                    % {"a": num(start), "b": num(start + up_to), "p": kr(t.get("price"))}
                )
                start += up_to
        out.append(_("Priset är trappat: %(parts)s.") % {"parts": "; ".join(parts)})
    if rule.get("steps"):
        out.append(_steps_text(rule["steps"], unit))
    if rule.get("threshold"):
        t = rule["threshold"]
        out.append(
            _(
                "En period betalas bara om förbättringen är %(level)s; %(pays)s. "
                "Annars betalas inget för perioden."
            )
            % {"level": _threshold_level(t, unit), "pays": _pays(t)}
        )
    if rule.get("contract_threshold"):
        t = rule["contract_threshold"]
        when = rule.get("settlement_period") or _("sista perioden")
        out.append(
            _(
                "Över hela kontraktet: är den sammanlagda förbättringen %(level)s görs en slutavräkning "
                "(%(when)s) som betalar vad hela kontraktet ger minus det som perioderna redan betalat — "
                "så perioder som inte nådde sin egen tröskel kan ändå betalas i efterhand."
            )
            % {"level": _threshold_level(t, unit), "when": when}
        )
    if kind == "savings" and rule.get("share") not in (None, ""):
        out.append(
            _("Utföraren får %(pct)s av de uppmätta besparingarna.") % {"pct": _pct(_d(rule["share"]))}
        )
    if kind == "savings" and rule.get("bonus"):
        out.append(_bonus_text(rule["bonus"], unit))
    if rule.get("cap_per_period") not in (None, ""):
        cap = rule["cap_per_period"]
        if isinstance(cap, dict):
            out.append(
                _("Högst ett eget belopp per period: %(list)s.")
                % {"list": ", ".join(f"{k}: {kr(v)}" for k, v in cap.items())}
            )
        else:
            out.append(_("Högst %(cap)s per period.") % {"cap": kr(cap)})
    if rule.get("cap_total") not in (None, ""):
        out.append(_("Högst %(cap)s för måttet under hela kontraktet.") % {"cap": kr(rule["cap_total"])})
    return out


def _check(threshold: dict, improvement: Decimal, counterfactual: Decimal | None, unit: str) -> dict:
    value = _d(threshold.get("value")) or Decimal(0)
    if threshold.get("kind") == "relative":
        if counterfactual:
            required = value * counterfactual
            level = _("%(pct)s av %(cf)s = %(req)s %(unit)s") % {
                "pct": _pct(value),
                "cf": num(counterfactual),
                "req": num(required.normalize()),
                "unit": unit,
            }
            share = _(" (%(pct)s)") % {"pct": _pct(improvement / counterfactual)}
        else:
            required, level, share = None, _pct(value), ""
    else:
        required, level, share = value, f"{num(value)} {unit}", ""
    if required is None:
        met = False
    else:
        met = improvement > required if _strict(threshold) else improvement >= required
    return {"level": level, "share": share, "met": met}


def threshold_checks(
    rule: dict, unit: str, row: dict, earlier: list[dict], currency: str | None = None
) -> list[str]:
    """Sentences explaining the threshold checks of one metric in one period.

    ``row`` is the metric's entry in a payment line's calculation (the core's output); ``earlier``
    the same metric's entries in the earlier periods (same payer), oldest first.
    """
    kr = _in(currency)
    unit = unit or _("enheter")
    out: list[str] = []
    improvement = _d(row.get("improvement"))
    cf = _d(row.get("counterfactual"))
    t = rule.get("threshold")
    if t and improvement is not None:
        c = _check(t, improvement, cf, unit)
        if c["met"]:
            verdict = _("uppnådd: %(units)s %(unit)s betalas") % {
                "units": num(row.get("units_paid")),
                "unit": unit,
            }
        else:
            verdict = _("inte uppnådd: inget betalas för perioden")
        out.append(
            (
                _("Förbättring %(imp)s %(unit)s%(share)s; tröskel mer än %(level)s — %(verdict)s.")
                if _strict(t)
                else _("Förbättring %(imp)s %(unit)s%(share)s; tröskel minst %(level)s — %(verdict)s.")
            )
            % {
                "imp": num(improvement),
                "unit": unit,
                "share": c["share"],
                "level": c["level"],
                "verdict": verdict,
            }
        )
    settlement = _d(row.get("settlement")) or Decimal(0)
    ct = rule.get("contract_threshold")
    if ct and settlement > 0:
        rows = [*earlier, row]
        total_imp = sum((_d(r.get("improvement")) or Decimal(0) for r in rows), Decimal(0))
        total_cf = sum((_d(r.get("counterfactual")) or Decimal(0) for r in rows), Decimal(0))
        c = _check(ct, total_imp, total_cf or None, unit)
        already = sum((_d(r.get("amount_before_caps")) or Decimal(0) for r in rows), Decimal(0)) - settlement
        unpaid = [
            f"{r.get('period')} ({num(r.get('improvement'))} {unit})"
            for r in earlier
            if (_d(r.get("improvement")) or Decimal(0)) > 0 and (_d(r.get("units_paid")) or Decimal(0)) == 0
        ]
        out.append(
            _(
                "Slutavräkning över hela kontraktet: förbättring %(imp)s %(unit)s%(share)s; tröskel minst "
                "%(level)s — uppnådd. Hela kontraktet ger %(entitled)s; "
                "perioderna har redan gett %(already)s; "
                "slutavräkningen är skillnaden, %(settlement)s (före tak)."
            )
            % {
                "imp": num(total_imp),
                "unit": unit,
                "share": c["share"],
                "level": c["level"],
                "entitled": kr(already + settlement),
                "already": kr(already),
                "settlement": kr(settlement),
            }
        )
        if unpaid:
            out.append(
                _(
                    "Det täcker förbättring som inte betalades när den mättes eftersom periodens "
                    "tröskel inte nåddes: %(list)s."
                )
                % {"list": ", ".join(unpaid)}
            )
    return out
