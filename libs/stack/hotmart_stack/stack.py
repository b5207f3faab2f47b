"""The whole local stack in one object: servers, services, supervision, stack.json."""

from __future__ import annotations

import atexit
import os
import signal
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from hotmart_stack import servers
from hotmart_stack.infra import SERVICE_DEFAULTS, Endpoints, Infrastructure, start_infrastructure
from hotmart_stack.services import ALL_SERVICES, API_SERVICE, ServiceSpec
from hotmart_stack.state import state_path, write_state
from hotmart_stack.supervisor import RestartPolicy, Supervisor


class EmbeddedStack:
    """Kafka, PostgreSQL, S3 and the services, as local processes under supervision.

    A server whose URL is already set in `env` (default: os.environ) is used, not started.
    PostgreSQL keeps its data in `<run_dir>/pgdata`; logs go to `<run_dir>/logs/`.
    """

    def __init__(
        self,
        run_dir: Path | str,
        services: Sequence[ServiceSpec] = ALL_SERVICES,
        env: Mapping[str, str] | None = None,
        *,
        api_service: str = API_SERVICE,
        restart_policy: RestartPolicy = RestartPolicy(),
        database: str = servers.DEFAULT_DATABASE,
    ) -> None:
        self.run_dir = Path(run_dir).absolute()
        self.log_dir = self.run_dir / "logs"
        self._env = dict(os.environ if env is None else env)
        self._specs = tuple(services)
        self._api_service = api_service
        self._restart_policy = restart_policy
        self._database = database
        self._infra: Infrastructure | None = None
        self._supervisor: Supervisor | None = None
        self._supervision_stop = threading.Event()
        self._supervision: threading.Thread | None = None
        self._cancel = threading.Event()
        self._state_published = False
        self._state_lock = threading.Lock()

    def __enter__(self) -> EmbeddedStack:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> EmbeddedStack:
        """Start the missing servers and every service; return without waiting for /readyz."""
        atexit.register(self.stop)
        try:
            self._infra = start_infrastructure(
                self.run_dir, self._env, database=self._database, cancel=self._cancel
            )
            self._supervisor = Supervisor(
                self._specs,
                {**SERVICE_DEFAULTS, **self._env, **self._infra.endpoints.as_env()},
                self.log_dir,
                policy=self._restart_policy,
                on_restart=self._refresh_state,
            )
            self._supervisor.start()
        except BaseException:
            self.stop()
            raise
        self._supervision = threading.Thread(
            target=self._supervisor.run,
            args=(self._supervision_stop,),
            name="hotmart-stack-supervisor",
            daemon=True,
        )
        self._supervision.start()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until every service answers GET /readyz with 200; StartupError if not."""
        self._require_supervisor().wait_ready(timeout, self._cancel)

    def request_stop(self) -> None:
        """Safe from a signal handler: aborts a startup in progress, ends `wait_for_stop`."""
        self._cancel.set()

    def wait_for_stop(self) -> None:
        while not self._cancel.wait(0.5):
            pass

    def hold(self, service: str) -> None:
        """Stop a service gracefully and keep it down, as an outage would, until `release`."""
        self._require_supervisor().hold(service)

    def release(self, service: str) -> None:
        self._require_supervisor().release(service)

    def stop_postgres(self) -> None:
        """Stop the PostgreSQL this stack started (fast shutdown); its data stays."""
        self._started_postgres().process.stop(30.0)

    def start_postgres_again(self) -> None:
        """Start the stopped PostgreSQL on the same port and data, so clients reconnect."""
        assert self._infra is not None
        old = self._started_postgres()
        port = int(old.url.rsplit(":", 1)[1].split("/", 1)[0])
        self._infra.started["postgres"] = servers.start_postgres(
            old.data_dir, self.log_dir / "postgres.log", database=self._database, port=port)
        self._refresh_state()

    def _started_postgres(self) -> servers.PostgresServer:
        server = self._infra.started.get("postgres") if self._infra else None
        if not isinstance(server, servers.PostgresServer):
            raise LookupError("this stack did not start PostgreSQL")
        return server

    def kill(self, service: str, sig: int = signal.SIGKILL) -> int:
        """Signal one service like a crash would and return its pid; it gets restarted."""
        return self._require_supervisor().kill(service, sig)

    def stop(self) -> None:
        """Stop the services, then the servers this stack started. Safe to call twice."""
        self._cancel.set()
        self._supervision_stop.set()
        if self._supervision is not None:
            self._supervision.join()
        if self._supervisor is not None:
            self._supervisor.stop()
        if self._infra is not None:
            self._infra.stop()
        self._remove_state()
        atexit.unregister(self.stop)

    @property
    def endpoints(self) -> Endpoints:
        if self._infra is None:
            raise RuntimeError("the stack is not started")
        return self._infra.endpoints

    @property
    def kafka_bootstrap(self) -> str:
        return self.endpoints.kafka_bootstrap

    @property
    def database_url(self) -> str:
        return self.endpoints.database_url

    @property
    def s3_endpoint(self) -> str:
        return self.endpoints.s3_endpoint

    @property
    def s3_bucket(self) -> str:
        return self.endpoints.s3_bucket

    @property
    def api_url(self) -> str:
        supervisor = self._require_supervisor()
        if self._api_service not in supervisor.names:
            raise LookupError(f"no {self._api_service!r} service in this stack")
        return supervisor.url(self._api_service)

    def service_url(self, service: str) -> str:
        return self._require_supervisor().url(service)

    def metrics_url(self, service: str) -> str:
        """Where Prometheus would scrape the service: not its API's port."""
        return self._require_supervisor().metrics_url(service)

    def service_log(self, service: str) -> Path:
        return self.log_dir / f"{service}.log"

    @property
    def service_env(self) -> dict[str, str]:
        """The HOTMART_* settings the services get: point an in-process client at the same."""
        return {**SERVICE_DEFAULTS, **self.endpoints.as_env()}

    @property
    def pids(self) -> dict[str, int]:
        server_pids = self._infra.pids if self._infra else {}
        service_pids = self._supervisor.pids if self._supervisor else {}
        return {**server_pids, **service_pids}

    def _require_supervisor(self) -> Supervisor:
        if self._supervisor is None:
            raise RuntimeError("the stack is not started")
        return self._supervisor

    @property
    def state_path(self) -> Path:
        return state_path(self.run_dir)

    def state(self) -> dict[str, Any]:
        api_url = self.api_url if self._api_service in self._require_supervisor().names else None
        return {
            "api_url": api_url,
            "kafka_bootstrap": self.kafka_bootstrap,
            "database_url": self.database_url,
            "s3_endpoint": self.s3_endpoint,
            "s3_bucket": self.s3_bucket,
            "metrics_urls": {name: self.metrics_url(name)
                             for name in self._require_supervisor().names},
            "supervisor_pid": os.getpid(),
            "pids": self.pids,
        }

    def publish_state(self) -> Path:
        """Write stack.json (rewritten after each restart, removed by stop) for the CLI."""
        with self._state_lock:
            self._state_published = True
            write_state(self.state_path, self.state())
        return self.state_path

    def _refresh_state(self) -> None:
        with self._state_lock:
            if self._state_published:
                write_state(self.state_path, self.state())

    def _remove_state(self) -> None:
        with self._state_lock:
            if self._state_published:
                self.state_path.unlink(missing_ok=True)
                self._state_published = False
