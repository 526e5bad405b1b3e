"""Schemathesis over the OpenAPI document: every operation, generated requests (valid and not),
no 5xx, and every response in a status, media type and shape that the document declares."""

from __future__ import annotations

import shutil
import time

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from support.web import SCENARIO
from web_helpers import make_access

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 15}


@pytest.fixture(scope="module")
def served(flagship_dir, tmp_path_factory):
    from termsheet.web import Settings, create_app
    root = tmp_path_factory.mktemp("schema")
    shutil.copytree(flagship_dir, root / "agreements" / "openai-microsoft")
    (root / "scenarios").mkdir()
    (root / "scenarios" / "tiny.yaml").write_text(SCENARIO)
    tokens = make_access(root / "access.yaml")
    # schemathesis calls the app as host "testserver"; its requests bring wrong tokens on
    # purpose, many more than the rate limit of failures allows (tested in test_web_security)
    app = create_app(Settings(agreements=root / "agreements", access=root / "access.yaml",
                              scenarios=root / "scenarios", allowed_hosts=("testserver",),
                              token_failures=1_000_000))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    yield schema, tokens


def run_operation(operation, headers, mode: GenerationMode) -> int:
    calls = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES[mode], deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        if "agreement" in (case.path_parameters or {}):
            # half the cases ask about the agreement the server holds, so that the operation
            # gets past "no such agreement" and into its own code
            if len(calls) % 2 == 0:
                case.path_parameters["agreement"] = "openai-microsoft"
        calls.append(case)
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        check()
    except Unsatisfiable:
        # nothing to make invalid: an operation without parameters or a body
        assert mode == GenerationMode.NEGATIVE
    return len(calls)


def test_no_5xx_and_responses_as_documented(served, capsys):
    schema, tokens = served
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    rows, started = [], time.monotonic()
    for operation in operations:
        # as admin: every route is open to admin, so none stops at 403
        counts = [run_operation(operation, tokens.header("admin"), mode) for mode in EXAMPLES]
        rows.append((operation.method.upper(), operation.path, *counts))
    with capsys.disabled():
        print(f"\nschemathesis: {len(rows)} operations, "
              f"{sum(p + n for *_, p, n in rows)} requests (valid and invalid), "
              f"{time.monotonic() - started:.1f} s, checks: "
              + ", ".join(c.__name__ for c in CHECKS))
        for method, path, positive, negative in rows:
            print(f"  {method:5} {path:64} {positive:3} valid {negative:3} invalid  ok")


def test_without_a_token_every_api_operation_is_401(served):
    schema, _ = served
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(("/api/", "/access/")):
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=3, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def without_token(case):
            response = case.call()
            assert response.status_code == 401, (operation.path, response.status_code)
            assert response.json()["errors"][0]["code"] == "E401"

        without_token()
        checked += 1
    assert checked == 32  # 27, GET /api/reload, and /api/conflicts, /api/calendar,
    #                       /api/agreements/{id}/decisions, a period's restatement history
