"""`hotmart-import import FILE`: upload, confirm, follow the progress, show the result."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from hotmart_stack.client import ApiError, ImportApi, Resource
from hotmart_stack.report import ProgressLine, summary_text
from hotmart_stack.state import read_state

DEFAULT_API_URL = "http://127.0.0.1:8000"
POLL_INTERVAL = 0.2
FINAL_STATUSES = {"completed", "failed"}

EXIT_OK = 0
EXIT_IMPORT_FAILED = 1
EXIT_REJECTED = 2
EXIT_TIMED_OUT = 3


def resolve_api_url(explicit: str | None, run_dir: Path) -> str:
    if explicit:
        return explicit
    state = read_state(run_dir) or {}
    return str(state.get("api_url") or os.environ.get("HOTMART_API_URL") or DEFAULT_API_URL)


def run_import(
    file: Path,
    api_url: str,
    *,
    as_json: bool = False,
    timeout: float = 600.0,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    if not file.is_file():
        print(f"no such file: {file}", file=err)
        return EXIT_REJECTED
    with ImportApi(api_url) as api:
        try:
            import_id = str(api.upload(file)["id"])
            api.confirm(import_id)
            final = follow(api, import_id, timeout, ProgressLine(err))
        except ApiError as error:
            print(error.detail, file=err)
            return EXIT_REJECTED
    if final is None:
        print(f"import {import_id} did not finish within {timeout:.0f} s", file=err)
        return EXIT_TIMED_OUT
    return report(final, as_json, out, err)


def follow(
    api: ImportApi, import_id: str, timeout: float, progress: ProgressLine
) -> Resource | None:
    """Poll until the import is completed or failed; None after `timeout`."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            resource = current(api, import_id)
            if resource is not None:
                done = resource.get("status") in FINAL_STATUSES
                progress.show(resource, final=done)
                if done:
                    return resource
            time.sleep(POLL_INTERVAL)
        return None
    finally:
        progress.close()


def current(api: ImportApi, import_id: str) -> Resource | None:
    # The upload service may be restarting under the supervisor: wait it out.
    try:
        return api.get(import_id)
    except ApiError as error:
        if error.transient:
            return None
        raise


def report(final: Resource, as_json: bool, out: TextIO, err: TextIO) -> int:
    if final.get("status") == "failed":
        print(
            f"import {final.get('id')} failed: {final.get('error') or 'no reason given'}", file=err
        )
        return EXIT_IMPORT_FAILED
    print(json.dumps(final, ensure_ascii=False) if as_json else summary_text(final), file=out)
    return EXIT_OK
