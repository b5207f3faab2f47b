"""One import through the public HTTP API, timed the way a producer would feel it."""

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

POLL_EVERY_S = 0.05  # until the first progress, which is timed by the poll that shows it
# Then as a progress bar polls: the completion is timed by the import's own completed_at,
# and twenty polls a second would make the stack answer the bench instead of importing.
FOLLOW_EVERY_S = 0.5


@dataclass
class ImportTiming:
    import_id: str | None = None
    status: str = "not started"
    error: str | None = None
    upload_s: float | None = None           # the POST of the file, preview included
    upload_status: int | None = None        # the POST's answer: 201, or why not
    seconds: float | None = None            # upload start -> the import's completed_at
    first_progress_s: float | None = None   # confirm -> first GET showing progress
    resource: dict[str, Any] = field(default_factory=dict)

    @property
    def completed(self) -> bool:
        return self.status == "completed"


def run_import(api: httpx.Client, file_name: str, data: bytes, timeout_s: float) -> ImportTiming:
    timing = ImportTiming()
    started, started_wall = time.perf_counter(), time.time()
    created = api.post("/v1/imports", files={"file": (file_name, data)})
    timing.upload_s = time.perf_counter() - started
    timing.upload_status = created.status_code
    if created.status_code != 201:
        return _refused(timing, "upload", created)
    timing.import_id = created.json()["id"]
    confirm_started = time.perf_counter()
    confirmed = api.post(f"/v1/imports/{timing.import_id}/confirm")
    if confirmed.status_code != 202:
        return _refused(timing, "confirm", confirmed)
    _follow(api, timing, started, confirm_started, started + timeout_s)
    if timing.completed:  # the services share this machine's clock
        completed_at = datetime.fromisoformat(timing.resource["completed_at"])
        timing.seconds = completed_at.timestamp() - started_wall
    return timing


def _refused(timing: ImportTiming, step: str, answer: httpx.Response) -> ImportTiming:
    timing.status = "refused"
    timing.error = f"{step} answered {answer.status_code}: {answer.text[:200]}"
    return timing


def _follow(api: httpx.Client, timing: ImportTiming, started: float, confirm_started: float,
            deadline: float) -> None:
    next_poll = time.perf_counter()
    while True:
        resource: dict[str, Any] = api.get(f"/v1/imports/{timing.import_id}").json()
        seen_at = time.perf_counter()
        timing.resource, timing.status = resource, resource["status"]
        if timing.first_progress_s is None and _shows_progress(resource):
            timing.first_progress_s = seen_at - confirm_started
        if timing.status in ("completed", "failed"):
            timing.seconds = seen_at - started
            timing.error = resource.get("error") if timing.status == "failed" else None
            return
        if seen_at > deadline:
            timing.status, timing.error = "timed out", f"still {timing.status} at the deadline"
            return
        next_poll += POLL_EVERY_S if timing.first_progress_s is None else FOLLOW_EVERY_S
        time.sleep(max(0.0, next_poll - time.perf_counter()))


def _shows_progress(resource: dict[str, Any]) -> bool:
    clients = (resource.get("clients_created") or 0) + (resource.get("clients_updated") or 0)
    return (resource.get("chunks_done") or 0) > 0 or clients > 0


def poll_for(api: httpx.Client, import_id: str, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        api.get(f"/v1/imports/{import_id}")
        time.sleep(POLL_EVERY_S)
