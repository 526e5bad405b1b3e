"""New agreements and new versions, written for an author to edit.

:func:`init_agreement` writes a folder that validates and passes ``termsheet test`` as it stands:
a first version with two parties and one clause of every kind (each term explained in a comment),
a sample revenue table and a ``tests.yaml`` that decides and settles against them.
:func:`new_version` copies the latest version to a new file with ``amends`` set and a new
effective date, so the author edits only what changes.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from string import Template

from ..agreement.history import load_history
from ..agreement.problems import Problem, TermsheetError
from ..money.currency import CURRENCIES

DEFAULT_EFFECTIVE = date(2026, 1, 1)
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

VERSION = Template("""\
---
# One version of the agreement: front matter (this block), then prose with a fenced `terms`
# block after each clause's prose. The format: docs/format.md. Check it: termsheet validate.
agreement: $agreement
version: $effective                  # the id of this version; a date is customary
title: $title
effective: $effective                # the first day this version is in force
currency: $currency                           # money in the clauses is in this currency
parties:                                 # id: {name, aliases (the names billing data uses)}
  $a: {name: $a_name Inc., aliases: [$a_name]}
  $b: {name: $b_name Ltd, aliases: [$b_name]}
channels:                                # where products are sold; operator: a party id or any name
  direct: {operator: $a, name: $a_name direct sales, aliases: [Direct]}
  $b-store: {operator: $b, name: $b_name Store, aliases: [$b_name Store]}
  other-cloud: {operator: other, name: Any other cloud marketplace}
products:                                # id: attributes; owner is a party id; others are free
  $a-api: {owner: $a, type: api}
  $a-app: {owner: $a, type: app}
events:                                  # an event has a date only when one is given
  change-of-control: $a_name is acquired by a third party.
conditions:                              # a condition holds only when stated as a fact
  $b-declines: $b_name declines to carry a product.
sources:                                 # what each term is taken from
  signed: {title: The signed agreement, date: $effective, certainty: H}
---

$b_name resells $a_name's products. This is the first version of the agreement; each clause below
is one of the clause kinds, with its terms explained. Edit them, delete what does not apply, and
keep `tests.yaml` in step (`termsheet test` runs it).

## 1. Exclusive channels for the API

$a_name sells its API only itself and through the $b_name Store.

```terms
id: api-channels
kind: exclusivity                # the party may distribute these products only on these channels
party: $a
products: [$a-api]               # a selector: all, a list of ids, or attributes ({type: api})
channels: [direct, $b-store]
source: signed
```

## 2. The app launches on the $b_name Store first

$a_name may sell its app anywhere, but never on another channel before the $b_name Store, unless
$b_name declines to carry it.

```terms
id: app-first-on-store
kind: distribution               # where the party may distribute, and launch-order terms
party: $a
products: [$a-app]
channels: any
first-launch: {on: $b-store, lead-days: 0, unless: $b-declines}
source: signed
```

## 3. Licence to the API

$a_name grants $b_name a non-exclusive licence to its API, to run the $b_name Store's integration.

```terms
id: api-licence
kind: license
licensor: $a
licensee: $b
subject: [$a-api]                # product selector; `excludes:` takes one out again
exclusive: false
source: signed
```

## 4. First refusal on new resale rights

Before $a_name offers resale rights to anyone else, it offers them to $b_name first.

```terms
id: resale-first-refusal
kind: right-of-first-refusal
holder: $b
grantor: $a
subject: resale-rights            # a free label
source: signed
```

## 5. $b_name pays $a_name for what it sells

$b_name pays $a_name 70% of what it bills for $a_name's products, every month.

```terms
id: resale-share
kind: revenue-share
payer: $b
payee: $a
base: {seller: $b, product: [$a-api, $a-app]}   # the revenue rows this share is of
rate: 70%                        # or tiers: {mode: marginal, per: period, bands: [...]}
settle: month                    # month, quarter or year
# cap: {total: 1000000, per-year: 250000}       # optional limits on what is paid
# minimum: {per-year: 10000}                    # optional: a year-end true-up
# until: change-of-control                      # a date, or an event that ends the clause
source: signed
```

## 6. $b_name's stake

$b_name holds 5% of $a_name.

```terms
id: store-stake
kind: equity
holder: $b
issuer: $a
stake: 5%
source: signed
```

## 7. Minimum purchase commitment

$b_name commits to buy $commitment $currency of $a_name's products by the end of $year.

```terms
id: purchase-commitment
kind: commitment
party: $b
counterparty: $a
amount: $commitment
by: $year-12-31
source: signed
```

## 8. Joint marketing

The two companies market the $b_name Store's $a_name catalogue together.

```terms
id: joint-marketing
kind: cooperation
parties: [$a, $b]
areas: [joint-marketing]
source: signed
```
""")

TESTS = Template("""\
# Tests of this agreement: run them with `termsheet test $folder`. The format: docs/format.md.
# Each expectation is worked out by hand from the clauses; change both together.

decisions:
  - name: the API may be sold on the $b_name Store (api-channels)
    date: $day1
    action: distribute
    party: $a
    product: $a-api
    channel: $b-store
    expect: {decision: allowed, version: $effective, deciding: [api-channels]}

  - name: the API may not be sold on any other cloud (api-channels)
    date: $day1
    action: distribute
    party: $a
    product: $a-api
    channel: other-cloud
    expect: {decision: forbidden, version: $effective, deciding: [api-channels]}

  - name: the app may go elsewhere once it is on the $b_name Store (app-first-on-store)
    date: $day2
    action: distribute
    party: $a
    product: $a-app
    channel: other-cloud
    available: {$b-store: $day1}
    expect: {decision: allowed, version: $effective, deciding: [app-first-on-store], obligations: []}

  - name: the app may not go elsewhere before the $b_name Store (app-first-on-store)
    date: $day2
    action: distribute
    party: $a
    product: $a-app
    channel: other-cloud
    expect: {decision: forbidden, version: $effective, deciding: [app-first-on-store]}

statements:
  # revenue.csv: $b_name's sales of $a_name's products are in the base of resale-share (70%):
  #   $label1: 1000.00 + 250.00 = 1250.00 -> 875.00;  $label2: 90.00 -> 63.00.
  # $a_name's own direct sale (500.00) is not: its seller is not $b_name.
  - name: the monthly resale share
    data: revenue.csv
    expect:
      lines:
        - {clause: resale-share, period: $label1, rows: 2, base: "1250.00", amount: "875.00"}
        - {clause: resale-share, period: $label2, rows: 1, base: "90.00", amount: "63.00"}
      statements:
        - {payer: $b, payee: $a, period: $label1, total: "875.00"}
      balanced: true
""")

REVENUE = Template("""\
date,seller,channel,product,amount,currency
$day1,$b_name,$b_name Store,$a-api,1000.00,$currency
$day1b,$b_name,$b_name Store,$a-app,250.00,$currency
$day2,$b_name,$b_name Store,$a-api,90.00,$currency
$day2,$a_name,Direct,$a-api,500.00,$currency
""")


def _parties(agreement: str) -> tuple[str, str]:
    parts = agreement.split("-")
    if len(parts) == 2 and all(parts) and parts[0] != parts[1]:
        return parts[0], parts[1]
    return "vendor", "reseller"


def _month_after(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def init_agreement(folder: Path, effective: date | None = None,
                   currency: str = "USD") -> list[Path]:
    """Write a new agreement folder; the paths written. Raises TermsheetError when the folder
    already holds files or the name cannot be an agreement id."""
    folder = Path(folder)
    agreement = folder.name
    problems = []
    if not ID.match(agreement):
        problems.append(Problem("E023", f"'{agreement}' cannot be an agreement id", str(folder),
                                hint="use lower-case letters, digits and hyphens"))
    if currency not in CURRENCIES:
        problems.append(Problem("E023", f"'{currency}' is not an ISO 4217 currency code",
                                "--currency"))
    if folder.exists() and any(folder.iterdir()):
        problems.append(Problem("E004", f"{folder} exists and is not empty", str(folder),
                                hint="choose a new folder"))
    if problems:
        raise TermsheetError(problems)
    effective = effective or DEFAULT_EFFECTIVE
    a, b = _parties(agreement)
    month1 = effective if effective.day == 1 else _month_after(effective)
    month2 = _month_after(month1)
    values = {
        "agreement": agreement, "folder": str(folder), "effective": effective.isoformat(),
        "currency": currency, "a": a, "b": b, "a_name": a.capitalize(), "b_name": b.capitalize(),
        "title": f"{a.capitalize()}–{b.capitalize()} reseller agreement",
        "commitment": "250000", "year": str(effective.year + 1),
        "day1": (month1 + timedelta(days=4)).isoformat(),
        "day1b": (month1 + timedelta(days=19)).isoformat(),
        "day2": (month2 + timedelta(days=2)).isoformat(),
        "label1": month1.strftime("%Y-%m"), "label2": month2.strftime("%Y-%m"),
    }
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, template in ((f"{effective.isoformat()}.md", VERSION), ("tests.yaml", TESTS),
                           ("revenue.csv", REVENUE)):
        path = folder / name
        path.write_text(template.substitute(values), encoding="utf-8")
        written.append(path)
    return written


def new_version(folder: Path, effective: date, version: str | None = None) -> Path:
    """Write the next version of the agreement in ``folder``: the latest version's text with
    ``version``, ``effective`` and ``amends`` set. Raises TermsheetError when the folder has
    problems, the date is not after the latest version's, or the file exists."""
    history, problems = load_history(folder)
    if problems:
        raise TermsheetError(problems)
    latest = history.latest
    version = version or effective.isoformat()
    path = Path(folder) / f"{version}.md"
    if effective <= latest.effective:
        raise TermsheetError([Problem(
            "E032", f"effective {effective} is not after {latest.effective}, the latest "
            f"version's date", "--effective", hint=f"the latest version is {latest.version}")])
    if path.exists() or any(v.version == version for v in history.versions):
        raise TermsheetError([Problem("E033", f"version '{version}' exists already", str(path))])
    text = Path(latest.path).read_text(encoding="utf-8-sig")
    path.write_text(_restate(text, latest.version, version, effective), encoding="utf-8")
    return path


def _restate(text: str, amended: str, version: str, effective: date) -> str:
    """The front matter's version, effective and amends lines set; the rest of the text as is."""
    head, sep, rest = text.partition("\n---")
    if not text.startswith("---") or not sep:
        raise TermsheetError([Problem("E003", "front matter missing", "<latest version>")])
    lines = head.split("\n")
    out, amends_done = [], False
    for line in lines:
        key = line.split(":", 1)[0].strip() if ":" in line and not line.startswith(" ") else None
        comment = _comment(line)
        if key == "version":
            out.append(f"version: {version}{comment}")
        elif key == "effective":
            out.append(f"effective: {effective.isoformat()}{comment}")
            out.append(f"amends: {amended}                   # the version this one amends")
            amends_done = True
        elif key == "amends":
            continue
        else:
            out.append(line)
    if not amends_done:
        out.insert(1, f"amends: {amended}")
    return "\n".join(out) + sep + rest


def _comment(line: str) -> str:
    """A YAML line's trailing comment, kept with its spacing ('' when none)."""
    match = re.search(r"(\s+#.*)$", line)
    return match.group(1) if match and "'" not in line and '"' not in line else ""
