"""Keeps the services running: starts them, restarts the ones that die, stops them all."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from hotmart_stack.processes import (
    ManagedProcess,
    StartupCancelled,
    StartupError,
    free_port,
    stop_all,
    wait_until,
)
from hotmart_stack.services import ServiceSpec

log = logging.getLogger("hotmart_stack.supervisor")

HOST = "127.0.0.1"
SERVICE_STOP_GRACE = 15.0


@dataclass(frozen=True)
class RestartPolicy:
    first_delay: float = 0.5
    max_delay: float = 10.0
    # A service that stayed up this long is healthy again: its next crash restarts fast.
    healthy_after: float = 30.0


@dataclass
class _Service:
    spec: ServiceSpec
    port: int
    metrics_port: int
    process: ManagedProcess | None = None
    next_delay: float = 0.0
    restart_at: float | None = None
    restarts: int = 0
    held: bool = False


class Supervisor:
    def __init__(
        self,
        specs: Sequence[ServiceSpec],
        env: Mapping[str, str],
        log_dir: Path,
        *,
        policy: RestartPolicy = RestartPolicy(),
        on_restart: Callable[[], None] = lambda: None,
    ) -> None:
        self._services = {spec.name: _Service(spec, free_port(), free_port())
                          for spec in specs}
        self._env = dict(env)
        self._log_dir = log_dir
        self._policy = policy
        self._on_restart = on_restart
        self._lock = threading.Lock()
        self._stopping = False

    @property
    def names(self) -> list[str]:
        return list(self._services)

    @property
    def port_env(self) -> dict[str, str]:
        ports = {svc.spec.port_env: str(svc.port) for svc in self._services.values()}
        ports.update({svc.spec.metrics_port_env: str(svc.metrics_port)
                      for svc in self._services.values() if svc.spec.metrics_port_env})
        ports.update({svc.spec.url_env(other): self.url(other)
                      for svc in self._services.values() for other in svc.spec.reads_from
                      if other in self._services})
        return ports

    @property
    def pids(self) -> dict[str, int]:
        with self._lock:
            return {
                name: svc.process.pid
                for name, svc in self._services.items()
                if svc.process is not None and svc.process.is_alive()
            }

    def url(self, name: str) -> str:
        return f"http://{HOST}:{self._services[name].port}"

    def metrics_url(self, name: str) -> str:
        return f"http://{HOST}:{self._services[name].metrics_port}/metrics"

    def log_path(self, name: str) -> Path:
        return self._log_dir / f"{name}.log"

    def start(self) -> None:
        with self._lock:
            for svc in self._services.values():
                svc.next_delay = self._policy.first_delay
                self._launch(svc)

    def _launch(self, svc: _Service) -> None:
        env = {**self._env, **self.port_env, "PYTHONUNBUFFERED": "1"}
        svc.process = ManagedProcess.start(
            svc.spec.name, svc.spec.argv, self.log_path(svc.spec.name), env=env
        )
        svc.restart_at = None

    def run(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Supervise until `stop` is set."""
        while not stop.wait(interval):
            self.check()

    def check(self) -> None:
        """One supervision pass: notice exits, restart what is due."""
        restarted = False
        with self._lock:
            if self._stopping:
                return
            now = time.monotonic()
            for svc in self._services.values():
                if svc.held:
                    continue
                if svc.restart_at is None and svc.process and not svc.process.is_alive():
                    self._schedule_restart(svc, now)
                if svc.restart_at is not None and now >= svc.restart_at:
                    restarted = self._relaunch(svc, now) or restarted
        if restarted:
            self._on_restart()

    def _relaunch(self, svc: _Service, now: float) -> bool:
        try:
            self._launch(svc)
        except OSError as error:
            svc.restart_at = now + svc.next_delay
            svc.next_delay = min(svc.next_delay * 2, self._policy.max_delay)
            log.error("service %s could not be started: %s", svc.spec.name, error)
            return False
        return True

    def _schedule_restart(self, svc: _Service, now: float) -> None:
        assert svc.process is not None
        svc.process.kill_group()  # orphans of the dead one could hold its port
        uptime = svc.process.uptime()
        if uptime >= self._policy.healthy_after:
            svc.next_delay = self._policy.first_delay
        delay = svc.next_delay
        svc.next_delay = min(delay * 2, self._policy.max_delay)
        svc.restarts += 1
        svc.restart_at = now + delay
        log.warning(
            "service %s (pid %d) exited with code %s after %.1f s; restart #%d in %.1f s (log: %s)",
            svc.spec.name,
            svc.process.pid,
            svc.process.exit_code,
            uptime,
            svc.restarts,
            delay,
            svc.process.log_path,
        )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> int:
        """Signal a running service as a crash would; the supervisor restarts it."""
        with self._lock:
            process = self._services[name].process
            if process is None or not process.is_alive():
                raise LookupError(f"service {name} is not running")
            process.signal(sig)
            return process.pid

    def hold(self, name: str, grace: float = SERVICE_STOP_GRACE) -> None:
        """Stop a service gracefully and keep it down (an outage) until `release`."""
        with self._lock:
            svc = self._services[name]
            svc.held = True
            process = svc.process
        if process is not None and process.is_alive():
            process.stop(grace)

    def release(self, name: str) -> None:
        with self._lock:
            svc = self._services[name]
            svc.held = False
            self._launch(svc)

    def is_ready(self, name: str) -> bool:
        try:
            answer = httpx.get(f"{self.url(name)}/readyz", timeout=1.0)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200

    def wait_ready(self, timeout: float, cancel: threading.Event | None = None) -> None:
        waiting = set(self._services)
        cancelled = cancel.is_set if cancel is not None else lambda: False

        def all_ready() -> bool:
            waiting.difference_update({name for name in waiting if self.is_ready(name)})
            return not waiting

        if wait_until(all_ready, timeout=timeout, interval=0.2, give_up=cancelled):
            return
        if cancelled():
            raise StartupCancelled("startup was cancelled")
        raise StartupError(self._not_ready_report(sorted(waiting), timeout))

    def _not_ready_report(self, names: list[str], timeout: float) -> str:
        lines = [f"services not ready (GET /readyz != 200) after {timeout:.0f} s: {names}"]
        for name in names:
            process = self._services[name].process
            state = "running" if process and process.is_alive() else "not running"
            lines.append(f"--- {name} ({state}, {self.url(name)}), last lines of its log:")
            lines.append(process.log_tail(10) if process else "(never started)")
        return "\n".join(lines)

    def stop(self, grace: float = SERVICE_STOP_GRACE) -> None:
        with self._lock:
            self._stopping = True
            processes = [svc.process for svc in self._services.values() if svc.process]
        stop_all(processes, grace)
