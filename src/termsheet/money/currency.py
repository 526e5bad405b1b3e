"""Currencies and the one rounding of a settlement.

Which codes are currencies, and their minor units, come from the Unicode CLDR data that Babel
ships: a code is a currency when CLDR lists it as legal tender in some territory with no end date,
or as one of ISO 4217's fund codes (USN, CLF, UYI...). Precious metals, drawing rights and the
testing codes (XAU, XDR, XTS, XXX) and the offshore CNH are not settlement currencies. A code
that is not a currency is unknown and the row carrying it is quarantined.

Minor units are CLDR's digits except where ISO 4217, which invoices and settles, says otherwise
(``ISO_MINOR_UNITS``: CLDR shows a dozen currencies without decimals that ISO gives two or three).
Amounts are rounded once, at the statement line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import cache

# ISO 4217 fund codes: not tender anywhere, yet ISO currencies that contracts price in.
FUNDS = frozenset("BOV CHE CHW CLF COU MXV USN UYI UYW VED".split())
# ISO 4217 minor units where CLDR's digits (made for display) differ: settlement follows ISO.
ISO_MINOR_UNITS = {"AFN": 2, "ALL": 2, "IQD": 3, "IRR": 2, "KPW": 2, "LAK": 2, "LBP": 2,
                   "MGA": 2, "MMK": 2, "RSD": 2, "SOS": 2, "SYP": 2, "YER": 2}


class _Currencies(Mapping[str, int]):
    """Code -> minor unit (decimals) for every settlement currency; read from Babel on first
    use, so that a command that never meets money does not load CLDR."""

    @staticmethod
    @cache
    def _table() -> dict[str, int]:
        from babel.core import get_global
        from babel.numbers import get_currency_precision
        codes = set(FUNDS)
        for spans in get_global("territory_currencies").values():
            codes.update(code for code, _start, end, tender in spans if tender and end is None)
        return {code: ISO_MINOR_UNITS.get(code, get_currency_precision(code))
                for code in sorted(codes)}

    def __getitem__(self, code: str) -> int:
        return self._table()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())

    def __contains__(self, code: object) -> bool:
        return code in self._table()


CURRENCIES: Mapping[str, int] = _Currencies()

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
