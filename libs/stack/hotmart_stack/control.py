"""A stack running in another process: launch it detached, stop it, show it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from hotmart_stack.processes import (
    pid_alive,
    pid_created_before,
    send_signal,
    tail,
    wait_pids_gone,
    wait_until,
)
from hotmart_stack.state import listed_pids, read_state, state_path

DOWN_GRACE = 20.0
DETACH_MARGIN = 60.0  # on top of the services' ready timeout: servers start first


def running_pids(run_dir: Path) -> dict[str, int]:
    """Listed pids that still belong to this stack: alive, and older than stack.json."""
    state = read_state(run_dir)
    if state is None:
        return {}
    written_at = state_path(run_dir).stat().st_mtime
    return {
        name: pid
        for name, pid in listed_pids(state).items()
        if pid_alive(pid) and pid_created_before(pid, written_at)
    }


def refuse_if_running(run_dir: Path) -> bool:
    pids = running_pids(run_dir)
    if "supervisor" in pids:
        print(f"a stack is already running from {run_dir} (supervisor pid {pids['supervisor']})")
        print("stop it first: hotmart-import down")
        return True
    state_path(run_dir).unlink(missing_ok=True)
    return False


def print_endpoints(state: dict[str, Any], run_dir: Path) -> None:
    print(f"import API   {state['api_url']}")
    print(f"Kafka        {state['kafka_bootstrap']}")
    print(f"PostgreSQL   {state['database_url']}")
    print(f"S3           {state['s3_endpoint']} (bucket {state['s3_bucket']})")
    print(f"logs         {run_dir / 'logs'}")
    sys.stdout.flush()


def up_detached(run_dir: Path, ready_timeout: float) -> int:
    if refuse_if_running(run_dir):
        return 1
    log_path = run_dir / "logs" / "stack.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "hotmart_stack.cli", "up", "--run-dir", str(run_dir)]
    argv += ["--ready-timeout", str(ready_timeout)]
    with log_path.open("ab") as stack_log:
        child = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=stack_log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        came_up = wait_until(
            lambda: (read_state(run_dir) or {}).get("supervisor_pid") == child.pid,
            timeout=ready_timeout + DETACH_MARGIN,
            interval=0.2,
            give_up=lambda: child.poll() is not None,
        )
    except KeyboardInterrupt:
        stop_launched(child)
        print("interrupted: the background stack was stopped", file=sys.stderr)
        return 130
    if came_up:
        print_endpoints(read_state(run_dir) or {}, run_dir)
        print(f"running in the background (pid {child.pid}); stop it with: hotmart-import down")
        return 0
    stop_launched(child)
    print(f"the stack did not come up; last lines of {log_path}:", file=sys.stderr)
    print(tail(log_path, 40), file=sys.stderr)
    return 1


def stop_launched(child: subprocess.Popen[bytes]) -> None:
    child.terminate()  # its own handler stops whatever it already started
    try:
        child.wait(timeout=DOWN_GRACE + 30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def down(run_dir: Path) -> int:
    pids = running_pids(run_dir)
    if not pids:
        state_path(run_dir).unlink(missing_ok=True)
        print(f"nothing is running from {run_dir}")
        return 0
    if "supervisor" in pids:
        send_signal(pids["supervisor"], signal.SIGTERM)
    else:
        # The supervisor died without cleaning up: stop its orphans ourselves.
        for name, pid in pids.items():
            send_signal(pid, signal.SIGINT if name == "postgres" else signal.SIGTERM)
    stragglers = wait_pids_gone(pids.values(), DOWN_GRACE)
    for pid in stragglers:
        send_signal(pid, signal.SIGKILL)
    wait_pids_gone(stragglers, 5.0)
    state_path(run_dir).unlink(missing_ok=True)
    killed = f" ({len(stragglers)} killed after {DOWN_GRACE:.0f} s)" if stragglers else ""
    print(f"stopped {', '.join(sorted(pids))}{killed}")
    return 0


def status(run_dir: Path) -> int:
    state = read_state(run_dir)
    if state is None:
        print(f"nothing is running from {run_dir} (no {state_path(run_dir)})")
        return 1
    alive = running_pids(run_dir)
    print(json.dumps(state, indent=2))
    for name, pid in listed_pids(state).items():
        print(f"{name:<12} pid {pid:<8} {'alive' if name in alive else 'gone'}")
    return 0 if "supervisor" in alive else 1
