"""Helpers of the settlement tests: hand-worked cases as data, written out as agreements and inputs."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
import yaml


CASES = Path(__file__).resolve().parents[1] / "cases" / "settle"


FRONT = """---
agreement: acme-beta
version: {version}
title: Acme and Beta, version {version}
effective: {effective}
{amends}currency: USD
parties:
  acme: {{name: Acme Corp, aliases: [ACME, Acme]}}
  beta: Beta Ltd
channels:
  direct: {{operator: acme, aliases: [Direct]}}
  aws: {{operator: amazon, name: Amazon Web Services, aliases: [AWS, "Amazon Web Services, Inc."]}}
products:
  widget: {{owner: acme, type: api}}
  gadget: {{owner: acme, type: app}}
events: {events}
---

The terms of this case.
"""


FOCUS_DEFAULTS = {
    "BilledCost": None, "EffectiveCost": None, "ListCost": None, "BillingCurrency": "USD",
    "ChargePeriodStart": None, "ChargePeriodEnd": None, "BillingPeriodStart": None,
    "ChargeCategory": "Usage", "ChargeClass": None, "PublisherName": "Acme",
    "ProviderName": "Direct", "InvoiceIssuerName": "Acme Corp", "ServiceName": "Widget",
}


def load_case(name: str) -> dict:
    return yaml.safe_load((CASES / name).read_text())


def write_versions(case: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    previous = None
    for spec in case["versions"]:
        version = spec.get("version", "v1")
        events = yaml.safe_dump(spec.get("events") or {}, default_flow_style=True).strip()
        text = FRONT.format(version=version, effective=spec.get("effective", "2026-01-01"),
                            amends=f"amends: {previous}\n" if previous else "", events=events)
        if spec.get("year-start"):
            text = text.replace("currency: USD", f"year-start: '{spec['year-start']}'\n"
                                f"currency: USD", 1)
        for clause in spec["clauses"]:
            block = yaml.safe_dump(clause, sort_keys=False, default_flow_style=None)
            text += f"\n## {clause['id']}\n\nA clause of the case.\n\n```terms\n{block}```\n"
        (folder / f"{version}.md").write_text(text)
        previous = version
    return folder


def write_inputs(spec: dict, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    if spec.get("revenue"):
        path = folder / "revenue.csv"
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            # ``revenue-columns``: more columns after the six (a customer, a region, ...)
            writer.writerow(["date", "seller", "channel", "product", "amount", "currency",
                             *spec.get("revenue-columns", [])])
            writer.writerows(spec["revenue"])
        paths.append(path)
    if spec.get("focus"):
        path = folder / "focus.csv"
        with open(path, "w", newline="") as handle:
            extra = [k for row in spec["focus"] for k in row if k not in FOCUS_DEFAULTS]
            writer = csv.DictWriter(handle, fieldnames=list(dict.fromkeys(
                [*FOCUS_DEFAULTS, *extra])))
            writer.writeheader()
            for row in spec["focus"]:
                full = {**FOCUS_DEFAULTS, **{k: None for k in extra}, **row}
                for cost in ("EffectiveCost", "ListCost"):
                    full[cost] = full[cost] if full[cost] is not None else full["BilledCost"]
                writer.writerow({k: "NULL" if v is None else v for k, v in full.items()})
        paths.append(path)
    return paths


def day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
