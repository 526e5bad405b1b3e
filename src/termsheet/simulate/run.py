"""simulate(history, scenario): draw the futures chunk by chunk, apply each version, summarise.

Chunks of :data:`~termsheet.simulate.paths.CHUNK` futures run on a small thread pool (NumPy
releases the interpreter lock inside its loops); each chunk writes its own rows of the result
arrays, so memory holds one chunk's working arrays per thread plus the per-future results.
"""

from __future__ import annotations

import dataclasses

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..agreement.problems import Problem, TermsheetError
from ..money.compile import fold
from .checks import check_against
from .engine import discount_factors, run_version
from .paths import chunk_sizes, compile_paths, draw
from .results import Difference, PartyOutcome, Simulation, Spread, VersionOutcome, difference
from .scenario import Scenario, load_scenario, with_settings
from .terms import Plan, compile_version

Progress = Callable[[int], None]

# Yearly flow percentiles come from the first FLOW_SAMPLE futures (independent draws, so a random
# sample): memory stays bounded and the fan chart's bands move by well under 1%. Means of yearly
# flows, NPVs and differences use every future.
FLOW_SAMPLE = 250_000


@dataclass
class Buffers:
    """Per-future results of every (version, party): NPV and equity for every future; yearly
    flows, in single precision, for the first FLOW_SAMPLE futures (their percentiles), and their
    sums over every future (their means), in double precision."""

    flows: dict[tuple[str, str], np.ndarray]
    flow_sums: dict[tuple[str, str], np.ndarray]
    npv: dict[tuple[str, str], np.ndarray]
    equity: dict[tuple[str, str], np.ndarray]
    clause_pv: dict[tuple[str, str], float]
    clause_years: dict[tuple[str, str], np.ndarray]


def prepare(history: Any, scenario: Scenario | str | Path, versions: Sequence[str] | None = None,
            settings: Sequence[str] = ()) -> tuple[Scenario, tuple]:
    """The scenario (loaded, settings applied, checked) and the versions it runs on."""
    if versions:
        for version_id in versions:
            history.get(version_id)   # an unknown version: a problem naming the known ones

    def check(current: Scenario) -> list[Problem]:
        return check_against(current, history)

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, check)
    else:
        problems = check(scenario)
        if problems:
            raise TermsheetError(problems)
    if settings:
        scenario = with_settings(scenario, settings, check)
    ids = tuple(versions or scenario.versions or (history.latest.version,))
    return scenario, tuple(history.get(v) for v in ids)


def simulate(history: Any, scenario: Scenario | str | Path, versions: Sequence[str] | None = None,
             *, futures: int | None = None, settings: Sequence[str] = (),
             workers: int | None = None, progress: Progress | None = None,
             scales: Mapping[str, float] | None = None, amended: bool = False) -> Simulation:
    """Each version's value to each party over the scenario's futures.

    ``versions`` defaults to the scenario's ``versions``, else the latest; ``settings`` are
    ``NAME=VALUE`` overrides (as ``--set``); ``scales`` multiply agreement terms
    (``clause.term`` -> factor), for sensitivities. ``amended``: run the history as amended, each
    version in force in its own window and counts carried across amendments as settlement
    carries them (:func:`termsheet.money.compile.fold`), as one outcome named "as amended".
    """
    scenario, chosen = prepare(history, scenario, versions, settings)
    if amended:
        chosen = (fold(history),)
    futures = scenario.futures if futures is None else futures
    if futures < 1:
        raise TermsheetError([Problem("E023", f"futures must be at least 1, not {futures}",
                                      "--futures")])
    plans = tuple(compile_version(v, scenario, scales) for v in chosen)
    buffers = run_plans(plans, scenario, futures, workers, progress)
    result = summarise(history.agreement, scenario, plans, buffers, futures)
    return dataclasses.replace(result, currency=chosen[0].currency)


def run_plans(plans: Sequence[Plan], scenario: Scenario, futures: int, workers: int | None = None,
              progress: Progress | None = None) -> Buffers:
    model = compile_paths(scenario)
    years = scenario.horizon
    discount = discount_factors(float(scenario.discount_rate), years)
    values = {s.value_of: name for name, s in scenario.streams.items() if s.value_of}
    keys = [(p.version, party) for p in plans for party in parties_of(plans)]
    buffers = Buffers(
        flows={k: np.zeros((min(futures, FLOW_SAMPLE), years), dtype=np.float32) for k in keys},
        flow_sums={k: np.zeros(years) for k in keys},
        npv={k: np.zeros(futures) for k in keys}, equity={k: np.zeros(futures) for k in keys},
        clause_pv={}, clause_years={})
    sizes = chunk_sizes(futures)
    offsets = np.concatenate(([0], np.cumsum(sizes)))

    def work(index: int) -> list:
        chunk = draw(model, index, sizes[index])
        rows = slice(offsets[index], offsets[index + 1])
        sampled = max(0, min(FLOW_SAMPLE, offsets[index + 1]) - offsets[index])
        sums = []
        for plan in plans:
            result = run_version(plan, chunk, years, scenario.first_year, discount, values)
            for party, flow in result.flows.items():
                if sampled:
                    buffers.flows[plan.version, party][rows.start:rows.start + sampled] = \
                        flow[:sampled]
                buffers.npv[plan.version, party][rows] = result.npv[party]
                buffers.equity[plan.version, party][rows] = result.equity.get(party, 0.0)
            flow_sums = {party: flow.sum(axis=0) for party, flow in result.flows.items()}
            sums.append((plan.version, result.clause_pv, result.clause_years, flow_sums))
        if progress is not None:
            progress(sizes[index])
        return sums

    workers = workers or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for sums in pool.map(work, range(len(sizes))):
            for version, pv, by_year, flow_sums in sums:
                for party, total in flow_sums.items():
                    buffers.flow_sums[version, party] += total
                for clause, amount in pv.items():
                    key = (version, clause)
                    buffers.clause_pv[key] = buffers.clause_pv.get(key, 0.0) + amount
                    buffers.clause_years[key] = buffers.clause_years.get(key, 0.0) + by_year[clause]
    return buffers


def parties_of(plans: Sequence[Plan]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(party for plan in plans for party in plan.parties))


def summarise(agreement: str, scenario: Scenario, plans: Sequence[Plan], buffers: Buffers,
              futures: int) -> Simulation:
    years = scenario.horizon
    discount = discount_factors(float(scenario.discount_rate), years)
    values = {s.value_of: s for s in scenario.streams.values() if s.value_of}
    parties = parties_of(plans)
    outcomes, samples, notes = [], {}, []
    for plan in plans:
        notes.extend(plan.notes)
        rows = []
        for party in parties:
            key = (plan.version, party)
            value = buffers.npv[key] + buffers.equity[key]
            samples[key] = {"value": value, "npv": buffers.npv[key]}
            rows.append(_party(plan, party, buffers, value, discount, values, futures))
        outcomes.append(VersionOutcome(plan.version, tuple(rows)))
    for plan in plans:
        for stake in plan.equity:
            if stake.issuer not in values:
                notes.append(f"{plan.version}: no value-of stream for '{stake.issuer}'; the "
                             f"stake in '{stake.clause}' is not valued")
    differences = []
    if len(plans) == 2:
        a, b = plans[0].version, plans[1].version
        differences = [difference(p, a, b, samples[a, p]["value"], samples[b, p]["value"])
                       for p in parties]
    return Simulation(
        scenario=scenario.scenario, agreement=agreement, versions=tuple(p.version for p in plans),
        parties=parties, futures=futures, seed=scenario.seed, first_year=scenario.first_year,
        years=tuple(range(scenario.first_year, scenario.first_year + years)),
        discount_rate=float(scenario.discount_rate), outcomes=tuple(outcomes),
        differences=tuple(differences), notes=tuple(dict.fromkeys(notes)), samples=samples)


def _party(plan: Plan, party: str, buffers: Buffers, value: np.ndarray, discount: np.ndarray,
           values: Mapping[str, Any], futures: int) -> PartyOutcome:
    key = (plan.version, party)
    held = [s for s in plan.equity if s.holder == party and s.issuer in values]
    equity = Spread.of(buffers.equity[key]) if held else None
    now = sum(s.stake * float(values[s.issuer].start) for s in held) if held else None
    committed = 0.0
    for commitment in plan.commitments:
        pv = float(commitment.yearly @ discount)
        committed += pv if commitment.counterparty == party else 0.0
        committed -= pv if commitment.party == party else 0.0
    clauses = {}
    for share in plan.shares:
        if party in (share.payer, share.payee):
            sign = 1.0 if share.payee == party else -1.0
            clauses[share.clause] = sign * buffers.clause_pv[plan.version, share.clause] / futures
    return PartyOutcome(party, Spread.of(value), Spread.of(buffers.npv[key]), equity, now,
                        committed, Spread.columns(buffers.flows[key],
                                                  buffers.flow_sums[key] / futures), clauses)


__all__ = ["simulate", "prepare", "run_plans", "summarise", "Difference"]
