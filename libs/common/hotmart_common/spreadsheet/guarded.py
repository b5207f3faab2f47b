"""Runs the Excel reader in a child process whose memory and time are bounded.

The reader is native code: a damaged workbook can make it allocate gigabytes or abort.
In a child process that costs the producer a clear 422, not the service its life.
"""

import multiprocessing
import os
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Final

import psutil

MEMORY_LIMIT_BYTES: Final = int(os.environ.get("HOTMART_READER_MEMORY_MB", "1536")) * 1024**2
TIME_LIMIT_S: Final = float(os.environ.get("HOTMART_READER_TIME_LIMIT_S", "120"))

# A forkserver forks children from a small single-threaded process that has the reader
# already imported: fast to start, and safe where forking this threaded process is not.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["hotmart_common.spreadsheet.excel_grid"])


class ReaderFailed(Exception):
    pass


def run_guarded(work: Callable[[bytes], Any], data: bytes, *,
                memory_limit: int = MEMORY_LIMIT_BYTES) -> Any:
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(work, data, sender), daemon=True)
    child.start()
    sender.close()
    try:
        return _wait_for(child, receiver, memory_limit)
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()


def _wait_for(child: Any, receiver: Connection, memory_limit: int) -> Any:
    deadline = time.monotonic() + TIME_LIMIT_S
    watched = _process(child.pid)
    while not receiver.poll(0.02):
        if not child.is_alive():
            raise ReaderFailed(f"the reader stopped (exit code {child.exitcode})")
        if _rss(watched) > memory_limit:
            raise ReaderFailed(f"the reader needed more than {memory_limit // 1024**2} MB")
        if time.monotonic() > deadline:
            raise ReaderFailed(f"the reader took more than {TIME_LIMIT_S:.0f} s")
    try:
        outcome, payload = receiver.recv()
    except EOFError as closed:
        raise ReaderFailed("the reader stopped before answering") from closed
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


def _child(work: Callable[[bytes], Any], data: bytes, sender: Connection) -> None:
    try:
        result = ("ok", work(data))
    except BaseException as error:  # the native reader panics with a BaseException
        result = ("error", f"{type(error).__name__}: {error}"[:500])
    sender.send(result)
    sender.close()
