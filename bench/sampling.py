"""Peak resident memory and CPU time of each stack process, sampled in a background thread."""

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType

import psutil

MB = 1024 * 1024
SAMPLE_EVERY_S = 0.05


class ProcessSampler:
    """``with ProcessSampler(stack_pids) as sampler:`` … then ``peak_rss_mb()``, ``cpu_s()``.

    RSS and CPU of a process include its children (PostgreSQL forks a backend per
    connection). Pids are read again at every sample, so a restarted service is followed.
    """

    def __init__(self, pids: Callable[[], Mapping[str, int]]) -> None:
        self._pids = pids
        self._peaks: dict[str, int] = {}
        self._first_rss: dict[str, int] = {}
        self._cpu_first: dict[tuple[str, int], float] = {}
        self._cpu_last: dict[tuple[str, int], float] = {}
        self._machine_busy = -_machine_busy_s()
        self._own = -_own_cpu_s()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)

    def __enter__(self) -> "ProcessSampler":
        self._machine_busy, self._own = -_machine_busy_s(), -_own_cpu_s()
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self._machine_busy += _machine_busy_s()
        self._own += _own_cpu_s()

    def foreign_cpu_s(self) -> float:
        """CPU the machine spent outside the stack and this bench: other work skews the run."""
        return round(max(0.0, self._machine_busy - self._own - sum(self.cpu_s().values())), 2)

    def peak_rss_mb(self) -> dict[str, float]:
        return {name: round(peak / MB, 1) for name, peak in self._peaks.items()}

    def start_rss_mb(self) -> dict[str, float]:
        return {name: round(rss / MB, 1) for name, rss in self._first_rss.items()}

    def cpu_s(self) -> dict[str, float]:
        used: dict[str, float] = {}
        for (name, pid), last in self._cpu_last.items():
            used[name] = used.get(name, 0.0) + last - self._cpu_first[(name, pid)]
        return {name: round(seconds, 2) for name, seconds in used.items()}

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            self._sample()

    def _sample(self) -> None:
        for name, pid in self._pids().items():
            rss = 0
            for process in _tree(pid):
                try:
                    with process.oneshot():
                        rss += process.memory_info().rss
                        times = process.cpu_times()
                except psutil.Error:
                    continue
                key = (name, process.pid)
                self._cpu_first.setdefault(key, times.user + times.system)
                self._cpu_last[key] = times.user + times.system
            self._first_rss.setdefault(name, rss)
            self._peaks[name] = max(self._peaks.get(name, 0), rss)


def _machine_busy_s() -> float:
    times = psutil.cpu_times()
    busy: float = sum(times) - times.idle - getattr(times, "iowait", 0.0)
    return busy


def _own_cpu_s() -> float:
    times = psutil.Process().cpu_times()
    used: float = times.user + times.system
    return used


def _tree(pid: int) -> Iterator[psutil.Process]:
    try:
        root = psutil.Process(pid)
        yield root
        yield from root.children(recursive=True)
    except psutil.Error:
        return


def wait_until_quiet(pids: Callable[[], Mapping[str, int]], *, busy_cores: float = 0.15,
                     window_s: float = 0.5, max_wait_s: float = 20.0) -> float:
    """Waits until the stack uses less than ``busy_cores`` of CPU; returns the seconds waited.

    Leftovers of the previous step (autovacuum, a broker flushing) would otherwise be
    billed to the next measurement.
    """
    waited = 0.0
    while waited < max_wait_s:
        before = _total_cpu(pids())
        time.sleep(window_s)
        waited += window_s
        if (_total_cpu(pids()) - before) / window_s < busy_cores:
            return waited
    return waited


def _total_cpu(pids: Mapping[str, int]) -> float:
    total = 0.0
    for pid in pids.values():
        for process in _tree(pid):
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
    return total
