"""The decision endpoint under load: 1,000 concurrent requests from a second process.

``termsheet serve`` runs in a child process on 127.0.0.1 with an access file (so every request
pays for its token check, as in production); this process sends rounds of concurrent requests
with httpx's async client and measures each request's latency. Bounded: ``--requests`` per round
(default 1,000, all in flight at once), ``--rounds`` rounds, and ``--deadline`` seconds for the
whole run.

Anchors measured in the same run: the server's cheapest route (the AuthZEN metadata, no token,
no work), which gives the ceiling of the HTTP stack, and the same decisions in-process with
``decide()``, which gives the engine's share of the time.

    python benchmarks/bench_serve.py [--requests 1000] [--rounds 3] [--deadline 120]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "agreements" / "openai-microsoft"
DECIDE = "/api/agreements/openai-microsoft/decide"

# The questions of FACTS.md and the like, each with the answer the documents give.
QUESTIONS = [
    ({"action": "distribute", "party": "openai", "product": "openai-api", "channel": "aws",
      "date": "2026-04-01"}, False),
    ({"action": "distribute", "party": "openai", "product": "chatgpt", "channel": "aws",
      "date": "2026-04-01"}, True),
    ({"action": "distribute", "party": "openai", "product": "openai-api", "channel": "aws",
      "date": "2026-05-01", "available": {"azure": "2026-04-20"}}, True),
    ({"action": "distribute", "party": "openai", "product": "openai-api",
      "channel": "google-cloud", "date": "2020-01-01"}, False),
    ({"action": "use-license", "licensee": "microsoft", "licensor": "openai",
      "subject": "models", "date": "2026-05-01"}, True),
    ({"action": "grant-license", "licensor": "openai", "to": "amazon", "subject": "models",
      "date": "2026-03-01"}, False),
]
EVALUATION = {"subject": {"type": "party", "id": "openai"}, "action": {"name": "distribute"},
              "resource": {"type": "product", "id": "openai-api",
                           "properties": {"channel": "aws"}},
              "context": {"date": "2026-04-01"}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(folder: Path, port: int) -> tuple[subprocess.Popen, str]:
    access = folder / "access.yaml"
    token = subprocess.run(
        [sys.executable, "-m", "termsheet", "token", "add", "bench", "--admin", "--access",
         str(access)], capture_output=True, text=True, check=True).stdout.strip()
    server = subprocess.Popen(
        [sys.executable, "-m", "termsheet", "serve", "--agreements", str(FLAGSHIP),
         "--access", str(access), "--store", str(folder / "store.duckdb"),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read()}")
        try:
            # one request first: the token's scrypt check is then behind us, as in production
            httpx.get(f"http://127.0.0.1:{port}/api/agreements", timeout=5,
                      headers={"Authorization": f"Bearer {token}"}).raise_for_status()
            return server, token
        except httpx.HTTPError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the server did not start within 60 s")


async def one(client: httpx.AsyncClient, method: str, path: str, body, expected) -> float:
    began = time.perf_counter()
    response = await client.request(method, path, json=body)
    elapsed = time.perf_counter() - began
    if response.status_code != 200:
        raise SystemExit(f"{method} {path}: {response.status_code} {response.text[:200]}")
    if expected is not None and response.json()["decision"] is not expected:
        raise SystemExit(f"{path}: wrong answer for {body}")
    return elapsed


async def rounds_of(base: str, token: str, n: int, rounds: int, method: str, path: str,
                    bodies: list[tuple], deadline: float) -> tuple[list[float], list[float]]:
    """``rounds`` rounds of n requests in flight at once, after a warm-up round that opens the
    n connections; the wall time of each round and every latency.

    Each request has a client (and a kept-alive connection) of its own: one client with a pool
    of 1,000 connections spends its time in the pool's bookkeeping, not on the wire.
    """
    context = ssl.create_default_context()   # built once: clients would each load the CAs
    headers = {"Authorization": f"Bearer {token}"}
    clients = [httpx.AsyncClient(base_url=base, headers=headers, verify=context,
                                 timeout=httpx.Timeout(60.0)) for _ in range(n)]
    try:
        walls, latencies = [], []
        for number in range(rounds + 1):
            began = time.perf_counter()
            tasks = [one(client, method, path, *bodies[i % len(bodies)])
                     for i, client in enumerate(clients)]
            times = await asyncio.wait_for(asyncio.gather(*tasks),
                                           timeout=max(deadline - time.monotonic(), 1))
            if number:   # round 0 opens the connections
                walls.append(time.perf_counter() - began)
                latencies += times
        return walls, latencies
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


def measure(base, token, n, rounds, method, path, bodies, deadline) -> dict:
    walls, latencies = asyncio.run(rounds_of(base, token, n, rounds, method, path, bodies,
                                             deadline))
    latencies.sort()
    return {"requests": n * rounds, "throughput": n * rounds / sum(walls),
            "p50": latencies[len(latencies) // 2],
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


def in_process(repeat: int = 20_000) -> float:
    """p50 of one decide() of the same questions, in this process (seconds)."""
    import datetime as dt

    from termsheet import Distribute, GrantLicense, UseLicense, decide, load_history_of
    history = load_history_of(FLAGSHIP)
    actions = [
        Distribute("openai", "openai-api", "aws", dt.date(2026, 4, 1)),
        Distribute("openai", "chatgpt", "aws", dt.date(2026, 4, 1)),
        Distribute("openai", "openai-api", "aws", dt.date(2026, 5, 1),
                   available={"azure": dt.date(2026, 4, 20)}),
        Distribute("openai", "openai-api", "google-cloud", dt.date(2020, 1, 1)),
        UseLicense("microsoft", "openai", "models", dt.date(2026, 5, 1)),
        GrantLicense("openai", "amazon", "models", dt.date(2026, 3, 1)),
    ]
    for action, (_, expected) in zip(actions, QUESTIONS):
        assert decide(history, action).allowed is expected
    times = []
    for i in range(repeat):
        began = time.perf_counter()
        decide(history, actions[i % len(actions)])
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def show(label: str, r: dict) -> None:
    print(f"  {label:48} {r['requests']:6,} ok  {r['throughput']:8,.0f} req/s  "
          f"p50 {r['p50'] * 1000:7.1f} ms  p99 {r['p99'] * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="concurrent, per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds, whole run")
    args = parser.parse_args()
    deadline = time.monotonic() + args.deadline
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        server, token = start_server(Path(folder), port)
        try:
            base = f"http://127.0.0.1:{port}"
            print(f"termsheet serve on 127.0.0.1:{port} (pid {server.pid}); client pid "
                  f"{os.getpid()}; {args.rounds} rounds of {args.requests:,} concurrent "
                  f"requests; {os.cpu_count()} cores")
            decide_r = measure(base, token, args.requests, args.rounds, "POST", DECIDE,
                               QUESTIONS, deadline)
            authzen_r = measure(base, token, args.requests, args.rounds, "POST",
                                "/access/v1/evaluation", [(EVALUATION, False)], deadline)
            anchor_r = measure(base, token, args.requests, args.rounds, "GET",
                               "/.well-known/authzen-configuration", [(None, None)], deadline)
        finally:
            server.terminate()
            server.wait(10)
    engine = in_process()
    show("POST /api/agreements/{id}/decide", decide_r)
    show("POST /access/v1/evaluation (AuthZEN)", authzen_r)
    show("anchor: GET /.well-known/authzen-configuration", anchor_r)
    print(f"  in-process decide() p50 {engine * 1e6:.1f} us")
    print(f"ratio: decide throughput / anchor throughput = "
          f"{decide_r['throughput'] / anchor_r['throughput']:.2f}x; AuthZEN / anchor = "
          f"{authzen_r['throughput'] / anchor_r['throughput']:.2f}x")
    print(f"ratio: engine time / HTTP time per decision = "
          f"{engine * decide_r['throughput']:.4f} (the rest is HTTP, JSON and the token check)")


if __name__ == "__main__":
    main()
