"""Currencies: the ISO 4217 code a contract states, and which of them the core can compute in.

Money in the core is ``Decimal`` rounded to hundredths of the unit (öre, cent, øre, penny):
:mod:`insats.core.money` rounds to ``0.01`` everywhere and the vectorised engines count integer
hundredths. A currency is therefore **supported when its minor unit is a hundredth** (ISO 4217
"minor units" = 2) — SEK, EUR, NOK, DKK, GBP, USD, CHF and most others. Currencies with 0 minor
units (ISK, JPY, KRW, …) or 3 (BHD, KWD, OMR, TND, …) are refused with a clear message, as are
codes that are not in ISO 4217 at all: rounding them to hundredths would not be exact money.

``SEK`` is the default wherever a currency may be omitted.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

DEFAULT = "SEK"

#: ISO 4217 active codes (list one, 2024) → minor units. Funds and precious metals are left out.
_TWO = (  # noqa: SIM905 (a table: easier to read and check as text)
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN "
    "BZD CAD CDF CHF CNY COP CRC CUP CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP "
    "GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD "
    "LSL MAD MDL MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PEN PGK "
    "PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL "
    "THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD YER ZAR ZMW ZWL"
).split()
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split()  # noqa: SIM905
_THREE = "BHD IQD JOD KWD LYD OMR TND".split()  # noqa: SIM905
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_TWO, 2),
    **dict.fromkeys(_ZERO, 0),
    **dict.fromkeys(_THREE, 3),
}

#: the codes the core computes in (minor unit = a hundredth), sorted
SUPPORTED: tuple[str, ...] = tuple(sorted(c for c, units in MINOR_UNITS.items() if units == 2))


def problem(code: str) -> str | None:
    """Why ``code`` cannot be a contract's currency, or None when it can."""
    if code not in MINOR_UNITS:
        return f"{code!r} is not an ISO 4217 currency code (e.g. SEK, EUR, NOK)"
    units = MINOR_UNITS[code]
    if units != 2:
        return (
            f"{code} has {units} decimals (ISO 4217 minor units); Insats computes money exactly in "
            "hundredths and supports only currencies with two decimals, such as SEK, EUR, NOK, DKK"
        )
    return None


def _normalise(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _check(code: str) -> str:
    message = problem(code)
    if message:
        raise ValueError(message)
    return code


#: a pydantic field type: an ISO 4217 code with two minor units, upper-cased, default SEK
Currency = Annotated[
    str,
    BeforeValidator(_normalise),
    AfterValidator(_check),
    Field(
        min_length=3,
        max_length=3,
        description="ISO 4217 currency code of every amount (default SEK). Only currencies with two "
        "decimals (minor units) are supported; ISK, JPY, KWD and the like are refused.",
    ),
]
