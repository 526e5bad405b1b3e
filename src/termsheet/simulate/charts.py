"""Charts of a simulation, each written as SVG and PNG: a fan chart of yearly flows per party,
NPV histograms per version, the difference between two versions, and the tornado."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ..money.format import compact, formatter  # noqa: E402
from .results import Simulation  # noqa: E402
from .sensitivity import Tornado  # noqa: E402

COLOURS = ("#1f6fb4", "#d9622b", "#2a9d55", "#8e4fb8")
TOP = 12   # tornado bars shown per party


def _money(value: float, currency: str) -> str:
    """A compact amount in the simulation's currency: $38B, €1.2M."""
    return compact(value, currency, fraction_digits=1)


def _figure(panels: int, title: str, height: float = 4.2):
    plt.rcParams.update({"svg.hashsalt": "termsheet", "font.size": 9})
    fig, axes = plt.subplots(1, panels, figsize=(5.6 * panels, height), squeeze=False)
    fig.suptitle(title, fontsize=11)
    return fig, list(axes[0])


def _save(fig, out: Path, name: str) -> list[Path]:
    fig.tight_layout()
    paths = [out / f"{name}.svg", out / f"{name}.png"]
    from ..agreement.atomic import replacing
    try:
        with replacing(paths[0]) as temp:
            fig.savefig(temp, metadata={"Date": None})
        with replacing(paths[1]) as temp:
            fig.savefig(temp, dpi=120, metadata={"Software": None})
    finally:
        plt.close(fig)
    return paths


def fan_chart(sim: Simulation, out: Path) -> list[Path]:
    fig, axes = _figure(len(sim.parties), f"{sim.agreement}: net cash flow per year, "
                        f"{sim.futures:,} futures (bands p5–p95, p25–p75; line: median)")
    years = np.array(sim.years)
    for ax, party in zip(axes, sim.parties):
        for colour, outcome in zip(COLOURS, sim.outcomes):
            flows = outcome.party(party).flows
            get = lambda name: np.array([getattr(f, name) for f in flows])  # noqa: E731
            ax.fill_between(years, get("p5"), get("p95"), color=colour, alpha=0.12, lw=0)
            ax.fill_between(years, get("p25"), get("p75"), color=colour, alpha=0.3, lw=0)
            ax.plot(years, get("p50"), color=colour, lw=2, label=f"terms of {outcome.version}")
        ax.axhline(0, color="#555", lw=0.6)
        ax.set_title(party)
        ax.yaxis.set_major_formatter(formatter(sim.currency))
        ax.set_xticks(years[::max(1, len(years) // 10)])
        ax.legend(loc="best", fontsize=8)
    return _save(fig, out, "fan")


def npv_histograms(sim: Simulation, out: Path) -> list[Path]:
    fig, axes = _figure(len(sim.parties), f"NPV of each party's revenue-share flows at "
                        f"{sim.discount_rate:.0%}, per version ({sim.futures:,} futures)")
    for ax, party in zip(axes, sim.parties):
        samples = [sim.samples[o.version, party]["npv"] for o in sim.outcomes]
        low, high = _range(samples)
        bins = np.linspace(low, high, 80)
        for colour, outcome, values in zip(COLOURS, sim.outcomes, samples):
            ax.hist(values, bins=bins, histtype="stepfilled", alpha=0.35, color=colour,
                    weights=np.full(len(values), 100 / len(values)),
                    label=f"{outcome.version}: median {_money(np.median(values), sim.currency)}")
            ax.axvline(np.median(values), color=colour, lw=1.2, ls="--")
        ax.set_title(party)
        ax.set_ylabel("% of futures")
        ax.xaxis.set_major_formatter(formatter(sim.currency))
        ax.legend(fontsize=8)
    return _save(fig, out, "npv")


def difference_histograms(sim: Simulation, out: Path) -> list[Path]:
    if not sim.differences:
        return []
    first = sim.differences[0]
    fig, axes = _figure(len(sim.differences), f"Value under {first.other} minus under "
                        f"{first.base}, per future")
    for ax, diff in zip(axes, sim.differences):
        values = sim.samples[diff.other, diff.party]["value"] - \
            sim.samples[diff.base, diff.party]["value"]
        low, high = _range([values])
        bins = np.linspace(min(low, 0), max(high, 0), 80)
        counts, edges = np.histogram(values, bins=bins)
        share = 100 * counts / len(values)
        centres = (edges[:-1] + edges[1:]) / 2
        ax.bar(centres, share, width=np.diff(edges), color=np.where(centres >= 0, COLOURS[2],
                                                                    "#c0392b"), alpha=0.7)
        ax.axvline(0, color="#333", lw=0.8)
        ax.set_title(f"{diff.party}: gains in {diff.p_gain:.0%} of futures, mean "
                     f"{_money(diff.change.mean, sim.currency)}")
        ax.set_ylabel("% of futures")
        ax.xaxis.set_major_formatter(formatter(sim.currency))
    return _save(fig, out, "difference")


def tornado_chart(result: Tornado, parties: Sequence[str], out: Path,
                  currency: str = "USD") -> list[Path]:
    fig, axes = _figure(len(parties), f"Sensitivity of the {result.metric}: each parameter "
                        f"{result.step:.0%} down / up ({result.futures:,} futures)", height=5.4)
    for ax, party in zip(axes, parties):
        base = result.base[party]
        swings = [s for s in result.ranked(party) if s.width(party, base) > 0][:TOP][::-1]
        rows = np.arange(len(swings))
        low = np.array([s.low[party] - base for s in swings])
        high = np.array([s.high[party] - base for s in swings])
        ax.barh(rows, low, left=base, color=COLOURS[0], label="parameter down")
        ax.barh(rows, high, left=base, color=COLOURS[1], label="parameter up")
        ax.set_yticks(rows, [f"{s.parameter}\n{s.low_value} / {s.high_value}" for s in swings],
                     fontsize=7)
        ax.axvline(base, color="#333", lw=0.8)
        ax.set_title(f"{party} (base {_money(base, currency)})")
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.xaxis.set_major_formatter(formatter(currency))
        ax.legend(fontsize=8, loc="lower right")
    return _save(fig, out, "tornado")


def _range(samples: Sequence[np.ndarray]) -> tuple[float, float]:
    """The 0.5th to 99.5th percentile over all samples (tails would flatten the bars)."""
    low = min(float(np.percentile(s, 0.5)) for s in samples)
    high = max(float(np.percentile(s, 99.5)) for s in samples)
    if high <= low:
        high = low + 1.0
    return low, high


def write_charts(sim: Simulation, out: Path, tornado: Tornado | None = None) -> list[Path]:
    out = Path(out)
    paths = fan_chart(sim, out) + npv_histograms(sim, out) + difference_histograms(sim, out)
    if tornado is not None:
        paths += tornado_chart(tornado, sim.parties, out, sim.currency)
    return paths
