"""Driving the public HTTP API the way a producer's client would."""

import time
from collections.abc import Callable
from typing import Any

import httpx

Resource = dict[str, Any]  # an import as GET /v1/imports/{id} answers it
FINISHED = ("completed", "failed")


class ImportNotReady(TimeoutError):
    """The import did not reach the awaited state in time; ``resource`` is what it last said."""

    def __init__(self, import_id: str, resource: Resource, timeout_s: float) -> None:
        super().__init__(f"import {import_id} not there after {timeout_s:.0f} s;"
                         f" last seen {resource}")
        self.resource = resource


def upload(api: httpx.Client, file_name: str, data: bytes) -> httpx.Response:
    return api.post("/v1/imports", files={"file": (file_name, data)})


def run_import(api: httpx.Client, file_name: str, data: bytes,
               timeout_s: float = 120.0) -> Resource:
    created = upload(api, file_name, data)
    assert created.status_code == 201, created.text
    import_id = created.json()["id"]
    confirmed = api.post(f"/v1/imports/{import_id}/confirm")
    assert confirmed.status_code == 202, confirmed.text
    return wait_finished(api, import_id, timeout_s)


def finished(resource: Resource) -> bool:
    return resource["status"] in FINISHED


def wait_finished(api: httpx.Client, import_id: str, timeout_s: float = 120.0, *,
                  poll_s: float = 0.2) -> Resource:
    """The import once it is completed or failed."""
    return wait_for(api, import_id, finished, timeout_s, poll_s=poll_s)


def wait_for(api: httpx.Client, import_id: str, ready: Callable[[Resource], bool],
             timeout_s: float = 120.0, *, poll_s: float = 0.2) -> Resource:
    """The import once ``ready`` holds for it, polled every ``poll_s``.

    Raises ImportNotReady (a TimeoutError) after ``timeout_s``, and httpx.HTTPStatusError
    when the API answers the poll with an error.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        answer = api.get(f"/v1/imports/{import_id}")
        answer.raise_for_status()
        resource: Resource = answer.json()
        if ready(resource):
            return resource
        if time.monotonic() >= deadline:
            raise ImportNotReady(import_id, resource, timeout_s)
        time.sleep(poll_s)
