"""What each version is worth under simulated futures (:mod:`termsheet.simulate`): a background
job with progress, its result as JSON, and a page with charts.

``POST /api/agreements/{id}/simulate`` answers 202 with a job at once; ``GET /api/jobs/{job}``
reports progress (futures done of futures asked) and, once done, the result:
``Simulation.to_dict()`` with, for the charts, a histogram of each party's value per version.
Scenarios are the server's (``--scenarios DIR``, one YAML file each, named by its stem) or
posted as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import numpy as np
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from ..api import History
from ..api import Problem, TermsheetError, known_hint
from . import charts
from .api import Viewer, visible
from .errors import HttpProblem
from .html import Viewer as PageViewer, render
from .schemas import JobOut, errors
from .security import csrf_checked

api = APIRouter(prefix="/api", tags=["simulate"], responses=errors(401, 404, 413, 422))
pages = APIRouter(include_in_schema=False)
MAX_FUTURES = 1_000_000
BINS = 40


class SimulateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: str | None = Field(None, max_length=100, description="A scenario of the server, "
                                 "by name (GET .../scenarios lists them)")
    text: str | None = Field(None, max_length=200_000, description="Or a scenario as YAML")
    versions: list[Annotated[str, Field(max_length=100)]] | None = Field(
        None, max_length=10, description="Versions to value (default: the scenario's)")
    futures: int | None = Field(None, ge=1, le=MAX_FUTURES,
                                description="How many futures (default: the scenario's, "
                                            f"at most {MAX_FUTURES:,})")
    settings: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=50, description="NAME=VALUE overrides, as --set")


def scenario_files(request: Request) -> dict[str, Path]:
    return _scenario_files(request.app.state.settings)


def _scenario_files(settings) -> dict[str, Path]:
    folder = settings.scenarios_dir()
    if folder is None or not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.y*ml"))}


def scenarios_for(request: Request, history: History) -> list[str]:
    """The server's scenarios that name this agreement (or no agreement)."""
    return _scenarios_for(request.app.state.settings, history)


def _scenarios_for(settings, history: History) -> list[str]:
    import yaml
    out = []
    for name, path in _scenario_files(settings).items():
        try:
            head = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(head, dict) and head.get("agreement") in (None, history.agreement):
            out.append(name)
    return out


def chosen_scenario(settings, history: History, body: SimulateIn):
    from ..api import parse_scenario
    if body.text:
        return parse_scenario(body.text, "<scenario>")
    known = _scenarios_for(settings, history)
    name = body.scenario or (known[0] if known else None)
    if name is None or name not in known:
        raise HttpProblem(404 if name else 422,
                          f"no scenario '{name}'" if name else "no scenario given",
                          path="scenario", hint=known_hint(name or "", known)
                          if known else "post one as 'text'")
    return _scenario_files(settings)[name]


def result_view(sim) -> dict[str, Any]:
    """The JSON of a finished simulation, with value histograms for the charts."""
    data = sim.to_dict()
    data["histograms"] = []
    for (version, party), series in sim.samples.items():
        values = np.asarray(series["value"], dtype=np.float64)
        # the 1st to 99th percentile: a few extreme futures would squeeze the rest into a bar
        lo, p50, hi = np.percentile(values, [1, 50, 99])
        counts, edges = np.histogram(values, bins=BINS, range=(lo, hi if hi > lo else lo + 1))
        data["histograms"].append({"version": version, "party": party,
                                   "edges": [float(e) for e in edges],
                                   "counts": [int(c) for c in counts],
                                   "marks": {"mean": float(values.mean()), "p50": float(p50)},
                                   "outside": int(np.sum((values < lo) | (values > hi)))})
    return data


def _prepared(settings, history: History, body: SimulateIn):
    from ..api import prepare
    scenario = chosen_scenario(settings, history, body)
    prepared, chosen = prepare(history, scenario, body.versions, body.settings)
    return prepared, chosen, min(body.futures or prepared.futures, MAX_FUTURES)


def start(request: Request, principal, agreement: str, body: SimulateIn):
    """Check the request (a bad scenario fails here, at once) and queue the job; what it needs
    to run is kept with it in the store (``spec``), so any worker process can run it, after a
    restart too."""
    history = visible(request, principal, agreement)
    prepared, chosen, futures = _prepared(request.app.state.settings, history, body)
    params = {"agreement": agreement, "scenario": prepared.scenario,
              "versions": [v.version for v in chosen], "futures": futures,
              "settings": list(body.settings)}
    spec = {"agreement": agreement, "request": {**body.model_dump(), "futures": futures}}
    return request.app.state.jobs.submit("simulate", principal.name, params, spec)


def job_work(app, spec: dict[str, Any]):
    """The work of a simulation job, rebuilt from its spec with the agreements loaded now."""
    from ..api import simulate
    history = app.state.catalog.history(spec["agreement"])
    body = SimulateIn(**spec["request"])
    prepared, chosen, futures = _prepared(app.state.settings, history, body)

    def work(progress) -> dict[str, Any]:
        done = [0]

        def advance(count: int) -> None:
            done[0] += count
            progress(done[0], futures, "futures")
        progress(0, futures, "futures")
        sim = simulate(history, prepared, [v.version for v in chosen], futures=futures,
                       progress=advance)
        return result_view(sim)

    return work


@api.get("/agreements/{agreement}/scenarios", response_model=list[str])
def list_scenarios(agreement: str, request: Request, principal: Viewer):
    """The server's scenarios for this agreement."""
    return scenarios_for(request, visible(request, principal, agreement))


@api.post("/agreements/{agreement}/simulate", status_code=202, response_model=JobOut)
def start_simulation(agreement: str, body: SimulateIn, request: Request, principal: Viewer):
    """Start a simulation; poll ``GET /api/jobs/{id}`` (the Location header) for progress and
    the result. A bad scenario is refused at once, with every problem positioned."""
    job = start(request, principal, agreement, body)
    return JSONResponse(job.to_dict(), status_code=202,
                        headers={"Location": f"/api/jobs/{job.id}"})


@pages.get("/agreements/{agreement}/simulate", response_class=HTMLResponse)
def simulate_form(agreement: str, request: Request, principal: PageViewer):
    history = visible(request, principal, agreement)
    jobs = [j.to_dict(with_result=False) for j in request.app.state.jobs.list()
            if j.params.get("agreement") == agreement and
            (principal.admin or j.owner == principal.name)]
    return render(request, "simulate.html", principal, agreement=agreement,
                  scenarios=scenarios_for(request, history),
                  versions=[v.version for v in history.versions], jobs=jobs[::-1],
                  problems=[], form={})


@pages.post("/agreements/{agreement}/simulate", response_class=HTMLResponse,
            dependencies=[Depends(csrf_checked)])
def simulate_submit(agreement: str, request: Request, principal: PageViewer,
                    scenario: Annotated[str, Form(max_length=100)] = "",
                    futures: Annotated[str, Form(max_length=12)] = "",
                    versions: Annotated[list[str] | None, Form()] = None,
                    settings: Annotated[str, Form(max_length=5000)] = ""):
    history = visible(request, principal, agreement)
    form = {"scenario": scenario, "futures": futures, "versions": versions or [],
            "settings": settings}
    try:
        count = int(futures.replace(",", "").replace("_", "")) if futures.strip() else None
        body = SimulateIn(scenario=scenario or None, versions=versions or None, futures=count,
                          settings=[s.strip() for s in settings.splitlines() if s.strip()])
        job = start(request, principal, agreement, body)
    except HttpProblem as err:
        if err.status == 429:     # too many jobs: the error page, with its status
            raise
        return _form_problems(request, principal, agreement, history, form, err)
    except (ValueError, TermsheetError) as err:
        return _form_problems(request, principal, agreement, history, form, err)
    return RedirectResponse(f"/agreements/{quote(agreement)}/simulate/{job.id}",
                            status_code=303)


def _form_problems(request, principal, agreement, history, form, err):
    problems = getattr(err, "problems", None) or [
        Problem("E422", str(err).splitlines()[0], "form")]
    return render(request, "simulate.html", principal, status=422, agreement=agreement,
                  scenarios=scenarios_for(request, history),
                  versions=[v.version for v in history.versions], jobs=[],
                  problems=[p.to_dict() for p in problems], form=form)


@pages.get("/agreements/{agreement}/simulate/{job_id}", response_class=HTMLResponse)
def simulate_result(agreement: str, job_id: str, request: Request, principal: PageViewer):
    visible(request, principal, agreement)
    job = request.app.state.jobs.get(job_id)
    if job is None or not (principal.admin or job.owner == principal.name):
        raise HttpProblem(404, f"no job '{job_id}'", path=request.url.path)
    data = job.to_dict()
    svgs = result_charts(data["result"]) if job.status == "done" else {}
    return render(request, "simulation.html", principal, agreement=agreement, job=data,
                  charts=svgs)


def result_charts(result: dict[str, Any]) -> dict[str, Any]:
    """SVG per party: value histograms of each version, median flows with their 5–95% band."""
    out: dict[str, Any] = {}
    years = [str(y) for y in result["years"]]
    currency = result.get("currency", "USD")
    for party in result["parties"]:
        hists = [h for h in result["histograms"] if h["party"] == party]
        histogram = [charts.binned_svg(h["edges"], h["counts"], marks=h["marks"],
                                       currency=currency,
                                       label=f"value to {party} under {h['version']} "
                                             f"({currency}; 1st–99th percentile)",
                                       colour=charts.SERIES[i % len(charts.SERIES)])
                     for i, h in enumerate(hists)]
        median, bands = {}, {}
        for outcome in result["outcomes"]:
            row = next(p for p in outcome["parties"] if p["party"] == party)
            median[outcome["version"]] = [f["p50"] for f in row["flows"]]
            bands[outcome["version"]] = ([f["p5"] for f in row["flows"]],
                                         [f["p95"] for f in row["flows"]])
        flows = charts.lines_svg(years, median, bands=bands, currency=currency,
                                 label=f"net cash flow to {party} per year ({currency}): "
                                       "median, 5–95%")
        out[party] = {"histograms": histogram, "flows": flows}
    return out
