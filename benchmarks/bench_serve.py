"""The decision service under load: keep-alive connections from a separate load generator.

``termsheet serve``'s app runs in a child process on 127.0.0.1 with an access file (every request
carries a token, checked as in production) and the server stack of ``termsheet serve`` (uvicorn,
uvloop, httptools; one worker). The load comes from ``wrk`` (Debian's package: ``apt-get install
wrk``), a separate process holding its connections open; without it, from an async httpx client
with a pool of connections in a separate process (the output says which).

The anchor, measured in the same run on the same server: a bare ASGI endpoint in the same app,
reached as the AuthZEN endpoints are (``app.state.fast_routes``, behind the same middleware), that
reads the body and answers two fixed bytes, the ceiling of the HTTP stack. Goals (the issue's),
each printed with its figure:

- ``POST /access/v1/evaluation`` at 64 connections: >= 3,000 req/s, p99 <= 25 ms, >= 0.7x the bare
  endpoint;
- ``POST /access/v1/evaluations`` with 1,000 evaluations a request: >= 200,000 decisions/s.

The server keeps encoded answers (a bounded LRU of 50,000 entries per set of loaded agreements;
a question asked takes up to two, see web/answers.py). The main rounds ask from a working set of
6,000 different questions (a busy service's day: the same products, channels and dates asked
again and again), which the kept answers hold; rounds marked "every question new" ask 60,000
different questions in turn, more than are kept, so every answer is decided afresh.

Then, in this process with no HTTP server, the app is called as an ASGI app (the same
middleware, no sockets) and the CPU time per request and per decision is read from
``time.process_time``: the cost of the application itself, which moves much less with the load
of a shared machine than any wall-clock figure. The goal there: under 5 us of CPU per decision
for a batch of questions asked before.

    python benchmarks/bench_serve.py [--duration 8] [--connections 64] [--client wrk|httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "agreements" / "openai-microsoft"
BARE = "/bench/bare"


def evaluation(party, action, resource, date, **context):
    return {"subject": {"type": "party", "id": party}, "action": {"name": action},
            "resource": resource, "context": {"date": date, **context}}


def product(name, **properties):
    return {"type": "product", "id": name, "properties": properties}


# Questions of FACTS.md, each with the answer the documents give.
QUESTIONS = [
    (evaluation("openai", "distribute", product("openai-api", channel="aws"), "2026-04-01"),
     False),
    (evaluation("openai", "distribute", product("chatgpt", channel="aws"), "2026-04-01"), True),
    (evaluation("openai", "distribute", product("openai-api", channel="aws"), "2026-05-01",
                available={"azure": "2026-04-20"}), True),
    (evaluation("openai", "distribute", product("openai-api", channel="google-cloud"),
                "2020-01-01"), False),
    (evaluation("microsoft", "use-license", product("models", licensor="openai"),
                "2026-05-01"), True),
    (evaluation("openai", "grant-license", product("models", to="amazon"), "2026-03-01"),
     False),
]
DECIDE = ("/api/agreements/openai-microsoft/decide",
          {"action": "distribute", "party": "openai", "product": "chatgpt", "channel": "aws",
           "date": "2026-04-01"})


def distinct_questions(count: int) -> list[dict]:
    """``count`` different evaluations: the questions above on different days."""
    out, start = [], dt.date(2019, 7, 22)
    for n in range(count):
        question = json.loads(json.dumps(QUESTIONS[n % len(QUESTIONS)][0]))
        question["context"]["date"] = (start + dt.timedelta(days=n // len(QUESTIONS))
                                       ).isoformat()
        out.append(question)
    return out


# ------------------------------------------------------------------------------------------------
# the server (a child process)


def serve_child(folder: str, port: int) -> None:
    """The app of ``termsheet serve`` plus the bare endpoint, on the server stack of ``serve``."""
    import uvicorn

    from termsheet.cli.serve import SERVER
    from termsheet.web import Settings, create_app
    from termsheet.web.app import freeze_heap

    app = create_app(Settings(agreements=FLAGSHIP, access=Path(folder) / "access.yaml",
                              store=Path(folder) / "store.duckdb", max_body=10_000_000))
    app.state.fast_routes[BARE] = _bare()    # beside the AuthZEN endpoints
    freeze_heap()     # as app_from_environment does for `termsheet serve`
    uvicorn.run(app, host="127.0.0.1", port=port, **SERVER)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(folder: Path) -> tuple[subprocess.Popen, str, str]:
    token = subprocess.run(
        [sys.executable, "-m", "termsheet", "token", "add", "bench", "--admin", "--access",
         str(folder / "access.yaml")], capture_output=True, text=True, check=True).stdout.strip()
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve-child", str(folder),
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read()}")
        try:
            # one request first: the token's scrypt check is then behind us, as in production
            httpx.get(f"{base}/api/agreements", timeout=5,
                      headers={"Authorization": f"Bearer {token}"}).raise_for_status()
            return server, token, base
        except httpx.HTTPError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the server did not start within 60 s")


def check_answers(base: str, token: str) -> None:
    """Every question answered as the documents say, one by one and in a batch."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for question, expected in QUESTIONS:
            got = client.post("/access/v1/evaluation", json=question).json()
            if got.get("decision") is not expected:
                raise SystemExit(f"wrong answer {got} to {question}")
        batch = client.post("/access/v1/evaluations",
                            json={"evaluations": [q for q, _ in QUESTIONS]}).json()
        if [a["decision"] for a in batch["evaluations"]] != [e for _, e in QUESTIONS]:
            raise SystemExit("wrong answers in the batch")


# ------------------------------------------------------------------------------------------------
# load generators


LUA = """
local bodies = {}
local file = io.open("%(bodies)s", "r")
for line in file:lines() do bodies[#bodies + 1] = line end
file:close()
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, bodies[(n %% #bodies) + 1])
end
"""


def wrk_round(base, token, path, bodies, connections, duration, folder) -> dict:
    lines = Path(folder) / "bodies.txt"
    lines.write_text("\n".join(json.dumps(b, separators=(",", ":")) for b in bodies) + "\n")
    script = Path(folder) / "post.lua"
    script.write_text(LUA % {"bodies": lines, "token": token})
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency",
                          "--timeout", "10s", "-s", str(script), base + path],
                         capture_output=True, text=True, check=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if bad or errors:
        raise SystemExit(f"{path}: failed requests under load:\n{out}")
    throughput = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"requests": requests, "throughput": throughput, "p50": p50, "p99": p99}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def httpx_round(base, token, path, bodies, connections, duration, folder) -> dict:
    """The same round from an async httpx client with a pool, in a separate process."""
    spec = Path(folder) / "round.json"
    spec.write_text(json.dumps({"base": base, "token": token, "path": path, "bodies": bodies,
                                "connections": connections, "duration": duration}))
    out = subprocess.run([sys.executable, __file__, "--httpx-child", str(spec)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def httpx_child(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    bodies = [json.dumps(b).encode() for b in spec["bodies"]]

    async def run() -> dict:
        limits = httpx.Limits(max_connections=spec["connections"],
                              max_keepalive_connections=spec["connections"])
        headers = {"Authorization": f"Bearer {spec['token']}",
                   "Content-Type": "application/json"}
        latencies: list[float] = []
        async with httpx.AsyncClient(base_url=spec["base"], limits=limits, headers=headers,
                                     timeout=30) as client:
            end = time.perf_counter() + spec["duration"]
            counter = iter(range(10 ** 12))

            async def worker():
                while time.perf_counter() < end:
                    n = next(counter)
                    began = time.perf_counter()
                    response = await client.post(spec["path"], content=bodies[n % len(bodies)])
                    if response.status_code != 200:
                        raise SystemExit(f"{spec['path']}: {response.status_code}")
                    latencies.append(time.perf_counter() - began)
            began = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(spec["connections"])))
            wall = time.perf_counter() - began
        latencies.sort()
        return {"requests": len(latencies), "throughput": len(latencies) / wall,
                "p50": latencies[len(latencies) // 2] * 1000,
                "p99": latencies[int(len(latencies) * 0.99)] * 1000}

    print(json.dumps(asyncio.run(run())))


# ------------------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(round_, pid: int):
    """A round that also reports the server's CPU time per request: on a machine shared with
    other work the wall-clock figures move with everyone else's load, the CPU spent per request
    much less; 1 / (CPU per request) is what one core given to the server would answer."""
    def run(*args) -> dict:
        before = cpu_seconds(pid)
        result = round_(*args)
        result["cpu"] = (cpu_seconds(pid) - before) / max(result["requests"], 1)
        return result
    return run


def token_check_costs(folder: Path) -> tuple[float, float]:
    """In this process: a token already verified (keyed SHA-256 and a lookup) and a new one
    (scrypt), in seconds."""
    from termsheet.web.access import Access, add_token
    path = folder / "costs.yaml"
    token = add_token(path, "cost", "admin")
    access = Access.from_file(path)
    began = time.perf_counter()
    assert access.principal_for(token) is not None
    scrypt = time.perf_counter() - began
    began = time.perf_counter()
    for _ in range(10_000):
        access.principal_for(token)
    return (time.perf_counter() - began) / 10_000, scrypt


def in_process(folder: Path, singles, hot, many, hot_batches, new_batches
               ) -> list[tuple[str, float, str]]:
    """CPU per request and per decision of the app called as an ASGI app in this process:
    (label, microseconds, unit)."""
    import gc

    from termsheet.web import Settings, create_app
    from termsheet.web.access import add_token

    token = add_token(folder / "inproc.yaml", "bench", "admin")
    app = create_app(Settings(agreements=FLAGSHIP, access=folder / "inproc.yaml",
                              max_body=10_000_000))
    app.state.fast_routes[BARE] = _bare()    # beside the AuthZEN endpoints
    gc.collect()
    gc.freeze()      # as a server process does (termsheet.web.app.freeze_heap)
    encode = lambda body: json.dumps(body, separators=(",", ":")).encode()  # noqa: E731

    async def call(path: str, body: bytes) -> None:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
                 "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
                 "server": ("127.0.0.1", 8000),
                 "headers": [(b"host", b"127.0.0.1:8000"),
                             (b"content-type", b"application/json"),
                             (b"authorization", f"Bearer {token}".encode()),
                             (b"content-length", str(len(body)).encode())]}
        sent = []

        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            sent.append(message)
        await app(scope, receive, send)
        if sent[0]["status"] != 200:
            raise SystemExit(f"in process: {path} answered {sent[0]['status']}: {sent[1:]}")

    async def cpu(path, bodies, passes=1, fresh=False) -> float:
        began = time.process_time()
        for _ in range(passes):
            for body in bodies:
                if fresh:   # no answer kept (the answers of outcomes stay, as in a server)
                    app.state.catalog.answers.forget_answers()
                await call(path, body)
        return (time.process_time() - began) / (passes * len(bodies))

    async def run() -> list[tuple[str, float, str]]:
        one, one_new = [encode(q) for q in hot], [encode(q) for q in many[6_000:16_000]]
        batches = [encode(b) for b in hot_batches]
        fresh_batches = [encode(b) for b in new_batches[6:16]]
        n = len(hot_batches[0]["evaluations"])
        await cpu(BARE, one[:2000])
        await cpu("/access/v1/evaluation", one)                   # the working set, asked once
        await cpu("/access/v1/evaluations", batches)
        out = [("bare endpoint", await cpu(BARE, one) * 1e6, "a request"),
               ("evaluation, asked before", await cpu("/access/v1/evaluation", one) * 1e6,
                "a request"),
               ("evaluation, every question new",
                await cpu("/access/v1/evaluation", one_new) * 1e6, "a request"),
               ("batch, asked before", await cpu("/access/v1/evaluations", batches, 2) * 1e6 / n,
                "a decision"),
               ("batch, every one new",
                await cpu("/access/v1/evaluations", fresh_batches, fresh=True) * 1e6 / n,
                "a decision")]
        return out

    return asyncio.run(run())


def _bare():
    class Bare:   # an ASGI app (Starlette calls a plain function with a Request instead)
        async def __call__(self, scope, receive, send):
            more = True
            while more:
                message = await receive()
                more = message.get("more_body", False)
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", b"2")]})
            await send({"type": "http.response.body", "body": b"{}"})
    return Bare()


def show(label: str, r: dict, unit: float = 1) -> None:
    extra = f"  = {r['throughput'] * unit:9,.0f} decisions/s" if unit > 1 else ""
    print(f"  {label:52} {r['requests']:7,} ok {r['throughput']:7,.0f} req/s  "
          f"p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms  server CPU "
          f"{r['cpu'] * 1e6:7.0f} us/req{extra}")


def goal(text: str, ok: bool) -> None:
    print(f"  [{'met ' if ok else 'MISS'}] {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per round")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--batch", type=int, default=1000, help="evaluations per batch")
    parser.add_argument("--client", choices=("wrk", "httpx"), default=None)
    args = parser.parse_args()
    client = args.client or ("wrk" if shutil.which("wrk") else "httpx")
    round_ = wrk_round if client == "wrk" else httpx_round
    if client == "httpx" and not args.client:
        print("wrk not found (Debian: apt-get install wrk): using an async httpx client with a "
              "pool, in a separate process")
    c, d = args.connections, args.duration
    singles = [q for q, _ in QUESTIONS]
    hot = distinct_questions(6_000)                        # fewer than the answers kept
    many = distinct_questions(60_000)                      # more than the answers kept (20,000)
    shuffled = random.Random(12).sample(hot * 10, len(hot) * 10)
    hot_batches = [{"evaluations": shuffled[i:i + args.batch]}
                   for i in range(0, len(shuffled), args.batch)]
    new_batches = [{"evaluations": many[i:i + args.batch]}
                   for i in range(0, len(many), args.batch)]
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        server, token, base = start_server(Path(folder))
        round_ = measured(round_, server.pid)
        try:
            check_answers(base, token)
            print(f"termsheet serve (uvicorn, uvloop, httptools; 1 worker) on {base} "
                  f"(pid {server.pid}); load: {client} in a separate process, keep-alive; "
                  f"{os.cpu_count()} cores shared with the load generator")
            # warm-up: the working set asked once, as a busy server would have by now
            round_(base, token, "/access/v1/evaluation", hot, c, 2, folder)
            round_(base, token, "/access/v1/evaluations", hot_batches, 8, 2, folder)
            bare = round_(base, token, BARE, singles, c, d, folder)
            one = round_(base, token, "/access/v1/evaluation", hot, c, d, folder)
            batch = round_(base, token, "/access/v1/evaluations", hot_batches, 8, d, folder)
            api = round_(base, token, DECIDE[0], [DECIDE[1]], c, d, folder)
            # last: these push the working set out of the kept answers
            one_new = round_(base, token, "/access/v1/evaluation", many, c, d, folder)
            batch_new = round_(base, token, "/access/v1/evaluations", new_batches, 8, d,
                               folder)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        cached, scrypt = token_check_costs(Path(folder))
        inproc = in_process(Path(folder), singles, hot, many, hot_batches, new_batches)
    show(f"anchor: bare ASGI endpoint, same app ({c} conn)", bare)
    show(f"POST /access/v1/evaluation ({c} conn)", one)
    show(f"POST /access/v1/evaluation, every question new ({c} conn)", one_new)
    show(f"POST /api/agreements/{{id}}/decide (FastAPI route, {c} conn)", api)
    show(f"POST /access/v1/evaluations x{args.batch} (8 conn)", batch, args.batch)
    show(f"POST /access/v1/evaluations x{args.batch}, every one new (8 conn)", batch_new,
         args.batch)
    print(f"  token check: {cached * 1e6:.1f} us for a token verified before (kept "
          f"5 minutes), {scrypt * 1000:.0f} ms for a new one (scrypt, once)")
    ratio = one["throughput"] / bare["throughput"]
    print(f"ratio (wall): evaluation / bare endpoint = {ratio:.2f}x; every question new / bare = "
          f"{one_new['throughput'] / bare['throughput']:.2f}x; FastAPI decide route / bare = "
          f"{api['throughput'] / bare['throughput']:.2f}x")
    cpu_ratio = bare["cpu"] / one["cpu"]
    print(f"ratio (server CPU per request): evaluation = {cpu_ratio:.2f}x the bare endpoint's "
          f"rate; every question new = {bare['cpu'] / one_new['cpu']:.2f}x; FastAPI decide route "
          f"= {bare['cpu'] / api['cpu']:.2f}x")
    per_core = 1 / one["cpu"]
    batch_core = args.batch / batch["cpu"]
    print("goals (wall clock, as measured on this machine now):")
    goal(f"evaluation >= 3,000 req/s: {one['throughput']:,.0f}", one["throughput"] >= 3000)
    goal(f"evaluation p99 <= 25 ms at {c} connections: {one['p99']:.1f} ms", one["p99"] <= 25)
    goal(f"evaluation >= 0.7x the bare endpoint: {ratio:.2f}x", ratio >= 0.7)
    goal(f"batch >= 200,000 decisions/s: {batch['throughput'] * args.batch:,.0f}",
         batch["throughput"] * args.batch >= 200_000)
    print("goals (server CPU per request: what one core given to the server answers):")
    goal(f"evaluation >= 3,000 req/s per core: {per_core:,.0f}", per_core >= 3000)
    goal(f"evaluation >= 0.7x the bare endpoint: {cpu_ratio:.2f}x", cpu_ratio >= 0.7)
    goal(f"batch >= 200,000 decisions/s per core: {batch_core:,.0f}", batch_core >= 200_000)
    print(f"in process (the ASGI app called directly, same middleware, no sockets; CPU time), "
          f"batches of {args.batch}:")
    for label, value, unit in inproc:
        print(f"  {label:52} {value:8.2f} us of CPU {unit}")
    per_decision = dict((label, value) for label, value, _ in inproc)
    bare_cpu, one_cpu = per_decision["bare endpoint"], per_decision["evaluation, asked before"]
    print(f"ratio (in process): evaluation = {bare_cpu / one_cpu:.2f}x the bare endpoint's rate; "
          f"batch asked before = {1e6 / per_decision['batch, asked before']:,.0f} decisions/s "
          f"per core, every one new = {1e6 / per_decision['batch, every one new']:,.0f}")
    goal(f"batch asked before < 5 us of CPU per decision in process: "
         f"{per_decision['batch, asked before']:.2f} us",
         per_decision["batch, asked before"] < 5)

if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-child":
        serve_child(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--httpx-child":
        httpx_child(sys.argv[2])
    else:
        main()
