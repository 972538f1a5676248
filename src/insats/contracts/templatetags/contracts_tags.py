"""Template helpers of the contract pages: exact kronor, per cent, and the contract sub-navigation.

``{% include "contracts/_subnav.html" %}`` (with ``contract`` and ``active`` in the context) shows
the contract's tabs; a tab appears only when its URL name exists and the actor holds its ability
on this contract, so C2's and C3's pages join the navigation as soon as their URLs exist.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from insats.accounts import access
from insats.platform import formatting

register = template.Library()

NBSP = "\u00a0"

# (key, label, URL name, ability) — in the order of the contract's life.
TABS = [
    ("overview", _("Översikt"), "contracts:detail", "contract.view"),
    ("parties", _("Parter och kohorter"), "contracts:parties", "contract.view"),
    ("metrics", _("Utfallsmått och priser"), "contracts:metrics", "contract.view"),
    ("financing", _("Finansiering"), "contracts:financing", "contract.view"),
    ("business_case", _("Affärscase"), "contracts:business_case", "contract.business_case.view"),
    ("results", _("Resultat"), "contracts:results", "contract.result.view"),
    ("payments", _("Betalningar"), "contracts:payments", "contract.payment.view"),
    ("ledger", _("Fondens bokföring"), "contracts:ledger", "contract.ledger.view"),
    ("changes", _("Ändringar och versioner"), "contracts:changes", "contract.view"),
    ("actions", _("Handlingsplan"), "contracts:actions", "contract.view"),
    ("dashboard", _("Lägesöversikt"), "contracts:dashboard", "contract.view"),
    ("export", _("Export"), "contracts:exports", "contract.export"),
]


def tabs_for(actor, contract) -> list[dict]:
    out = []
    for key, label, url_name, ability in TABS:
        try:
            url = reverse(url_name, kwargs={"pk": contract.pk})
        except NoReverseMatch:
            continue
        if ability not in access.RULES or not access.can(actor, ability, contract):
            continue
        out.append({"key": key, "label": label, "url": url})
    return out


@register.inclusion_tag("contracts/_subnav_items.html", takes_context=True)
def contract_subnav(context, contract, active=""):
    actor = context.get("actor") or access.actor_for(context["request"])
    return {"tabs": tabs_for(actor, contract), "active": active, "contract": contract}


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def group(number: str) -> str:
    """'1250000' → '1 250 000' (non-breaking spaces)."""
    return formatting.format_number(number, trim=True)


@register.filter
def kr(value, arg: int | str = 2, currency: str | None = None) -> str:
    """An amount, exact: ``1250000.5`` → ``1 250 000,50 kr``. No float on the way. ``arg`` is the
    decimals or the contract's currency (``{{ x|kr:contract.currency }}`` → ``1 250 000,50 EUR``)."""
    from insats.platform.templatetags.insats_numbers import money_arg

    decimals, code = money_arg(arg)
    d = _decimal(value)
    return formatting.format_money(d, decimals, currency=currency or code) if d is not None else "–"


@register.filter
def num(value) -> str:
    """A measured value without trailing zeros: ``42.500`` → ``42,5``."""
    return formatting.format_number(_decimal(value), trim=True)


@register.filter
def percent(value) -> str:
    """A fraction as per cent: ``0.25`` → ``25 %``."""
    return formatting.format_percent(_decimal(value))


CAP_LABELS = {
    "participant": _("tak per deltagare"),
    "tranche": _("tak för besparingsdelen"),
    "bonus_tranche": _("tak för extra delen"),
    "metric_period": _("måttets periodtak"),
    "metric_total": _("måttets tak för kontraktet"),
    "contract_period": _("kontraktets periodtak"),
    "contract_total": _("kontraktets totala tak"),
    "payer": _("betalarens tak"),
}


@register.filter
def cap_label(code: str) -> str:
    """The plain-Swedish name of a cap the payment engine reports (``metric_total`` …)."""
    return str(CAP_LABELS.get(code, code))


@register.filter
def counterfactual_label(code: str) -> str:
    """``baseline`` → 'historisk nivå' (the kinds of counterfactual in plain Swedish)."""
    from insats.contracts.rule_text import counterfactual_label as label

    return label(code)


@register.filter
def source_label(code: str) -> str:
    """How a result came in: ``form`` → 'formulär', ``import``, ``api``."""
    from insats.contracts.rule_text import source_label as label

    return label(code)


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
