"""Driving the public HTTP API the way a producer's client would."""

import time
from typing import Any

import httpx


def upload(api: httpx.Client, file_name: str, data: bytes) -> httpx.Response:
    return api.post("/v1/imports", files={"file": (file_name, data)})


def run_import(api: httpx.Client, file_name: str, data: bytes,
               timeout_s: float = 120.0) -> dict[str, Any]:
    created = upload(api, file_name, data)
    assert created.status_code == 201, created.text
    import_id = created.json()["id"]
    confirmed = api.post(f"/v1/imports/{import_id}/confirm")
    assert confirmed.status_code == 202, confirmed.text
    return wait_finished(api, import_id, timeout_s)


def wait_finished(api: httpx.Client, import_id: str, timeout_s: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        resource: dict[str, Any] = api.get(f"/v1/imports/{import_id}").json()
        if resource["status"] in ("completed", "failed"):
            return resource
        time.sleep(0.2)
    raise TimeoutError(f"import {import_id} did not finish: {resource}")
