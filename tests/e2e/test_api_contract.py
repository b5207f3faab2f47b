"""Schemathesis against the live OpenAPI of every service the stack runs.

Each service's schema is fetched from the running service and probed in every phase
(its examples, the coverage of each parameter's bounds, random fuzzing, and stateful
sequences that follow the links it infers from POST /v1/imports to the routes of one
import), with a fixed seed and a bounded number of cases per operation. Any 5xx, any status
the OpenAPI does not declare, any answer whose content type or body breaks its declared
schema, and any answer slower than 5 s fails the test; the summary is printed (`-s`).
"""

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from hotmart_stack.services import ALL_SERVICES, API_SERVICE
from hotmart_stack.stack import EmbeddedStack

pytestmark = pytest.mark.e2e

SEED = 20_251_203
MAX_EXAMPLES = 100  # per operation and phase; the whole test takes about a minute here
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance")
MAX_RESPONSE_S = 5
RUN_TIMEOUT_S = 240
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def probe(base_url: str, report_dir: Path) -> tuple[subprocess.CompletedProcess[str],
                                                     dict[str, Any]]:
    run = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{base_url}/openapi.json",
         "--checks", ",".join(CHECKS), "--max-response-time", str(MAX_RESPONSE_S),
         "--phases", "examples,coverage,fuzzing,stateful",
         "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES), "--workers", "1",
         "--report", "json", "--report-dir", str(report_dir), "--output-truncate", "true"],
        capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False,
        cwd=report_dir,  # schemathesis writes its cassettes and caches here
    )
    reports = sorted(report_dir.glob("*.json"))
    return run, json.loads(reports[-1].read_text()) if reports else {}


@pytest.mark.parametrize("service", [spec.name for spec in ALL_SERVICES])
def test_every_answer_keeps_the_contract(stack: EmbeddedStack, api: httpx.Client,
                                         service: str, tmp_path: Path) -> None:
    started = time.monotonic()
    run, report = probe(stack.service_url(service), tmp_path)
    cases = report.get("test_cases", {})
    print(f"\nschemathesis {service}: {cases.get('generated')} cases, "
          f"{len(report.get('failures', []))} failures, {len(report.get('errors', []))} errors, "
          f"phases {({k: v['status'] for k, v in report.get('phases', {}).items()})}, "
          f"{time.monotonic() - started:.1f} s")
    wait_until_no_import_runs(api)  # later tests count metrics: leave no import behind
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert cases.get("generated", 0) > 0 and not report.get("failures")
    if service == API_SERVICE:  # the only one with links to follow
        assert report["phases"]["stateful"]["status"] == "success"


def wait_until_no_import_runs(api: httpx.Client, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        history = api.get("/v1/imports", params={"limit": 200}).json()["items"]
        if not any(item["status"] == "processing" for item in history):
            return
        time.sleep(0.5)
