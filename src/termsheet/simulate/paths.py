"""Simulated futures: correlated lognormal yearly paths and event dates, one chunk at a time.

A stream's level in year ``y`` (1 = the horizon's first year) is
``start * prod_{k<=y} (1 + g_k) * exp(sigma * z_k - sigma**2 / 2)`` with ``z`` standard normal and
correlated across streams, so ``E[level_y] = start * prod_{k<=y} (1 + g_k)``: ``growth`` is the
mean yearly growth and ``volatility`` the standard deviation of log growth. For revenue, ``start``
is the revenue of the year before the horizon and the level is a year's revenue; for a value it
is today's value and the level is the value at the end of year ``y``.

Drawn events happen on the first day of a month (revenue arrives in monthly rows): an event with
a probability ``p_y`` for year ``y`` happens in the first year whose uniform draw falls below
``p_y``, in a month drawn uniformly; an event ``on`` a date happens that day. An event is carried
as its day, counted from the horizon's first day (the day after the horizon when it does not
happen within it).

Each chunk of futures has its own generators, ``SeedSequence(seed, spawn_key=(chunk, kind))``, and
the draws never depend on parameter values: the same seed gives the same numbers, and a sensitivity
run changes a parameter, never the luck.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from decimal import Decimal

import numpy as np

from .model import Scenario

CHUNK = 25_000


@dataclass(frozen=True)
class PathModel:
    """A scenario's processes in float form, ready to draw."""

    names: tuple[str, ...]
    starts: np.ndarray          # (P,)
    growth: np.ndarray          # (P, Y) mean growth of each year
    volatility: np.ndarray      # (P,)
    loading: np.ndarray | None  # (P, P), z = loading @ e; None when uncorrelated
    events: tuple[tuple[str, np.ndarray | None, int], ...]  # name, yearly p (or None), fixed day
    first_year: int
    years: int
    seed: int

    @property
    def months(self) -> int:
        return 12 * self.years

    @property
    def month_starts(self) -> np.ndarray:
        return calendar(self.first_year, self.years)[0]


@dataclass(frozen=True)
class Chunk:
    """The draws of one chunk of futures."""

    index: int
    size: int
    levels: dict[str, np.ndarray]   # stream -> (n, Y)
    events: dict[str, np.ndarray]   # event -> (n,) its day (the day after the horizon: never)


def day_offset(day: date, first_year: int) -> int:
    """Days from the horizon's first day (1 January of ``first_year``) to ``day``."""
    return (day - date(first_year, 1, 1)).days


@lru_cache(maxsize=16)
def calendar(first_year: int, years: int) -> tuple[np.ndarray, np.ndarray]:
    """The day offsets of every month's and every year's first day, and of the day after the
    horizon (the last item of each)."""
    starts = np.array([day_offset(date(first_year + m // 12, m % 12 + 1, 1), first_year)
                       for m in range(12 * years + 1)], dtype=np.int64)
    return starts, starts[::12]


def yearly(values, years: int) -> np.ndarray:
    """A number, or a list whose last item repeats, as one float per year."""
    items = list(values) if isinstance(values, tuple) else [values]
    items += [items[-1]] * max(0, years - len(items))
    return np.array([float(v) for v in items[:years]], dtype=np.float64)


def correlation_matrix(scenario: Scenario) -> tuple[np.ndarray, float]:
    """The streams' correlation matrix and its least eigenvalue."""
    names = list(scenario.streams)
    matrix = np.eye(len(names))
    for a, b, rho in scenario.correlations:
        i, j = names.index(a), names.index(b)
        matrix[i, j] = matrix[j, i] = float(rho)
    return matrix, float(np.linalg.eigvalsh(matrix).min())


def compile_paths(scenario: Scenario) -> PathModel:
    years = scenario.horizon
    names = tuple(scenario.streams)
    streams = [scenario.streams[n] for n in names]
    loading = None
    if scenario.correlations:
        matrix, _ = correlation_matrix(scenario)
        values, vectors = np.linalg.eigh(matrix)
        loading = vectors * np.sqrt(np.clip(values, 0, None))
    events = []
    after = int(calendar(scenario.first_year, years)[0][-1])
    for name, law in scenario.events.items():
        if law.per_year is not None:
            events.append((name, yearly(law.per_year, years), after))
        elif law.on is not None:
            events.append((name, None, day_offset(law.on, scenario.first_year)))
        else:
            events.append((name, None, after))
    return PathModel(
        names=names,
        starts=np.array([float(s.start) for s in streams]),
        growth=np.array([yearly(s.growth, years) for s in streams]).reshape(len(names), years),
        volatility=np.array([float(s.volatility) for s in streams]),
        loading=loading, events=tuple(events), first_year=scenario.first_year, years=years,
        seed=scenario.seed)


def chunk_sizes(futures: int, size: int = CHUNK) -> list[int]:
    return [min(size, futures - start) for start in range(0, futures, size)]


def generator(seed: int, index: int, stream: int) -> np.random.Generator:
    key = (index, stream)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def draw(model: PathModel, index: int, n: int) -> Chunk:
    """Chunk ``index`` of ``n`` futures: every stream's yearly levels and every event's month.

    Draws are laid out future by future, each kind from its own generator, so a shorter last
    chunk holds the first futures of a full one: fewer futures are the first futures."""
    count, years, kinds = len(model.names), model.years, len(model.events)
    shocks = generator(model.seed, index, 0).standard_normal((n, count, years), dtype=np.float32)
    if model.loading is not None:
        shocks = np.matmul(model.loading.astype(np.float32), shocks)
    levels = {}
    for p, name in enumerate(model.names):
        sigma = model.volatility[p]
        if sigma:
            # single precision for the random factor, like the shocks; double from here on
            noise = np.exp(shocks[:, p] * np.float32(sigma) - np.float32(sigma * sigma / 2))
            factor = noise.astype(np.float64)
        else:
            factor = np.ones((n, years))
        factor *= 1 + model.growth[p]
        levels[name] = model.starts[p] * np.cumprod(factor, axis=1)
    uniforms = generator(model.seed, index, 1).random((n, kinds, years), dtype=np.float32)
    in_month = generator(model.seed, index, 2).integers(0, 12, size=(n, kinds), dtype=np.int32)
    events = {}
    starts = model.month_starts
    for e, (name, chances, fixed) in enumerate(model.events):
        if chances is None:
            events[name] = np.full(n, fixed, dtype=np.int64)
            continue
        hit = uniforms[:, e] < chances.astype(np.float32)
        first = hit.argmax(axis=1)
        happens = hit[np.arange(n), first]
        month = np.where(happens, 12 * first + in_month[:, e], model.months)
        events[name] = starts[month]
    return Chunk(index, n, levels, events)


def expected_level(start: Decimal | float, growth, years: int) -> np.ndarray:
    """The closed-form mean of a stream's level in each year: start * prod (1 + g)."""
    return float(start) * np.cumprod(1 + yearly(growth, years))
