"""A synthetic portfolio for benchmarks and tests: many agreements over shared parties, products
and channels, with exclusivities, grants, first-launch duties, licences, compute purchases and
rights of first refusal. Deterministic for a seed."""

from __future__ import annotations

import random
from pathlib import Path

CHANNELS = ("azure", "aws", "google-cloud", "oracle", "direct")


def agreement_text(number: int, rng: random.Random, companies: int, products: int) -> str:
    a, b = rng.sample(range(companies), 2)
    party, other = f"c{a}", f"c{b}"
    owned = [f"p{a}-{k}" for k in range(products)]
    year = 2020 + rng.randrange(6)
    effective = f"{year}-{rng.randrange(1, 13):02d}-01"
    until = f"{year + rng.randrange(1, 6)}-12-31"
    product_lines = "\n".join(
        f"  {p}: {{owner: {party}, type: {rng.choice(['api', 'app', 'model'])}}}"
        for p in owned)
    operators = {c: (f"c{i % companies}" if c != "direct" else party)
                 for i, c in enumerate(CHANNELS)}
    channel_lines = "\n".join(f"  {c}: {{operator: {operators[c]}}}" for c in CHANNELS)
    parties = {party, other} | set(operators.values())
    party_lines = "\n".join(f"  {p}: Company {p}" for p in sorted(parties))
    clauses = []

    def clause(heading: str, prose: str, terms: str) -> None:
        clauses.append(f"## {heading}\n\n{prose}\n\n```terms\n{terms}```\n")

    for index in range(rng.randrange(2, 6)):
        choice = rng.randrange(5)
        pick = rng.sample(owned, rng.randrange(1, len(owned) + 1))
        chans = rng.sample(CHANNELS, rng.randrange(1, 4))
        cid = f"clause-{index}"
        if choice == 0:
            clause(f"{index}. Exclusivity", f"{party} sells these only through {', '.join(chans)}.",
                   f"id: {cid}\nkind: exclusivity\nparty: {party}\nproducts: [{', '.join(pick)}]\n"
                   f"channels: [{', '.join(chans)}]\nuntil: {until}\n")
        elif choice == 1:
            first = f"\nfirst-launch: {{on: {rng.choice(CHANNELS)}}}" if rng.random() < 0.3 \
                else ""
            clause(f"{index}. Distribution", f"{party} offers these on {', '.join(chans)}.",
                   f"id: {cid}\nkind: distribution\nparty: {party}\n"
                   f"products: [{', '.join(pick)}]\nchannels: [{', '.join(chans)}]{first}\n")
        elif choice == 2:
            clause(f"{index}. Licence", f"{party} licenses these to {other}.",
                   f"id: {cid}\nkind: license\nlicensor: {party}\nlicensee: {other}\n"
                   f"subject: [{', '.join(pick)}]\nexclusive: {str(rng.random() < 0.5).lower()}\n"
                   f"until: {until}\n")
        elif choice == 3:
            clause(f"{index}. First refusal", f"{other} may match any compute {party} buys.",
                   f"id: {cid}\nkind: right-of-first-refusal\nholder: {other}\ngrantor: {party}\n"
                   f"subject: compute\nuntil: {until}\n")
        else:
            clause(f"{index}. Compute", f"{party} buys compute from {other}.",
                   f"id: {cid}\nkind: commitment\nparty: {party}\ncounterparty: {other}\n"
                   f"subject: compute\namount: {rng.randrange(1, 100)}000000\nby: {until}\n")
    return (f"---\nagreement: synthetic-{number:04d}\nversion: {effective}\n"
            f"title: Synthetic agreement {number}\neffective: {effective}\ncurrency: USD\n"
            f"parties:\n{party_lines}\nchannels:\n{channel_lines}\nproducts:\n{product_lines}\n"
            f"---\n\n" + "\n".join(clauses))


def write_portfolio(root: str | Path, agreements: int = 200, companies: int = 12,
                    products: int = 4, seed: int = 0) -> Path:
    """Write ``agreements`` synthetic agreements, one folder each, under ``root``."""
    rng = random.Random(seed)
    root = Path(root)
    for number in range(agreements):
        folder = root / f"synthetic-{number:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "v1.md").write_text(agreement_text(number, rng, companies, products),
                                      encoding="utf-8")
    return root
