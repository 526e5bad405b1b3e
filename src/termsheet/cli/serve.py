"""termsheet serve: the HTTP API, AuthZEN decisions and pages; termsheet token: access tokens."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Optional

import typer

from .common import console, console_err, print_json

LOOPBACK_NAMES = {"localhost"}
token_app = typer.Typer(help="API tokens in an access file (stored hashed).",
                        no_args_is_help=True)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(agreements: Path = typer.Option(Path("agreements"), "--agreements",
                                          help="A folder of agreement folders, or one agreement."),
          store: Optional[Path] = typer.Option(None, "--store",
                                               help="The settlement store (a DuckDB file)."),
          access: Optional[Path] = typer.Option(None, "--access", help="The access file of "
                                                "hashed tokens; without it the server is open."),
          host: str = typer.Option("127.0.0.1", "--host"),
          port: int = typer.Option(8000, "--port", min=0, max=65535),
          max_body: int = typer.Option(1_000_000, "--max-body", min=1024,
                                       help="Largest JSON request body, in bytes."),
          max_upload: int = typer.Option(50_000_000, "--max-upload", min=1024,
                                         help="Largest settlement upload, in bytes."),
          workers: int = typer.Option(1, "--workers", min=1, max=64,
                                      help="Server processes; several share jobs and "
                                           "settlement runs through --store."),
          reload_agreements: bool = typer.Option(
              False, "--reload-agreements", help="Pick up agreements edited on disk without a "
              "restart; a broken edit keeps the old ones serving (GET /api/reload)."),
          jobs_per_token: int = typer.Option(4, "--jobs-per-token", min=1,
                                             help="Jobs queued or running per token (429 after)."),
          jobs_total: int = typer.Option(32, "--jobs-total", min=1,
                                         help="Jobs queued or running in the server."),
          allow_host: Optional[list[str]] = typer.Option(
              None, "--allow-host", help="A host name clients may use to reach the server "
              "(repeatable; localhost, 127.0.0.1, ::1 and --host are always allowed)."),
          base_url: Optional[str] = typer.Option(
              None, "--base-url", help="The server's address as clients know it "
              "(https://pdp.example.com), for the AuthZEN metadata."),
          audit_log: Optional[Path] = typer.Option(
              None, "--audit-log", help="Write every decision and settlement to this file as "
              "JSON lines (rotated at 10 MB, 5 kept)."),
          as_json: bool = typer.Option(False, "--json",
                                       help="Print the start-up summary as JSON.")) -> None:
    """Serve the JSON API (reference at /reference, OpenAPI at /openapi.json), AuthZEN at
    /access/v1 and the pages."""
    if access is None and not is_loopback(host):
        console_err.print(f"refusing to serve an open server on {host}: pass --access FILE "
                          "(see `termsheet token add`) or serve on 127.0.0.1", markup=False)
        raise typer.Exit(2)
    if access is not None and not access.exists():
        console_err.print(f"no access file at {access}; create it with "
                          f"`termsheet token add NAME --admin --access {access}`", markup=False)
        raise typer.Exit(2)
    if workers > 1 and store is None:
        console_err.print("several workers share jobs and settlement runs through the store: "
                          "pass --store FILE (a DuckDB file) with --workers", soft_wrap=True)
        raise typer.Exit(2)
    import os

    import uvicorn

    from ..web import Settings
    from ..web.access import Access
    from ..web.app import ENVIRONMENT, load_catalog
    from ..web.security import DEFAULT_HOSTS
    hosts = tuple(dict.fromkeys([*DEFAULT_HOSTS, host, *(allow_host or [])]))
    settings = Settings(agreements=agreements, store=store, access=access, max_body=max_body,
                        max_upload=max_upload, workers=workers,
                        reload_agreements=reload_agreements, jobs_per_token=jobs_per_token,
                        jobs_total=jobs_total, allowed_hosts=hosts, base_url=base_url,
                        audit_log=audit_log)
    catalog = load_catalog(settings)     # bad agreements or access: positioned problems, exit 1
    Access.from_file(access)
    summary = {"url": f"http://{host}:{port}/", "agreements": catalog.ids,
               "access": str(access) if access else "open (local only)", "reference": "/reference",
               "workers": workers, "reload_agreements": reload_agreements}
    if as_json:
        print_json(summary)
    else:
        console.print(f"termsheet serving {', '.join(summary['agreements'])} at "
                      f"{summary['url']} (API: {summary['url']}reference; access: "
                      f"{summary['access']}; {workers} worker(s))", markup=False)
    # Each worker process builds its app from the settings (the same in all of them).
    os.environ[ENVIRONMENT] = settings.to_environment()
    uvicorn.run("termsheet.web.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers, timeout_worker_healthcheck=WORKER_START, **SERVER)


# The server stack, chosen for speed: uvloop's event loop, the httptools HTTP parser, no access
# log (the audit of decisions and settlements is the application's own).
SERVER = {"loop": "uvloop", "http": "httptools", "log_level": "warning", "access_log": False}
# Seconds a worker process may take to start (imports, loading the agreements) and to answer the
# supervisor's health checks; uvicorn's 5 s restarts slow starters in a loop on a busy machine.
WORKER_START = 60


@token_app.command("add")
def token_add(name: str = typer.Argument(..., help="A name for the token's holder."),
              access: Path = typer.Option(..., "--access", help="The access file."),
              party: Optional[str] = typer.Option(None, "--party",
                                                  help="The party the token speaks for."),
              admin: bool = typer.Option(False, "--admin", help="An admin token."),
              as_json: bool = typer.Option(False, "--json")) -> None:
    """Create a token (printed once; only its hash is stored). A name already there is replaced."""
    from ..web.access import add_token
    if admin == (party is not None):
        console_err.print("give exactly one of --party PARTY or --admin")
        raise typer.Exit(2)
    token = add_token(access, name, "admin" if admin else "party", party)
    if as_json:
        print_json({"name": name, "role": "admin" if admin else "party", "party": party,
                    "token": token})
    else:
        console.print(token, markup=False, soft_wrap=True)


@token_app.command("list")
def token_list(access: Path = typer.Option(..., "--access"),
               as_json: bool = typer.Option(False, "--json")) -> None:
    """The tokens of an access file (names and roles; secrets are never stored)."""
    from ..web.access import read_entries
    rows = [{"id": e.id, "name": e.name, "role": e.role, "party": e.party}
            for e in read_entries(access)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        console.print(f"{row['id']}  {row['name']}  {row['role']}"
                      + (f" ({row['party']})" if row["party"] else ""), markup=False)


@token_app.command("remove")
def token_remove(name: str, access: Path = typer.Option(..., "--access"),
                 as_json: bool = typer.Option(False, "--json")) -> None:
    """Remove a token by name; exit 1 when there was none."""
    from ..web.access import remove_token
    removed = remove_token(access, name)
    if as_json:
        print_json({"name": name, "removed": removed})
    elif removed:
        console.print(f"removed {name}", markup=False)
    else:
        console_err.print(f"no token named {name}", markup=False)
    raise typer.Exit(0 if removed else 1)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(token_app, name="token")
