"""The servers under the services: which to start, and where the services find them."""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hotmart_stack import servers

KAFKA_VAR = "HOTMART_KAFKA_BOOTSTRAP_SERVERS"
DATABASE_VAR = "HOTMART_DATABASE_URL"
S3_ENDPOINT_VAR = "HOTMART_S3_ENDPOINT_URL"
S3_BUCKET_VAR = "HOTMART_S3_BUCKET"
SERVER_STOP_GRACE = 10.0

S3_DEFAULTS = {
    "HOTMART_S3_REGION": servers.S3_REGION,
    "HOTMART_S3_ACCESS_KEY_ID": servers.S3_ACCESS_KEY,
    "HOTMART_S3_SECRET_ACCESS_KEY": servers.S3_SECRET_KEY,
}
# Tansu answers a fetch that found nothing only when its wait is over, even if a message
# arrives meanwhile (Kafka answers at once): a short wait, paid for in idle polling, keeps
# each hop of the pipeline fast on the embedded stack.
SERVICE_DEFAULTS = {**S3_DEFAULTS, "HOTMART_KAFKA_FETCH_MAX_WAIT_MS": "50"}


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap: str
    database_url: str
    s3_endpoint: str
    s3_bucket: str

    def as_env(self) -> dict[str, str]:
        return {
            KAFKA_VAR: self.kafka_bootstrap,
            DATABASE_VAR: self.database_url,
            S3_ENDPOINT_VAR: self.s3_endpoint,
            S3_BUCKET_VAR: self.s3_bucket,
        }


@dataclass
class Infrastructure:
    endpoints: Endpoints
    started: dict[str, servers.RunningServer]

    @property
    def pids(self) -> dict[str, int]:
        return {name: server.pid for name, server in self.started.items()}

    def stop(self) -> None:
        stop_servers(self.started)
        self.started.clear()


def stop_servers(started: Mapping[str, servers.RunningServer]) -> None:
    for server in reversed(list(started.values())):
        server.stop(SERVER_STOP_GRACE)


def start_infrastructure(
    run_dir: Path,
    env: Mapping[str, str],
    *,
    database: str = servers.DEFAULT_DATABASE,
    cancel: threading.Event | None = None,
) -> Infrastructure:
    """Start, side by side, every server whose URL `env` does not already give."""
    bucket = env.get(S3_BUCKET_VAR) or servers.DEFAULT_BUCKET
    log_dir = run_dir / "logs"
    starters: dict[str, Callable[[], servers.RunningServer]] = {}
    if not env.get(KAFKA_VAR):
        starters["kafka"] = lambda: servers.start_kafka(log_dir / "kafka.log", cancel=cancel)
    if not env.get(DATABASE_VAR):
        starters["postgres"] = lambda: servers.start_postgres(
            run_dir / "pgdata", log_dir / "postgres.log", database=database, cancel=cancel
        )
    if not env.get(S3_ENDPOINT_VAR):
        starters["s3"] = lambda: servers.start_s3(log_dir / "s3.log", bucket=bucket, cancel=cancel)
    started = start_side_by_side(starters)

    def address(name: str, var: str) -> str:
        return env.get(var) or started[name].address

    endpoints = Endpoints(
        kafka_bootstrap=address("kafka", KAFKA_VAR),
        database_url=address("postgres", DATABASE_VAR),
        s3_endpoint=address("s3", S3_ENDPOINT_VAR),
        s3_bucket=bucket,
    )
    return Infrastructure(endpoints, started)


def start_side_by_side(
    starters: Mapping[str, Callable[[], servers.RunningServer]],
) -> dict[str, servers.RunningServer]:
    """Run the starters in parallel; if one fails, stop the others and raise its error."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(starters))) as pool:
        futures = {name: pool.submit(start) for name, start in starters.items()}
        concurrent.futures.wait(futures.values())
    started = {name: f.result() for name, f in futures.items() if f.exception() is None}
    failures = [error for future in futures.values() if (error := future.exception())]
    if failures:
        stop_servers(started)
        raise failures[0]
    return started
