"""The performance targets, checked (never asserted) against one bench run."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from bench.adversarial import ShapeResult
from bench.runner import RunResult
from hotmart_common import registry

SERVICES: Final = registry.SERVICE_NAMES
EXPORT_MEMORY_MB: Final = 300
SHAPE_MEMORY_MB: Final = 512  # any file the upload accepts, whatever its shape


@dataclass(frozen=True)
class Check:
    target: str
    met: bool | None  # None: the run did not include what the target needs
    figure: str

    def line(self) -> str:
        verdict = {True: "met", False: "MISSED", None: "not measured"}[self.met]
        return f"  {self.target:<58} {verdict:<13} {self.figure}"


def checks(results: Sequence[RunResult], shapes: Sequence[ShapeResult] = ()) -> list[Check]:
    by_name = {result.export.spec.name: result for result in results}
    return [
        _within("10 MB CSV imports in <= 10 s", by_name.get("csv-10mb"), 10.0),
        _within("XLSX of the same rows in <= 15 s", by_name.get("xlsx-10mb"), 15.0),
        _each("pipeline <= 3 x floor", results, _floor_ratio, 3.0, "{:.1f} x"),
        _scaling(results),
        _memory(results),
        _each("first progress <= 1 s after confirm", results,
              lambda r: r.timing.first_progress_s, 1.0, "{:.2f} s"),
        _shape_memory(shapes),
        _shape_answers(shapes),
    ]


def _within(target: str, result: RunResult | None, limit: float) -> Check:
    if result is None:
        return Check(target, None, "(not in this run)")
    seconds = _seconds(result)
    if seconds is None:
        return Check(target, False, f"{result.timing.status}: {result.timing.error}")
    return Check(target, seconds <= limit, f"{seconds:.1f} s")


def _floor_ratio(result: RunResult) -> float | None:
    seconds = _seconds(result)
    if result.floor is None or seconds is None:
        return None
    return seconds / result.floor.seconds


def _each(target: str, results: Sequence[RunResult],
          figure_of: Callable[[RunResult], float | None], limit: float, shown: str) -> Check:
    if not results:
        return Check(target, None, "(no run)")
    figures = [(r.export.spec.name, figure_of(r)) for r in results]
    met = all(value is not None and value <= limit for _, value in figures)
    text = ", ".join(f"{name} " + ("n/a" if value is None else shown.format(value))
                     for name, value in figures)
    return Check(target, met, text)


def _scaling(results: Sequence[RunResult]) -> Check:
    """100 000 rows against 10 000 rows of the same format when the run has both (a 100 000
    row export only fits the upload limit as XLSX); the other 10 000-row runs are shown too."""
    target = "100 000 rows in <= 11 x the time of 10 000 rows"
    large = next((r for r in results if r.export.spec.rows == 100_000), None)
    smalls = [r for r in results if r.export.spec.rows == 10_000]
    if large is None or not smalls:
        return Check(target, None, "(needs both sizes)")
    large_format = large.export.spec.file_format
    large_s = _seconds(large)
    ratios = []
    for small in sorted(smalls, key=lambda r: r.export.spec.file_format != large_format):
        small_s = _seconds(small)
        if large_s is None or small_s is None:
            return Check(target, False, "one of the imports did not complete")
        ratios.append((small.export.spec.name, small_s, large_s / small_s))
    (name, small_s, ratio), others = ratios[0], ratios[1:]
    figure = (f"{large.export.spec.name} {large_s:.1f} s / {name} {small_s:.1f} s = {ratio:.1f} x"
              + "".join(f"; / {other} {value:.1f} x" for other, _, value in others))
    return Check(target, ratio <= 11.0, figure)


def _seconds(result: RunResult) -> float | None:
    return result.timing.seconds if result.timing.completed else None


def _memory(results: Sequence[RunResult]) -> Check:
    return _peaks_within(f"every service <= {EXPORT_MEMORY_MB} MB peak RSS on every export",
                         [(r.export.spec.name, r.peak_rss_mb) for r in results],
                         EXPORT_MEMORY_MB)


def _shape_memory(shapes: Sequence[ShapeResult]) -> Check:
    return _peaks_within(f"every service <= {SHAPE_MEMORY_MB} MB peak RSS on adversarial shapes",
                         [(r.shape.name, r.peak_rss_mb) for r in shapes], SHAPE_MEMORY_MB)


def _peaks_within(target: str, runs: Sequence[tuple[str, dict[str, float]]],
                  limit_mb: float) -> Check:
    peaks = [(name, service, mb) for name, run_peaks in runs
             for service, mb in run_peaks.items() if service in SERVICES]
    if not peaks:
        return Check(target, None, "(not in this run)")
    worst = max(peaks, key=lambda peak: peak[2])
    return Check(target, all(mb <= limit_mb for _, _, mb in peaks),
                 f"highest: {worst[1]} {worst[2]:.0f} MB ({worst[0]})")


def _shape_answers(shapes: Sequence[ShapeResult]) -> Check:
    target = "adversarial shapes: accepted ones complete, others get 422"
    if not shapes:
        return Check(target, None, "(not in this run)")
    wrong = [f"{r.shape.name} {r.status}" for r in shapes if not r.as_expected]
    return Check(target, not wrong, ", ".join(wrong) or f"all {len(shapes)} as expected")
