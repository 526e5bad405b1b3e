"""Currencies and the one rounding of a settlement.

ISO 4217 codes in use, with their minor units (decimals). A code that is not here is unknown and the
row carrying it is quarantined. Amounts are rounded once, at the statement line.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

_ZERO = ("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF").split()
_THREE = "BHD IQD JOD KWD LYD OMR TND".split()
_FOUR = "CLF UYW".split()
_TWO = """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL
MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP
PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP
TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG""".split()

CURRENCIES: dict[str, int] = {
    **{code: 2 for code in _TWO}, **{code: 0 for code in _ZERO},
    **{code: 3 for code in _THREE}, **{code: 4 for code in _FOUR},
}

ROUNDING = {"half-up": ROUND_HALF_UP, "half-even": ROUND_HALF_EVEN}


def minor_unit(currency: str) -> Decimal:
    """0.01 for USD, 1 for JPY, 0.001 for KWD."""
    return Decimal(1).scaleb(-CURRENCIES.get(currency, 2))


def round_money(amount: Decimal, currency: str, rounding: str = "half-up") -> Decimal:
    """An amount to the currency's minor unit, by a rule of ``ROUNDING`` (an unknown rule is a
    bug: the document's checks allow only these)."""
    return amount.quantize(minor_unit(currency), rounding=ROUNDING[rounding])


def rounding_note(currency: str, rounding: str = "half-up") -> str:
    return (f"amounts rounded {rounding} to {minor_unit(currency)} {currency} once, at the "
            f"statement line; the remainder carries to the clause's next line, so totals never "
            f"drift")
