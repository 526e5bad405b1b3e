"""Money for a reader: amounts with their currency's symbol, at its minor unit, or compact ($38B,
€1.2M, US$380亿), in English or Chinese, from the Unicode CLDR data through Babel.

The number of decimals shown is the ISO 4217 minor unit that settlement rounds to
(:func:`termsheet.money.currency.minor_unit`), not CLDR's display digits, which differ for a
dozen currencies (CLDR shows IQD and RSD without decimals); a statement shows what was settled.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache

from .currency import CURRENCIES

LOCALES = {"en": "en", "zh": "zh_Hans_CN"}


def _locale(lang: str) -> str:
    return LOCALES.get(lang, lang)


def digits(currency: str) -> int:
    """The currency's minor unit, as a number of decimals (2 for USD, 0 for JPY)."""
    return CURRENCIES.get(currency, 2)


@lru_cache(maxsize=256)
def symbol(currency: str, lang: str = "en") -> str:
    """$ for USD in English, US$ in Chinese; € for EUR; the code for a currency without one."""
    from babel.numbers import get_currency_symbol
    return get_currency_symbol(currency, locale=_locale(lang))


def money(amount: Decimal | float | int, currency: str, lang: str = "en",
          sign: bool = False) -> str:
    """An amount with its symbol at the currency's minor unit: $1,234.50, ¥1,235, €-3.00."""
    from babel.numbers import format_currency
    value, digits_pattern = _at_minor_unit(amount, currency)
    pattern = "¤" + digits_pattern
    if sign:
        pattern = f"+{pattern};-{pattern}"
    return format_currency(value, currency, format=pattern,
                           locale=_locale(lang), currency_digits=False)


def number(amount: Decimal | float | int, currency: str, lang: str = "en") -> str:
    """An amount without its symbol, grouped, at the currency's minor unit: 1,234.50 (USD),
    1,235 (JPY), 5.000 (KWD); for tables whose column or line names the currency."""
    from babel.numbers import format_decimal
    value, pattern = _at_minor_unit(amount, currency)
    return format_decimal(value, format=pattern, locale=_locale(lang), decimal_quantization=False)


def _at_minor_unit(amount: Decimal | float | int, currency: str) -> tuple[Decimal, str]:
    """The amount rounded half-up to the currency's minor unit, and the CLDR number pattern that
    shows it grouped with those decimals (#,##0.00 for USD, #,##0 for JPY)."""
    places = digits(currency)
    value = Decimal(str(amount)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return value, "#,##0" + ("." + "0" * places if places else "")


def rounded(amount: Decimal | float | int, currency: str, lang: str = "en") -> str:
    """An estimate in whole units with its symbol ($12,345; €-950); from a million on, compact
    ($1.2M, US$380亿): simulated values are not settled amounts."""
    from babel.numbers import format_currency
    value = Decimal(str(amount))
    if abs(value) >= Decimal("999500"):
        return compact(value, currency, lang, 1)
    return format_currency(value.quantize(Decimal(1), rounding=ROUND_HALF_UP), currency,
                           format="¤#,##0", locale=_locale(lang), currency_digits=False)


def compact(amount: Decimal | float | int, currency: str, lang: str = "en",
            fraction_digits: int = 1) -> str:
    """A short amount: $38B, €1.2M, ¥950 (en); US$380亿, €125万 (zh)."""
    from babel.numbers import format_compact_currency
    value = Decimal(str(amount))
    text = format_compact_currency(abs(value), currency, locale=_locale(lang),
                                   fraction_digits=fraction_digits)
    return f"−{text}" if value < 0 else text


def exact(amount: Decimal | int, currency: str = "", lang: str = "en") -> str:
    """An amount as a term writes it, grouped and never rounded: a whole amount without decimals
    (38,000,000,000), any other with at least the currency's minor unit and every digit it has
    (1,234.50 USD; 1.2345 KWD; 1,234.5 JPY, a term's figure that no statement line rounds yet)."""
    from babel.numbers import format_decimal
    value = Decimal(amount)
    if value == value.to_integral_value():
        pattern = "#,##0"
    else:
        places = digits(currency) if currency else 2
        pattern = "#,##0" + "." + "0" * places + "#" * 24
    with localcontext() as context:  # room for every digit a term may carry
        context.prec = 80
        return format_decimal(value, format=pattern, locale=_locale(lang),
                              decimal_quantization=False)


# Amounts from which prose names them in words: a million in English, ten thousand (万) in Chinese.
WORDS_FROM = {"en": Decimal(1_000_000), "zh": Decimal(10_000)}


def words(amount: Decimal | int, currency: str, lang: str = "en") -> str:
    """An amount in a sentence, exact: USD 38 billion, USD 1.5 million, USD 12,345.67 (en);
    380亿美元, 1.2345万欧元 (zh). Large amounts are named in CLDR's words when they say the amount
    exactly (within three decimals of the word in English, four in Chinese); any other is written
    out whole, at least to the minor unit."""
    from babel.numbers import format_compact_decimal, get_currency_name
    value = Decimal(amount)
    text = None
    if abs(value) >= WORDS_FROM.get(lang, WORDS_FROM["en"]):
        kind, places = ("short", 4) if lang == "zh" else ("long", 3)
        with localcontext() as context:
            context.prec = 80
            named = format_compact_decimal(value, format_type=kind, locale=_locale(lang),
                                           fraction_digits=places)
            finer = format_compact_decimal(value, format_type=kind, locale=_locale(lang),
                                           fraction_digits=places + 24)
        if named == finer:  # more decimals would show nothing more: the words are exact
            text = named
    text = text or exact(value, currency, lang)
    if lang == "zh":
        return f"{text}{get_currency_name(currency, locale=_locale(lang))}"
    return f"{currency} {text}"


def plain(amount: Decimal, currency: str) -> str:
    """The amount as plain text at the currency's minor unit, for files (CSV, JSON): no symbol,
    no grouping, never an exponent (``0E-20`` is ``0.00``)."""
    places = digits(currency)
    return format(Decimal(amount).quantize(Decimal(1).scaleb(-places)), "f")


def tick_labels(values: list[float], currency: str, lang: str = "en") -> list[str]:
    """Compact labels for chart ticks, with as many decimals as it takes to tell them apart
    ($1M $1.2M $1.4M, not $1M $1M $1M)."""
    labels = [compact(v, currency, lang, 0) for v in values]
    for places in range(1, 4):
        finer = [compact(v, currency, lang, places) for v in values]
        if finer == labels:  # one more decimal tells nothing new: these are exact
            break
        labels = finer
    return labels


def formatter(currency: str, lang: str = "en"):
    """A Matplotlib tick formatter for money in ``currency`` (imports Matplotlib): the ticks of
    an axis are labelled together, with the decimals it takes to tell them apart."""
    from matplotlib.ticker import Formatter

    class MoneyTicks(Formatter):
        def format_ticks(self, values) -> list[str]:
            return tick_labels([float(v) for v in values], currency, lang)

        def __call__(self, x: float, pos: int | None = None) -> str:
            return compact(x, currency, lang, 2)

    return MoneyTicks()
