"""What a simulation found: per version and party, flows by year, NPV, equity, commitments; for
two versions, the difference per future. Summary records are frozen; samples stay NumPy."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

PERCENTILES = (5, 25, 50, 75, 95)


@dataclass(frozen=True, slots=True)
class Spread:
    """The mean and the 5th, 25th, 50th, 75th and 95th percentiles of a quantity."""

    mean: float
    p5: float
    p25: float
    p50: float
    p75: float
    p95: float

    @classmethod
    def of(cls, values: np.ndarray) -> "Spread":
        points = np.percentile(values, PERCENTILES)
        return cls(float(np.mean(values, dtype=np.float64)), *(float(p) for p in points))

    @classmethod
    def columns(cls, values: np.ndarray, means: np.ndarray | None = None) -> tuple["Spread", ...]:
        """One Spread per column of a (futures, years) array (``means``: if known better)."""
        points = np.percentile(values, PERCENTILES, axis=0)
        if means is None:
            means = values.mean(axis=0, dtype=np.float64)
        return tuple(cls(float(means[j]), *(float(p) for p in points[:, j]))
                     for j in range(values.shape[1]))

    @classmethod
    def constant(cls, value: float) -> "Spread":
        return cls(value, value, value, value, value, value)


@dataclass(frozen=True)
class PartyOutcome:
    """One party under one version. ``value`` = ``npv`` of cash flows + ``equity``."""

    party: str
    value: Spread
    npv: Spread
    equity: Spread | None          # present value of the stakes held at the horizon's end
    equity_now: float | None       # the same stakes at today's value
    commitments: float             # present value of committed spend: + received, - spent
    flows: tuple[Spread, ...]      # net cash flow of each year
    clauses: dict[str, float]      # clause -> mean present value of its flows to the party


@dataclass(frozen=True)
class VersionOutcome:
    version: str
    parties: tuple[PartyOutcome, ...]

    def party(self, party_id: str) -> PartyOutcome:
        return next(p for p in self.parties if p.party == party_id)


@dataclass(frozen=True)
class Difference:
    """``other`` minus ``base`` in each future, for one party's value."""

    party: str
    base: str
    other: str
    change: Spread
    p_gain: float
    p_loss: float
    p_same: float

    @property
    def gainer(self) -> str:
        return "gains" if self.change.mean > 0 else ("loses" if self.change.mean < 0 else "same")


@dataclass(frozen=True)
class Simulation:
    scenario: str
    agreement: str
    versions: tuple[str, ...]
    parties: tuple[str, ...]
    futures: int
    seed: int
    first_year: int
    years: tuple[int, ...]
    discount_rate: float
    outcomes: tuple[VersionOutcome, ...]
    differences: tuple[Difference, ...]
    notes: tuple[str, ...] = ()
    currency: str = "USD"  # the agreement's: every amount is in it
    # value and NPV per future, keyed (version, party): for charts; not part of to_dict()
    samples: dict[tuple[str, str], dict[str, np.ndarray]] = field(default_factory=dict,
                                                                  repr=False, compare=False)

    # notebooks: a short repr, the NPV and value per version and party, as HTML, Arrow, pandas

    def __repr__(self) -> str:
        return (f"<Simulation {self.scenario} of {self.agreement}: {self.futures:,} futures, "
                f"{self.years[0]}–{self.years[-1]}, versions {', '.join(self.versions)}, "
                f"{self.currency}>")

    def party_rows(self) -> list[dict[str, Any]]:
        return [{"version": o.version, "party": p.party, "npv mean": p.npv.mean,
                 "npv p5": p.npv.p5, "npv p50": p.npv.p50, "npv p95": p.npv.p95,
                 "value mean": p.value.mean, "currency": self.currency}
                for o in self.outcomes for p in o.parties]

    def _repr_html_(self) -> str:
        from ..agreement.tables import html_table
        return html_table(self.party_rows(), repr(self)[1:-1])

    def to_arrow(self):
        from ..agreement.tables import to_arrow
        return to_arrow(self.party_rows())

    def to_pandas(self):
        from ..agreement.tables import to_pandas
        return to_pandas(self.party_rows())

    def outcome(self, version: str) -> VersionOutcome:
        return next(o for o in self.outcomes if o.version == version)

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "samples"}
        data["assumption"] = ("each version is applied as if it governed the whole horizon; "
                              "values are present values at the horizon's start")
        return data


def difference(party: str, base: str, other: str, before: np.ndarray,
               after: np.ndarray) -> Difference:
    change = after - before
    # Differences within a cent of zero are rounding in the sums, not a gain.
    tolerance = 0.005 + 1e-12 * np.maximum(np.abs(before), np.abs(after))
    gain = float(np.mean(change > tolerance))
    loss = float(np.mean(change < -tolerance))
    return Difference(party, base, other, Spread.of(change), gain, loss,
                      float(np.mean(np.abs(change) <= tolerance)))
