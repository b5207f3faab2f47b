"""Child processes we started ourselves: spawn, watch, stop by pid, read their logs."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil

T = TypeVar("T")

DEFAULT_GRACE_SECONDS = 10.0


class StartupError(RuntimeError):
    """A process did not come up; the message carries the tail of its log."""


class StartupCancelled(StartupError):
    """A stop was requested while the stack was still starting."""


_HANDED_OUT: set[int] = set()


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on, never one this process handed out before: the kernel may
    offer a just-probed port again before the server it was meant for has bound it."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            port: int = probe.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout: float,
    interval: float = 0.1,
    give_up: Callable[[], bool] = lambda: False,
) -> bool:
    """Poll `condition` until it holds; False on timeout or as soon as `give_up` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if give_up():
            return False
        time.sleep(interval)
    return condition()


def run_coroutine_blocking(make_coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    # A private loop on a private thread works even when the caller already runs an
    # event loop (async pytest fixtures), where asyncio.run would refuse.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(lambda: asyncio.run(make_coroutine())).result()


def tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def pid_alive(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def pid_created_before(pid: int, moment: float) -> bool:
    """False for a pid the kernel has since handed to an unrelated, newer process."""
    try:
        created: float = psutil.Process(pid).create_time()
    except psutil.NoSuchProcess:
        return False
    return created <= moment + 1.0


def send_signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def wait_pids_gone(pids: Iterable[int], timeout: float) -> list[int]:
    """Wait for the pids to exit; return those still alive after `timeout`."""
    remaining = list(pids)

    def all_gone() -> bool:
        remaining[:] = [pid for pid in remaining if pid_alive(pid)]
        return not remaining

    wait_until(all_gone, timeout=timeout, interval=0.1)
    return remaining


@dataclass
class ManagedProcess:
    """One child process with its own log file, stopped by its pid and nothing else."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    stop_signal: int = signal.SIGTERM
    started_at: float = field(default_factory=time.monotonic)
    group_killed: bool = False

    @classmethod
    def start(
        cls,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        user: str | None = None,
        stop_signal: int = signal.SIGTERM,
    ) -> ManagedProcess:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {name}\n".encode())
            log.flush()
            # Own process group: a Ctrl-C in the terminal reaches only the supervisor,
            # which then stops everything in order (services before their servers).
            popen = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                user=user,
                process_group=0,
            )
        return cls(name=name, popen=popen, log_path=log_path, stop_signal=stop_signal)

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def exit_code(self) -> int | None:
        return self.popen.poll()

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    def uptime(self) -> float:
        return time.monotonic() - self.started_at

    def log_tail(self, lines: int = 30) -> str:
        return tail(self.log_path, lines)

    def signal(self, sig: int) -> None:
        if self.is_alive():
            send_signal(self.pid, sig)

    def stop(self, grace: float = DEFAULT_GRACE_SECONDS) -> None:
        self.signal(self.stop_signal)
        self.wait_or_kill(grace)

    def wait_or_kill(self, grace: float) -> None:
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill_group()
            self.popen.wait()
        self.kill_group()

    def kill_group(self) -> None:
        """SIGKILL the process and whatever it spawned: its group is ours alone."""
        # Once, because an emptied group's id may later name somebody else's group.
        if self.group_killed:
            return
        self.group_killed = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)


def stop_all(processes: Sequence[ManagedProcess], grace: float) -> None:
    """Signal every process at once, then share one grace period before SIGKILL."""
    for process in processes:
        process.signal(process.stop_signal)
    deadline = time.monotonic() + grace
    for process in processes:
        process.wait_or_kill(max(0.0, deadline - time.monotonic()))


def startup_failure(process: ManagedProcess, reason: str) -> StartupError:
    return StartupError(
        f"{process.name} (pid {process.pid}) {reason}; last lines of {process.log_path}:\n"
        f"{process.log_tail()}"
    )


def wait_ready(
    process: ManagedProcess,
    is_ready: Callable[[], bool],
    timeout: float,
    cancel: threading.Event | None = None,
) -> None:
    """Wait until `is_ready`; raise if the process exits, time runs out or `cancel` is set."""
    cancelled = cancel.is_set if cancel is not None else lambda: False
    if wait_until(
        is_ready,
        timeout=timeout,
        interval=0.1,
        give_up=lambda: not process.is_alive() or cancelled(),
    ):
        return
    if cancelled():
        raise StartupCancelled(f"{process.name} startup was cancelled")
    if not process.is_alive():
        raise startup_failure(process, f"exited with code {process.exit_code}")
    raise startup_failure(process, f"did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def stopped_on_failure(process: ManagedProcess) -> Iterator[ManagedProcess]:
    """A server that fails any step of its startup must not outlive the failure."""
    try:
        yield process
    except BaseException:
        process.stop(grace=5.0)
        raise
