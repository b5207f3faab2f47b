"""Peak resident memory of each stack process, sampled in a background thread."""

import threading
from collections.abc import Callable, Mapping
from types import TracebackType

import psutil

MB = 1024 * 1024
SAMPLE_EVERY_S = 0.05


def tree_rss(pid: int) -> int:
    """RSS of a process and its children (PostgreSQL forks a backend per connection)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


class PeakRss:
    """``with PeakRss(stack_pids) as peaks:`` … ``peaks.megabytes()`` → {process: peak MB}.

    Pids are read again at every sample, so a service restarted mid-import is still followed.
    """

    def __init__(self, pids: Callable[[], Mapping[str, int]]) -> None:
        self._pids = pids
        self._peaks: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-rss", daemon=True)

    def __enter__(self) -> "PeakRss":
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def megabytes(self) -> dict[str, float]:
        return {name: round(peak / MB, 1) for name, peak in self._peaks.items()}

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            self._sample()

    def _sample(self) -> None:
        for name, pid in self._pids().items():
            self._peaks[name] = max(self._peaks.get(name, 0), tree_rss(pid))
