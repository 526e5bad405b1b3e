"""The money rules of a revenue share, written once for every backend.

Settlement evaluates them on Ibis columns (DuckDB or Spark), simulation on NumPy arrays, tests on
plain Decimals. Each rule is elementwise: running totals (``*_before``) are computed by the caller
with its own backend (an Ibis window, ``numpy.cumsum``, a loop), and the rule only needs ``least``,
``greatest`` and ``where`` from an :class:`Ops`.

Definitions, for one clause and one settlement period:

- ``volume_before``: the base already counted in the tier window before this period (0 when tiers
  count per period; the clause's base so far when they count life-to-date).
- marginal tiers: each band's rate applies to the part of this period's base that falls inside
  the band, given ``volume_before``.
- whole-volume tiers: the rate of the highest band reached by ``volume_before + base`` applies to
  the whole of this period's base.
- caps: with ``due_before`` the uncapped amount due before this period within the cap's window,
  ``paid = least(cap, due_before + due) - least(cap, due_before)``: payments never exceed the cap,
  the period that crosses it pays the remainder, later periods nothing. A per-quarter cap's window
  is the contract quarter, a per-year cap's the contract year (both from ``year-start``), a total
  cap's the clause's life. The per-quarter cap applies first, then the per-year, then the total
  (the order and the true-ups between them: ``money/compile.py``).
- minimum per quarter or per year: a true-up at the window's end of
  ``greatest(minimum - paid_in_window, 0)``.

Constants (rates, thresholds, caps) enter a backend through ``Ops.constant`` when it is given. Ibis
needs it: a bare ``Decimal`` becomes a literal of a default decimal type (DuckDB's DECIMAL(18,3)
would turn 12.3456% into 12.3%, Spark's DECIMAL(38,18) gives a different result type), so
``ibis_ops()`` makes every constant a DECIMAL(38,10) literal and both engines compute the same exact
amounts. Without ``constant`` (NumPy, Decimal) the old behaviour holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Sequence

from ..agreement.model import Band


@dataclass(frozen=True)
class Ops:
    """Elementwise minimum, maximum and choice for one backend."""

    least: Callable[[Any, Any], Any]
    greatest: Callable[[Any, Any], Any]
    where: Callable[[Any, Any, Any], Any]
    constant: Callable[[Decimal], Any] | None = None
    # The backend's own number types: a value of one passes through as it is (a column of
    # rates, an array of per-future amounts).
    native: tuple[type, ...] = ()
    # Whether the backend computes in floats (the simulation): Decimal constants become floats.
    floats: bool = False


DECIMAL_OPS = Ops(least=min, greatest=max, where=lambda c, a, b: a if c else b)


def numpy_ops() -> Ops:
    import numpy as np
    return Ops(least=np.minimum, greatest=np.maximum, where=np.where,
               native=(np.ndarray, np.generic), floats=True)


def ibis_ops() -> Ops:
    import ibis
    import ibis.expr.datatypes as dt
    money = dt.Decimal(38, 10)
    scale = Decimal("1e-10")

    def constant(value: Decimal) -> Any:
        # DECIMAL(38,10) holds ten places: a constant with more (a minimum prorated by days)
        # is rounded half-up to them, as every amount read from the data is.
        if isinstance(value, Decimal):
            value = value.quantize(scale, rounding=ROUND_HALF_UP)
        return ibis.literal(value, type=money)

    return Ops(least=ibis.least, greatest=ibis.greatest,
               where=lambda c, a, b: ibis.ifelse(c, a, b), constant=constant,
               native=(ibis.expr.types.Value,))


def _clamp(ops: Ops, value: Any, low: Any, high: Any | None) -> Any:
    value = ops.greatest(value, low)
    return value if high is None else ops.least(value, high)


def _number(value: Decimal, like: Any, ops: Ops | None = None) -> Any:
    """A Decimal constant in the backend's own number type (floats only inside simulation).

    A float or a NumPy array is already a simulation's number and passes through: the
    simulation gives per-future amounts, such as a minimum prorated to the days in force. An Ibis
    value passes through too: settlement applies the rates of many clauses from one column."""
    native = ops.native if ops is not None else ()
    if isinstance(value, (float, *native)):
        return value
    if ops is not None and ops.constant is not None:
        return ops.constant(value)
    floats = isinstance(like, float) or (ops is not None and ops.floats)
    return float(value) if floats else value


def marginal_tiers(ops: Ops, base: Any, volume_before: Any, bands: Sequence[Band]) -> Any:
    """Amount due on ``base`` under marginal bands, ``volume_before`` already counted."""
    after = volume_before + base
    total = None
    for index, band in enumerate(bands):
        low = _number(band.above, base, ops)
        high = _number(bands[index + 1].above, base, ops) if index + 1 < len(bands) else None
        inside = _clamp(ops, after, low, high) - _clamp(ops, volume_before, low, high)
        part = inside * _number(band.rate, base, ops)
        total = part if total is None else total + part
    return total


def whole_volume_tiers(ops: Ops, base: Any, volume_before: Any, bands: Sequence[Band]) -> Any:
    """Amount due on ``base`` at the rate of the highest band that the volume reaches."""
    after = volume_before + base
    rate = _number(bands[0].rate, base, ops)
    for band in bands[1:]:
        rate = ops.where(after >= _number(band.above, base, ops), _number(band.rate, base, ops),
                         rate)
    return base * rate


def flat(base: Any, rate: Decimal, ops: Ops | None = None) -> Any:
    return base * _number(rate, base, ops)


def capped(ops: Ops, due: Any, due_before: Any, cap: Decimal | None) -> Any:
    """What is paid of ``due`` when ``due_before`` was already due inside the cap's window."""
    if cap is None:
        return due
    limit = _number(cap, due, ops)
    return ops.least(limit, due_before + due) - ops.least(limit, due_before)


def minimum_true_up(ops: Ops, paid_in_year: Any, minimum: Decimal | None) -> Any:
    """The year-end top-up that brings a year's payments to the minimum (never negative)."""
    if minimum is None:
        return paid_in_year * 0
    return ops.greatest(_number(minimum, paid_in_year, ops) - paid_in_year, paid_in_year * 0)
