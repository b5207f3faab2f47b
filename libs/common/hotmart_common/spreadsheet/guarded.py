"""Runs the Excel reader in a child process whose memory and time are bounded.

The reader is native code: a damaged workbook can make it allocate gigabytes or abort.
In a child process that costs the producer a clear 422, not the service its life.

The child is a fresh interpreter that imports only what the work needs. A child forked
from a process that has polars loaded would be counted with every page it shares with
that process, and a resident fork server (plus multiprocessing's resource tracker) would
stay in the service's memory between imports.
"""

import os
import pickle
import select
import subprocess
import sys
import time
from collections.abc import Callable
from typing import IO, Any, Final

import psutil

MEMORY_LIMIT_BYTES: Final = int(os.environ.get("HOTMART_READER_MEMORY_MB", "1536")) * 1024**2
TIME_LIMIT_S: Final = float(os.environ.get("HOTMART_READER_TIME_LIMIT_S", "120"))
_WATCH_EVERY_S: Final = 0.02
_CHILD_MAIN: Final = "from hotmart_common.spreadsheet.guarded import serve; serve()"


class ReaderFailed(Exception):
    pass


def run_guarded(work: Callable[[bytes], Any], data: bytes, *,
                memory_limit: int = MEMORY_LIMIT_BYTES) -> Any:
    """``work(data)`` in a child process; ``work`` must be importable by name."""
    child = subprocess.Popen([sys.executable, "-c", _CHILD_MAIN],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert child.stdin is not None and child.stdout is not None
    try:
        _send(child, child.stdin, work, data)
        return _wait_for(child, child.stdout, memory_limit)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()


def _send(child: subprocess.Popen[bytes], stdin: IO[bytes], work: Callable[[bytes], Any],
          data: bytes) -> None:
    try:
        with stdin:
            pickle.dump(sys.path, stdin)  # where this process found the work's module
            pickle.dump((work, data), stdin, protocol=pickle.HIGHEST_PROTOCOL)
    except BrokenPipeError as closed:
        raise ReaderFailed(f"the reader stopped (exit code {child.wait()})") from closed


def _wait_for(child: subprocess.Popen[bytes], answers: IO[bytes], memory_limit: int) -> Any:
    deadline = time.monotonic() + TIME_LIMIT_S
    watched = _process(child.pid)
    while not select.select([answers], [], [], _WATCH_EVERY_S)[0]:
        if child.poll() is not None:
            raise ReaderFailed(f"the reader stopped (exit code {child.returncode})")
        if _rss(watched) > memory_limit:
            raise ReaderFailed(f"the reader needed more than {memory_limit // 1024**2} MB")
        if time.monotonic() > deadline:
            raise ReaderFailed(f"the reader took more than {TIME_LIMIT_S:.0f} s")
    try:
        outcome, payload = pickle.load(answers)
    except (EOFError, pickle.UnpicklingError) as closed:
        raise ReaderFailed(f"the reader stopped before answering (exit code {child.wait()})"
                           ) from closed
    if outcome == "error":
        raise ReaderFailed(payload)
    return payload


def _process(pid: int) -> psutil.Process | None:
    try:
        return psutil.Process(pid)
    except psutil.Error:  # it already ended: its answer (or its absence) says how
        return None


def _rss(process: psutil.Process | None) -> int:
    try:
        rss: int = process.memory_info().rss if process else 0
    except psutil.Error:
        return 0
    return rss


def serve() -> None:
    """The child's side: the work and its data in on stdin, one answer out on stdout."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # what the work prints is not the answer
    requests = sys.stdin.buffer
    sys.path[:] = pickle.load(requests)
    try:
        work, *data = pickle.load(requests)
        result = ("ok", work(data.pop()))  # the work holds the only reference: it may drop it
    except BaseException as error:  # the native reader panics with a BaseException
        result = ("error", f"{type(error).__name__}: {error}"[:500])
    with answers:
        pickle.dump(result, answers, protocol=pickle.HIGHEST_PROTOCOL)
